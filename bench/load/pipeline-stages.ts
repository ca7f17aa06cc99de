/**
 * CPU per stage of the processor's own per-change work, in one process and without Kafka or
 * LevelDB: decode → versions → match → matches record (encode, decode) → notify → notification
 * record (encode), over the drain benchmark's changes and subscriptions (seed 1). What it leaves
 * out (the runtime, kafkajs, the stores' LevelDB and changelogs) is measured by processor-drain.ts;
 * this isolates the cost of our code so that a change to it can be compared on a shared machine.
 *
 * The versions store holds its values as bytes, encoded at each write and decoded at each read
 * (its cache holds flushed values so), through the store's codec: `--versions-json` stores them
 * as plain JSON, the layout before the changelog record was kept.
 *
 *   npx tsx bench/load/pipeline-stages.ts [--changes 100000] [--subscriptions 1000] [--rounds 3]
 *     [--versions-json]
 */
import { performance } from 'node:perf_hooks';
import type {
  ChangeEvent,
  FhirResource,
  Match,
  Notification,
  StoredVersion,
  SubscriptionStatusRecord,
  VersionedChange,
} from '../../processors/index.js';
import {
  decodeChangeRecord,
  EventLog,
  NotifyProcessor,
  sourceRecordOf,
  versionsStep,
} from '../../processors/index.js';
import type { Codec, KeyValueEntry, KeyValueStore, ReadOnlyTable, TableChange } from '../../state/index.js';
import { codecs } from '../../state/index.js';
import { SubscriptionCatalog } from '../../app/pipeline/catalog.js';
import { matchRecordCodec, storeValueCodec, versionValueCodec } from '../../app/pipeline/record-codecs.js';
import { withoutUnusedPrevious } from '../../app/pipeline/processor-topology.js';
import { changeGenerator, generateSubscriptions } from '../harness/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const changes = arg('changes', 100_000);
const subscriptionCount = arg('subscriptions', 1000);
const rounds = arg('rounds', 3);
const versionsJson = process.argv.includes('--versions-json');

/**
 * A store that keeps values as given, like the caching store's pending writes between commits
 * (reads of them parse nothing); its encoding at a commit is not counted here.
 */
