import { EventEmitter } from 'node:events';
import { deserialize, serialize } from 'node:v8';
import { Level } from 'level';
import { TransportError } from '../../state/index.js';
import type {
  AppendResult,
  LogRecord,
  OutgoingRecord,
  TopicPartitionOffset,
  TopicSpec,
} from '../../state/index.js';

const OFFSET_WIDTH = 16;
const pad = (n: number | bigint, width: number): string => n.toString().padStart(width, '0');
const recordKey = (topic: string, partition: number, offset: bigint): string =>
  `r!${topic}!${pad(partition, 6)}!${pad(offset, OFFSET_WIDTH)}`;
const groupKey = (group: string, topic: string, partition: number): string =>
  `g!${group}!${topic}!${partition}`;
/** Latest offset of each key of a compacted topic partition (what compaction keeps). */
const latestKey = (topic: string, partition: number, key: Uint8Array): string =>
  `x!${topic}!${pad(partition, 6)}!${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('base64url')}`;

/** One record as the cleaner sees it. */
export interface CleanableRecord {
  offset: bigint;
  key: Uint8Array | null;
  tombstone: boolean;
  timestamp: number;
}

interface StoredRecord {
  k: Uint8Array | null;
  v: Uint8Array | null;
  h: Record<string, Uint8Array>;
  t: number;
}

interface TopicState {
  spec: TopicSpec;
  /** Next offset per partition. */
  ends: bigint[];
}

const asBuffer = (bytes: Uint8Array | null): Buffer | null =>
  bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * A durable partitioned log in one LevelDB directory: topics, records and committed group offsets.
 * Appends are serialised so offsets are dense; a batch of records and offsets is written atomically,
 * which is what gives the embedded mode its exactly-once commits.
 */
export class LogStore {
  readonly appended = new EventEmitter();
  private readonly topics = new Map<string, TopicState>();
  /** Positions of the readers running in this process (group consumers, tails), per topic-partition. */
  private readonly readers = new Map<string, Set<() => bigint>>();
  private writing: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(private readonly db: Level<string, Buffer>) {
    this.appended.setMaxListeners(0);
  }

  static async open(location: string): Promise<LogStore> {
    const db = new Level<string, Buffer>(location, { keyEncoding: 'utf8', valueEncoding: 'buffer' });
    await db.open();
    const store = new LogStore(db);
    for await (const [key, value] of db.iterator({ gte: 'm!', lt: 'm!\uffff' })) {
      const spec = JSON.parse(value.toString('utf8')) as TopicSpec;
      const ends: bigint[] = [];
      for (let p = 0; p < spec.partitions; p += 1) {
        const last = await db
          .keys({
            gte: recordKey(spec.topic, p, 0n),
            lte: recordKey(spec.topic, p, 10n ** 15n),
            reverse: true,
            limit: 1,
          })
          .all();
        ends.push(last[0] === undefined ? 0n : BigInt(last[0].slice(-OFFSET_WIDTH)) + 1n);
      }
      store.topics.set(key.slice(2), { spec, ends });
    }
    return store;
  }

