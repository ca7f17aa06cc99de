import type {
  BatchControl,
  Headers,
  LogRecord,
  ReadOnlyTable,
  TopicPartitionOffset,
} from '../../state/index.js';
import { DecodeError, ProcessingError, StoreError, SubstreamError } from '../../state/index.js';
import type { ProcessorNode, SinkNode, SourceNode, SubTopology, Topology, TopologyNode } from '../builder.js';
import type {
  Clock,
  ErrorPolicy,
  Processor,
  ProcessorContext,
  PunctuationType,
  StreamRecord,
} from '../processor.js';
import type { RecordCollector, TopicPartitions } from './record-collector.js';
import type { TaskStores } from './task-stores.js';

/**
 * The instance's HTTP API (health probes, /metrics, $events) and its timers share this event loop,
 * and a batch whose records resolve without I/O never leaves it: a long batch gives them a turn
 * this often rather than keeping them waiting until it ends (a saturated processor answered
 * health probes after up to a second).
 */
const IO_TURN_AFTER_MS = 50;
const ioTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** An error thrown inside a node, tagged with the node so its policy applies. */
class NodeFailure extends Error {
  constructor(
    readonly node: ProcessorNode | SinkNode,
    readonly error: unknown,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

interface Punctuator {
  type: PunctuationType;
  interval: number;
  next: number;
  callback: (timestamp: number) => void | Promise<void>;
  cancelled: boolean;
}

/** Commits consumer offsets outside a batch (see GroupConsumer.commit). */
export interface OffsetCommitter {
  /** False while the transport cannot (not started yet, or it has no such commit). */
  available(): boolean;
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
}

export interface TaskCounters {
  consumed(count: number): void;
  deadLettered(stage: string): void;
}

export interface StreamTaskOptions {
  id: string;
  partition: number;
  applicationId: string;
  groupId: string;
  subTopology: SubTopology;
  topology: Topology;
  stores: TaskStores;
  tables: ReadonlyMap<string, ReadOnlyTable<unknown>>;
  collector: RecordCollector;
  topics: TopicPartitions;
  clock: Clock;
  commitIntervalMs: number;
  maxInFlight: number;
  heartbeatIntervalMs: number;
  counters: TaskCounters;
  /** How offsets are committed outside batches; without it, only at the end of each batch. */
  committer?: OffsetCommitter;
}

/**
 * One partition of one sub-topology: its processor instances, stores and outputs. Records are
 * processed one at a time, batches and punctuations queued behind each other.
 *
 * Commits: under at-least-once with a transport that commits outside batches, a batch only
 * dispatches its outputs and the task goes on while they are acknowledged. Every
 * `commitIntervalMs` (after a batch, or from the punctuation tick when no input comes) the stores
 * are flushed and, once everything sent so far is acknowledged, the offsets are committed in the
 * background and the checkpoint written. Otherwise (exactly-once, or the transport commits only
 * in its batch loop) each batch ends with a commit it waits for. A batch that ends because the
 * group rebalances or the consumer stops, and a clean close, always wait for their commit.
 */
export class StreamTask {
  readonly id: string;
  private readonly processors = new Map<string, Processor<unknown, unknown>>();
  private readonly contexts = new Map<string, ProcessorContext<unknown>>();
  private readonly sources = new Map<string, SourceNode>();
  private readonly punctuators: Punctuator[] = [];
  /** Next offset to consume per source topic. */
  private readonly positions = new Map<string, string>();
  private current: LogRecord | undefined;
  /** The current record's key as a string, so a sink writing it unchanged reuses the record's key bytes. */
  private currentKey: string | null = null;
  /** Records consumed in the batch so far, counted once per batch. */
  private consumed = 0;
  private streamTime = -1;
  private lastCheckpoint = 0;
  private lastCommit = 0;
  /** The background commit in progress (at most one; the next one waits for it). */
  private background: Promise<void> = Promise.resolve();
  /** Why a background commit failed; thrown by the next batch, punctuation or close. */
  private failure: unknown;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly closeHooks: (() => Promise<void>)[] = [];

  private constructor(private readonly o: StreamTaskOptions) {
    this.id = o.id;
    for (const source of o.subTopology.sources) {
      const topic = o.topology.topicName(o.applicationId, source)!;
      this.sources.set(topic, source);
    }
  }

  static async create(options: StreamTaskOptions): Promise<StreamTask> {
    const task = new StreamTask(options);
    for (const node of options.subTopology.nodes) {
      if (node.kind !== 'processor') continue;
      const processor = node.processor();
      const context = task.contextFor(node);
      task.processors.set(node.name, processor);
      task.contexts.set(node.name, context);
      await processor.init?.(context);
    }
    task.lastCheckpoint = options.clock.now();
    // The tasks of an instance get their batches in the same rounds: spread their commits over the
    // interval, so that their store flushes (changelog records, LevelDB batches) do not all land
    // on the same batch round and stall every partition's outputs at once.
    const spread = ((options.partition % 8) * options.commitIntervalMs) / 8;
    task.lastCommit = task.lastCheckpoint - spread;
    return task;
  }

  /** Processes a batch of one partition, then commits what it produced (or starts to). */
  processBatch(records: readonly LogRecord[], control: BatchControl): Promise<void> {
    return this.serially(async () => {
      this.throwIfFailed();
      let lastHeartbeat = Date.now();
      let lastTurn = lastHeartbeat;
      let done = 0;
      let last: LogRecord | undefined;
      try {
        for (const record of records) {
          // kafkajs answers isRunning with a map lookup on a string key built per call: every 16
          // records is soon enough to end a batch for a rebalance or a stop.
          if ((done & 15) === 0 && (!control.isRunning() || this.closed)) break;
          await this.processRecord(record);
          done += 1;
          last = record;
          if (this.o.collector.size >= this.o.maxInFlight) await this.o.collector.dispatch();
          const now = Date.now();
          if (now - lastHeartbeat >= this.o.heartbeatIntervalMs) {
            lastHeartbeat = now;
            await control.heartbeat();
          }
          if (now - lastTurn >= IO_TURN_AFTER_MS) {
            lastTurn = now;
            await ioTurn();
          }
        }
      } finally {
        // The position is set once per batch: nothing reads it while the batch runs.
        if (last !== undefined) this.positions.set(last.topic, (BigInt(last.offset) + 1n).toString());
        if (this.consumed > 0) {
          this.o.counters.consumed(this.consumed);
          this.consumed = 0;
        }
        // Also when the group starts rebalancing mid-batch: what was processed is committed
        // before the partition can move (a clean revoke).
        if (done > 0 && !this.closed) {
          const next = this.positions.get(records[0]!.topic)!;
          if (this.pipelined && control.isRunning()) {
            await this.o.collector.dispatch();
            if (this.o.clock.now() - this.lastCommit >= this.o.commitIntervalMs)
              await this.commitInBackground();
            // The position moves on; the offsets are committed once acknowledged (commitInBackground).
            control.markProcessed(next, '-1');
          } else {
            await this.commit();
            control.markProcessed(next, this.committable(next) ?? '-1');
          }
        }
      }
    });
  }

  /**
   * Commits now and waits for it (stores flushed, outputs acknowledged, offsets committed or the
   * transaction committed with them): before the group rebalances, while this member still owns
   * the partition.
   */
  commitNow(): Promise<void> {
    return this.serially(async () => {
      if (this.closed) return;
      this.throwIfFailed();
      await this.commit('rebalance');
    });
  }

  /** Whether outputs are acknowledged and offsets committed in the background (see the class comment). */
  private get pipelined(): boolean {
    return !this.o.collector.transactional && this.o.committer?.available() === true;
  }

  /** What may be committed: the position, held back to the lowest offset a processor has not finished. */
  private committable(position: string): string | undefined {
    let next = BigInt(position);
    for (const processor of this.processors.values()) {
      if (!processor.committableOffset) continue;
      const barrier = processor.committableOffset();
      if (barrier === undefined) return undefined;
      if (BigInt(barrier) < next) next = BigInt(barrier);
    }
    return next.toString();
  }

  /**
   * Runs the wall-clock punctuators that are due, and commits when the commit interval passed:
   * a processor's commit barrier may have moved without new input (work finished in the background).
   */
  punctuate(now: number): Promise<void> {
    this.throwIfFailed();
    const due = this.punctuators.some((p) => p.type === 'wall-clock' && !p.cancelled && p.next <= now);
    const commitDue = this.pipelined && now - this.lastCommit >= this.o.commitIntervalMs;
    if (!due && !commitDue) return Promise.resolve();
    return this.serially(async () => {
      if (this.closed) return;
      this.throwIfFailed();
      if (due) await this.runDue('wall-clock', now);
      if (!this.pipelined) await this.commit();
      else if (this.o.clock.now() - this.lastCommit >= this.o.commitIntervalMs)
        await this.commitInBackground();
      else await this.o.collector.dispatch();
    });
  }

  /**
   * Finishes queued work. A clean close lets the processors finish their own work first (so their
   * commit barriers move as far as they can), then commits, checkpoints and closes the stores.
   */
  close(clean: boolean): Promise<void> {
    const closing = this.queue.then(async () => {
      if (this.closed) return;
      this.closed = true;
      let processorsClosed = false;
      let committed = false;
      try {
        if (clean) {
          await this.closeProcessors();
          processorsClosed = true;
          await this.commit('close');
          committed = true;
        } else {
          await this.o.collector.abort();
        }
      } finally {
        if (!processorsClosed) await this.closeProcessors();
        await this.o.stores.close(committed);
        for (const hook of this.closeHooks) await hook();
      }
    });
    this.queue = closing.catch(() => undefined);
    return closing;
  }

  /** Runs after the task closed (its transactional producer is closed this way). */
  onClose(hook: () => Promise<void>): void {
    this.closeHooks.push(hook);
  }

  private serially(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async closeProcessors(): Promise<void> {
    for (const processor of this.processors.values()) await processor.close?.();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** The offsets to commit now: each source's position, held back by the commit barriers. */
  private offsets(): TopicPartitionOffset[] {
    const offsets: TopicPartitionOffset[] = [];
    for (const [topic, position] of this.positions) {
      const offset = this.committable(position);
      if (offset !== undefined) offsets.push({ topic, partition: this.o.partition, offset });
    }
    return offsets;
  }

  /**
   * Commits and waits for it. Under exactly-once the offsets go into the transaction; otherwise
   * they are committed here only on a clean close and before a rebalance (batches pass theirs to
   * markProcessed).
   */
  private async commit(kind: 'batch' | 'rebalance' | 'close' = 'batch'): Promise<void> {
    const final = kind === 'close';
    this.lastCommit = this.o.clock.now();
    await this.o.stores.flush();
    if (this.o.collector.transactional) {
      const offsets: TopicPartitionOffset[] = [...this.positions].map(([topic, offset]) => ({
        topic,
        partition: this.o.partition,
        offset,
      }));
      await this.o.collector.commit(this.o.groupId, offsets);
    } else {
      await this.o.collector.send();
      await this.background;
      this.throwIfFailed();
      const committer = this.o.committer;
      if (kind !== 'batch' && committer?.available() === true)
        await this.commitOffsets(committer, this.offsets());
    }
    const now = this.o.clock.now();
    if (final || now - this.lastCheckpoint >= this.o.commitIntervalMs) {
      this.lastCheckpoint = now;
      // Under exactly-once the checkpoint is only written on a clean close.
      if (final || !this.o.collector.transactional) await this.o.stores.checkpoint();
    }
  }

  /**
   * Flushes the stores and dispatches everything; once all of it is acknowledged, commits the
   * offsets reached now and writes the checkpoint, without holding up the next records.
   */
  private async commitInBackground(): Promise<void> {
    const committer = this.o.committer!;
    this.lastCommit = this.o.clock.now();
    // LevelDB writes go on in the background: the checkpoint below waits for them, not the next records.
    const { written } = await this.o.stores.flushInBackground();
    await this.o.collector.dispatch();
    const acknowledged = this.o.collector.acknowledgement();
    // Both are awaited below only after the previous commit: one failing first must not count as
    // an unhandled rejection (which ends the process); the awaits still see it.
    written.catch(() => undefined);
    acknowledged.catch(() => undefined);
    const offsets = this.offsets();
    const previous = this.background;
    this.background = (async () => {
      await previous;
      await written;
      await acknowledged;
      await this.commitOffsets(committer, offsets);
      this.lastCheckpoint = this.o.clock.now();
      await this.o.stores.checkpoint();
    })().catch((error: unknown) => {
      this.failure ??= error;
    });
  }

  private async commitOffsets(committer: OffsetCommitter, offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    try {
      await committer.commit(offsets);
    } catch (error) {
      // The partition is moving to another member; its records are read again from the last
      // committed offset there (at-least-once), so this is not a failure of the task.
      if (error instanceof SubstreamError && error.context['rebalancing'] === true) return;
      throw error;
    }
  }

  private async processRecord(record: LogRecord): Promise<void> {
    const source = this.sources.get(record.topic);
    if (source === undefined) return;
    this.consumed += 1;
    this.current = record;
    if (record.timestamp > this.streamTime) this.streamTime = record.timestamp;
    let value: unknown;
    try {
      value = record.value === null ? null : source.value.decode(record.value);
    } catch (error) {
      const failure =
        error instanceof DecodeError ? error : new DecodeError('Cannot decode value', { cause: error });
      await this.failed(source.name, source.onDecodeError, source.deadLetterTopic, failure, record);
      return;
    }
    const key = record.key === null ? null : record.key.toString('utf8');
    this.currentKey = key;
    const streamRecord: StreamRecord<unknown> = {
      key,
      value,
      timestamp: record.timestamp,
      headers: record.headers,
    };
    try {
      await this.forward(source, streamRecord);
    } catch (error) {
      if (!(error instanceof NodeFailure)) throw error;
      const policy = error.node.kind === 'processor' ? error.node.onError : 'fail';
      const dlq = error.node.kind === 'processor' ? error.node.deadLetterTopic : undefined;
      await this.failed(error.node.name, policy, dlq, error.error, record);
    }
    if (this.punctuators.length > 0) await this.runDue('stream-time', this.streamTime);
    this.current = undefined;
    this.currentKey = null;
  }

  private async forward(from: TopologyNode, record: StreamRecord<unknown>, child?: string): Promise<void> {
    for (const name of from.children) {
      if (child !== undefined && name !== child) continue;
      const node = this.o.topology.nodes.get(name)!;
      try {
        if (node.kind === 'processor') {
          await this.processors.get(name)!.process(record, this.contexts.get(name)!);
        } else if (node.kind === 'sink') {
          await this.write(node, record);
        }
      } catch (error) {
        if (error instanceof NodeFailure || node.kind === 'source') throw error;
        throw new NodeFailure(node, error);
      }
    }
  }

  private async write(node: SinkNode, record: StreamRecord<unknown>): Promise<void> {
    const topic =
      this.o.topology.topicName(this.o.applicationId, node) ??
      (node.topic as (r: StreamRecord<unknown>) => string)(record);
    const key = node.rekey ? node.rekey(record) : record.key;
    // Values are never mutated once handed over, so the consumed key bytes can be sent as they are.
    const consumedKey = this.current?.key;
    const keyBytes =
      key === null ? null : key === this.currentKey && consumedKey ? consumedKey : Buffer.from(key);
    this.o.collector.add({
      topic,
      partition:
        this.o.topics.knownPartition(topic, keyBytes) ?? (await this.o.topics.partition(topic, keyBytes)),
      key: keyBytes,
      value: record.value === null ? null : node.value.encode(record.value),
      headers: record.headers,
      timestamp: record.timestamp,
    });
  }

  /** Applies a stage's error policy: dead-letter the original record, or fail the task. */
  private async failed(
    stage: string,
    policy: ErrorPolicy,
    deadLetterTopic: string | undefined,
    error: unknown,
    record: LogRecord,
  ): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    if (policy === 'fail' || error instanceof StoreError) {
      throw error instanceof SubstreamError
        ? error
        : new ProcessingError(
            `Stage ${stage} failed on ${record.topic}[${record.partition}]@${record.offset}: ${reason}`,
            {
              cause: error,
              context: { stage, topic: record.topic, partition: record.partition, offset: record.offset },
            },
          );
    }
    const topic = deadLetterTopic ?? `${record.topic}.dlq`;
    const headers: Headers = {
      ...record.headers,
      'substream.dlq.reason': Buffer.from(reason),
      'substream.dlq.error': Buffer.from(error instanceof Error ? error.constructor.name : 'Error'),
      'substream.dlq.stage': Buffer.from(stage),
      'substream.dlq.topic': Buffer.from(record.topic),
      'substream.dlq.partition': Buffer.from(String(record.partition)),
      'substream.dlq.offset': Buffer.from(record.offset),
    };
    const partitions = await this.o.topics.count(topic);
    this.o.collector.add({
      topic,
      partition:
        record.partition < partitions ? record.partition : await this.o.topics.partition(topic, record.key),
      key: record.key,
      value: record.value,
      headers,
      timestamp: record.timestamp,
    });
    this.o.counters.deadLettered(stage);
  }

  private async runDue(type: PunctuationType, time: number): Promise<void> {
    for (const p of this.punctuators) {
      if (p.type !== type || p.cancelled || p.next > time || time < 0) continue;
      p.next = time + p.interval;
      const saved = this.current;
      this.current = undefined;
      try {
        await p.callback(time);
      } finally {
        this.current = saved;
      }
    }
  }

  private contextFor(node: ProcessorNode): ProcessorContext<unknown> {
    const current = (): LogRecord | undefined => this.current;
    const streamTime = (): number => this.streamTime;
    const allowed = new Set(node.stores);
    return {
      taskId: this.id,
      partition: this.o.partition,
      get topic() {
        return current()?.topic;
      },
      get offset() {
        return current()?.offset;
      },
      get timestamp() {
        return current()?.timestamp ?? Math.max(streamTime(), 0);
      },
      get headers() {
        return current()?.headers ?? {};
      },
      forward: (record, child) => this.forward(node, record, child),
      store: <V>(name: string) => {
        const store = allowed.has(name) ? this.o.stores.get<V>(name) : undefined;
        if (store === undefined)
          throw new StoreError(`Processor ${node.name} has no store ${name}`, {
            context: { node: node.name, store: name },
          });
        return store;
      },
      table: <V>(name: string) => {
        const table = this.o.tables.get(name);
        if (table === undefined)
          throw new StoreError(`No global table ${name}`, { context: { table: name } });
        return table as ReadOnlyTable<V>;
      },
      schedule: (intervalMs, type, callback) => {
        const start = type === 'wall-clock' ? this.o.clock.now() : Math.max(this.streamTime, 0);
        const punctuator: Punctuator = {
          type,
          interval: intervalMs,
          next: start + intervalMs,
          callback,
          cancelled: false,
        };
        this.punctuators.push(punctuator);
        return () => {
          punctuator.cancelled = true;
        };
      },
      streamTime: () => this.streamTime,
      wallClockTime: () => this.o.clock.now(),
    };
  }
}