class PlainStore<V> implements KeyValueStore<string, V> {
  readonly persistent = false;
  private readonly data = new Map<string, V>();
  constructor(readonly name: string) {}
  isOpen(): boolean {
    return true;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  async get(key: string): Promise<V | undefined> {
    return this.data.get(key);
  }
  async put(key: string, value: V): Promise<void> {
    this.data.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  async putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    for (const e of entries) {
      if (e.value === null) this.data.delete(e.key);
      else this.data.set(e.key, e.value);
    }
  }
  async *range(): AsyncIterable<[string, V]> {
    yield* [...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  async approximateCount(): Promise<number> {
    return this.data.size;
  }
}

/** A store that keeps bytes, as LevelDB and the cache's flushed entries do. */
class BytesStore<V> implements KeyValueStore<string, V> {
  readonly persistent = false;
  private readonly data = new Map<string, Buffer>();
  constructor(
    readonly name: string,
    private readonly codec: Codec<V>,
  ) {}
  isOpen(): boolean {
    return true;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  async get(key: string): Promise<V | undefined> {
    const bytes = this.data.get(key);
    return bytes === undefined ? undefined : this.codec.decode(bytes);
  }
  async put(key: string, value: V): Promise<void> {
    this.data.set(key, this.codec.encode(value));
  }
  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }
  async putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    for (const e of entries) {
      if (e.value === null) this.data.delete(e.key);
      else await this.put(e.key, e.value);
    }
  }
  async *range(): AsyncIterable<[string, V]> {
    for (const [key, bytes] of [...this.data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      yield [key, this.codec.decode(bytes)];
  }
  async approximateCount(): Promise<number> {
    return this.data.size;
  }
}

class MapTable implements ReadOnlyTable<FhirResource> {
  constructor(
    readonly name: string,
    private readonly data: Map<string, FhirResource>,
  ) {}
  get(key: string): FhirResource | undefined {
    return this.data.get(key);
  }
  entries(): IterableIterator<[string, FhirResource]> {
    return this.data.entries();
  }
  size(): number {
    return this.data.size;
  }
  onChange(_listener: (change: TableChange<FhirResource>) => void): () => void {
    return () => undefined;
  }
  writtenAt(): number | undefined {
    return undefined;
  }
}

const { subscriptions, topics } = generateSubscriptions({
  count: subscriptionCount,
  channels: { restHookUrl: 'http://127.0.0.1:9/hook' },
  seed: 1,
});
const catalog = new SubscriptionCatalog(
  new MapTable(
    'subscriptions',
    new Map(subscriptions.map((s) => [`Subscription/${s.resource.id}`, s.resource])),
  ),
  new MapTable('topics', new Map(topics.map((t) => [String(t.url), t]))),
);
catalog.start();

const generator = changeGenerator({ seed: 1 });
const now = new Date().toISOString();
const input: { key: Buffer; value: Buffer }[] = [];
for (let i = 0; i < changes; i++) {
  const c = generator.next();
  c.value.occurredAt = now;
  c.value.resource.meta = { ...c.value.resource.meta, lastUpdated: now };
  input.push({ key: Buffer.from(c.key), value: Buffer.from(JSON.stringify(c.value)) });
}

const matchCodec = matchRecordCodec();
const notificationCodec = codecs.json<Notification>();

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Totals {
  [stage: string]: number;
}

async function round(): Promise<{
  totals: Totals;
  counts: { matches: number; notifications: number };
  bytes: { matches: number; notifications: number };
}> {
  const versions = new BytesStore<StoredVersion>(
    'versions',
    versionsJson ? storeValueCodec<StoredVersion>() : versionValueCodec(),
  );
  const status = new PlainStore<SubscriptionStatusRecord>('status');
  const events = new EventLog(new PlainStore('events'), { maxEvents: 100 });
  const notify = new NotifyProcessor({
    store: status,
    now: () => new Date(),
    baseUrl: 'http://x/fhir',
    events,
  });
  const totals: Totals = {
    decode: 0,
    versions: 0,
    match: 0,
    matchEncode: 0,
    matchDecode: 0,
    notify: 0,
    notificationEncode: 0,
  };
  const counts = { matches: 0, notifications: 0 };
  const bytes = { matches: 0, notifications: 0 };
  const time = (stage: string, t0: number): number => {
    const t1 = performance.now();
    totals[stage]! += t1 - t0;
    return t1;
  };
  for (let i = 0; i < input.length; i++) {
    const r = input[i]!;
    let t = performance.now();
    const decoded = await decodeChangeRecord({
      topic: 'changes',
      partition: 0,
      offset: String(i),
      key: r.key,
      value: r.value,
    });
    const source = sourceRecordOf(decoded, r.value);
    t = time('decode', t);
    for (const d of decoded) {
      const result = await versionsStep(d.key, d.change as ChangeEvent, versions, {
        now: () => new Date(),
        changeOffset: `changes:0:${i}`,
        ...(source !== undefined ? { record: source } : {}),
      });
      t = time('versions', t);
      if (result.kind !== 'versioned') continue;
      const matches = catalog
        .match(result.value as VersionedChange)
        .map((m) => withoutUnusedPrevious(m, catalog.get(`Subscription/${m.subscriptionId}`)));
      t = time('match', t);
      const encoded = matches.map((m) => matchCodec.encode(m));
      t = time('matchEncode', t);
      const received = encoded.map((b) => matchCodec.decode(b));
      t = time('matchDecode', t);
      for (const b of encoded) bytes.matches += b.length;
      counts.matches += matches.length;
      for (const m of received as Match[]) {
        t = performance.now();
        const sub = catalog.get(`Subscription/${m.subscriptionId}`);
        if (!sub) continue;
        const out = await notify.process(m, sub);
        t = time('notify', t);
        for (const n of out) bytes.notifications += notificationCodec.encode(n).length;
        counts.notifications += out.length;
        t = time('notificationEncode', t);
      }
    }
  }
  return { totals, counts, bytes };
}

for (let i = 0; i < rounds; i++) {
  const c0 = cpu();
  const w0 = performance.now();
  const { totals, counts, bytes } = await round();
  const c1 = cpu();
  const w1 = performance.now();
  const per100k = (ms: number): string => ((ms / 1000) * (100_000 / changes)).toFixed(2);
  console.log(
    `round ${i + 1}: ${changes} changes, ${counts.matches} matches (${Math.round(bytes.matches / Math.max(1, counts.matches))} B avg), ` +
      `${counts.notifications} notifications (${Math.round(bytes.notifications / Math.max(1, counts.notifications))} B avg); ` +
      `CPU ${per100k((c1 - c0) * 1000)} s / 100k, wall ${per100k(w1 - w0)} s / 100k`,
  );
  console.log(
    '  s / 100k: ' +
      Object.entries(totals)
        .map(([k, v]) => `${k} ${per100k(v)}`)
        .join(', '),
  );
}