  async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const missing = specs.filter((s) => !this.topics.has(s.topic));
    if (missing.length === 0) return;
    await this.db.batch(
      missing.map((s) => ({
        type: 'put' as const,
        key: `m!${s.topic}`,
        value: Buffer.from(JSON.stringify(s)),
      })),
    );
    for (const spec of missing)
      this.topics.set(spec.topic, { spec, ends: new Array<bigint>(spec.partitions).fill(0n) });
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) {
      if (!this.topics.delete(topic)) continue;
      await this.db.clear({ gte: `r!${topic}!`, lt: `r!${topic}!\uffff` });
      await this.db.clear({ gte: `x!${topic}!`, lt: `x!${topic}!\uffff` });
      await this.db.del(`m!${topic}`);
    }
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.spec.partitions;
  }

  endOffsets(topic: string): Map<number, string> {
    const state = this.topics.get(topic);
    return new Map((state?.ends ?? []).map((end, p) => [p, end.toString()]));
  }

  /** Appends records and commits group offsets in one atomic write. */
  append(
    records: readonly OutgoingRecord[],
    offsets: { groupId: string; offsets: readonly TopicPartitionOffset[] } | undefined = undefined,
  ): Promise<AppendResult> {
    const run = this.writing.then(() => this.write(records, offsets));
    this.writing = run.catch(() => undefined);
    return run;
  }

  async read(topic: string, partition: number, from: bigint, limit: number): Promise<LogRecord[]> {
    const entries = await this.db
      .iterator({
        gte: recordKey(topic, partition, from),
        lte: recordKey(topic, partition, 10n ** 15n),
        limit,
      })
      .all();
    return entries.map(([key, value]) => {
      const stored = deserialize(value) as StoredRecord;
      const headers: Record<string, Buffer> = {};
      for (const [name, bytes] of Object.entries(stored.h)) headers[name] = asBuffer(bytes)!;
      return {
        topic,
        partition,
        offset: BigInt(key.slice(-OFFSET_WIDTH)).toString(),
        key: asBuffer(stored.k),
        value: asBuffer(stored.v),
        headers,
        timestamp: stored.t,
      };
    });
  }

  endOf(topic: string, partition: number): bigint {
    return this.topics.get(topic)?.ends[partition] ?? 0n;
  }

  async committed(groupId: string, topic: string, partition: number): Promise<bigint | undefined> {
    const value = await this.db.get(groupKey(groupId, topic, partition));
    return value === undefined ? undefined : BigInt(value.toString('utf8'));
  }

  async commit(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.append([], { groupId, offsets });
  }

  /** Registers a reader's position; the cleaner never removes what it has not read yet. */
  trackReader(topic: string, partition: number, position: () => bigint): () => void {
    const id = `${topic}\u0000${partition}`;
    let set = this.readers.get(id);
    if (!set) this.readers.set(id, (set = new Set()));
    set.add(position);
    return () => set.delete(position);
  }

  topicSpecs(): TopicSpec[] {
    return [...this.topics.values()].map((t) => t.spec);
  }

  /**
   * The offset below which the cleaner may remove records of a partition: the lowest position of
   * the readers running here and of the groups that committed offsets for it, and never the last
   * record (the end offset is found again from it after a restart).
   */
  async cleanableBelow(topic: string, partition: number): Promise<bigint> {
    let bound = this.endOf(topic, partition) - 1n;
    for (const position of this.readers.get(`${topic}\u0000${partition}`) ?? []) {
      const p = position();
      if (p < bound) bound = p;
    }
    const suffix = `!${topic}!${partition}`;
    for await (const [key, value] of this.db.iterator({ gte: 'g!', lt: 'g!\uffff' })) {
      if (!key.endsWith(suffix)) continue;
      const committed = BigInt(value.toString('utf8'));
      if (committed < bound) bound = committed;
    }
    return bound < 0n ? 0n : bound;
  }

  /** Records of a partition from `from` (inclusive) below `below`, at most `limit`. */
  async scan(
    topic: string,
    partition: number,
    from: bigint,
    below: bigint,
    limit: number,
  ): Promise<CleanableRecord[]> {
    if (from >= below) return [];
    const entries = await this.db
      .iterator({ gte: recordKey(topic, partition, from), lt: recordKey(topic, partition, below), limit })
      .all();
    return entries.map(([key, value]) => {
      const stored = deserialize(value) as StoredRecord;
      return {
        offset: BigInt(key.slice(-OFFSET_WIDTH)),
        key: stored.k,
        tombstone: stored.v === null,
        timestamp: stored.t,
      };
    });
  }

  /**
   * Removes records, serialised with appends. For a compacted topic, `latest` (keys whose newest
   * record is removed: expired tombstones) also drops the key from the index, unless an append
   * since the decision made another record the newest.
   */
  remove(
    topic: string,
    partition: number,
    offsets: readonly bigint[],
    latest: readonly CleanableRecord[] = [],
  ): Promise<void> {
    const run = this.writing.then(async () => {
      const ops: { type: 'del'; key: string }[] = offsets.map((o) => ({
        type: 'del',
        key: recordKey(topic, partition, o),
      }));
      for (const r of latest) {
        const index = latestKey(topic, partition, r.key!);
        const current = await this.db.get(index);
        if (current !== undefined && BigInt(current.toString('utf8')) !== r.offset) continue;
        ops.push({ type: 'del', key: index }, { type: 'del', key: recordKey(topic, partition, r.offset) });
      }
      if (ops.length > 0) await this.db.batch(ops);
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  /** The newest offset of a key in a compacted topic partition; undefined when not indexed. */
  async latestOffset(topic: string, partition: number, key: Uint8Array): Promise<bigint | undefined> {
    const value = await this.db.get(latestKey(topic, partition, key));
    return value === undefined ? undefined : BigInt(value.toString('utf8'));
  }

  close(): Promise<void> {
    this.closing ??= this.writing.then(() => this.db.close());
    return this.closing;
  }

  private async write(
    records: readonly OutgoingRecord[],
    offsets: { groupId: string; offsets: readonly TopicPartitionOffset[] } | undefined,
  ): Promise<AppendResult> {
    const ops: { type: 'put'; key: string; value: Buffer }[] = [];
    const next = new Map<string, { topic: string; partition: number; end: bigint }>();
    for (const record of records) {
      const state = this.topics.get(record.topic);
      if (state === undefined || record.partition < 0 || record.partition >= state.spec.partitions) {
        throw new TransportError(`Unknown topic or partition ${record.topic}[${record.partition}]`, {
          context: { topic: record.topic, partition: record.partition },
        });
      }
      const id = `${record.topic}\u0000${record.partition}`;
      const cursor = next.get(id) ?? {
        topic: record.topic,
        partition: record.partition,
        end: state.ends[record.partition]!,
      };
      const stored: StoredRecord = {
        k: record.key,
        v: record.value,
        h: record.headers ?? {},
        t: record.timestamp ?? Date.now(),
      };
      ops.push({
        type: 'put',
        key: recordKey(record.topic, record.partition, cursor.end),
        value: serialize(stored),
      });
      if (state.spec.compacted && record.key !== null) {
        ops.push({
          type: 'put',
          key: latestKey(record.topic, record.partition, record.key),
          value: Buffer.from(cursor.end.toString()),
        });
      }
      cursor.end += 1n;
      next.set(id, cursor);
    }
    for (const o of offsets?.offsets ?? []) {
      ops.push({
        type: 'put',
        key: groupKey(offsets!.groupId, o.topic, o.partition),
        value: Buffer.from(o.offset),
      });
    }
    if (ops.length > 0) await this.db.batch(ops);
    const result: AppendResult = [];
    for (const cursor of next.values()) {
      this.topics.get(cursor.topic)!.ends[cursor.partition] = cursor.end;
      result.push({ topic: cursor.topic, partition: cursor.partition, offset: (cursor.end - 1n).toString() });
    }
    if (next.size > 0) this.appended.emit('append');
    return result;
  }
}
