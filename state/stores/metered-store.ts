import type { Codec } from '../codec.js';
import type { CounterMetric, MetricsPort } from '../metrics.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';

/** The outermost wrapper: typed values through a codec, and operation counts. */
export class MeteredStore<V> implements KeyValueStore<string, V> {
  private readonly reads: CounterMetric;
  private readonly writes: CounterMetric;
  private readonly labels: Record<string, string>;

  constructor(
    private readonly inner: KeyValueStore<string, Buffer>,
    private readonly codec: Codec<V>,
    metrics: MetricsPort,
    labels: Record<string, string>,
  ) {
    this.reads = metrics.counter('substream_store_reads_total', 'State store reads', ['store', 'task']);
    this.writes = metrics.counter('substream_store_writes_total', 'State store writes', ['store', 'task']);
    this.labels = labels;
  }

  get name(): string {
    return this.inner.name;
  }
  get persistent(): boolean {
    return this.inner.persistent;
  }
  isOpen(): boolean {
    return this.inner.isOpen();
  }
  async get(key: string): Promise<V | undefined> {
    this.reads.inc(this.labels);
    const bytes = await this.inner.get(key);
    return bytes === undefined ? undefined : this.codec.decode(bytes);
  }
  put(key: string, value: V): Promise<void> {
    this.writes.inc(this.labels);
    return this.inner.put(key, this.codec.encode(value));
  }
  delete(key: string): Promise<void> {
    this.writes.inc(this.labels);
    return this.inner.delete(key);
  }
  putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    this.writes.inc(this.labels, entries.length);
    return this.inner.putAll(
      entries.map((e) => ({ key: e.key, value: e.value === null ? null : this.codec.encode(e.value) })),
    );
  }
  async *range(range?: KeyRange<string>): AsyncIterable<[string, V]> {
    for await (const [key, bytes] of this.inner.range(range)) yield [key, this.codec.decode(bytes)];
  }
  approximateCount(): Promise<number> {
    return this.inner.approximateCount();
  }
  flush(): Promise<void> {
    return this.inner.flush();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
