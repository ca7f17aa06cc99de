import type { CounterMetric, MetricsPort } from '../metrics.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';
import { WrappedStore } from './wrapped-store.js';

/** The outermost wrapper: operation counts. */
export class MeteredStore<V> extends WrappedStore<V> implements KeyValueStore<string, V> {
  private readonly reads: CounterMetric;
  private readonly writes: CounterMetric;
  private readonly labels: Record<string, string>;

  constructor(inner: KeyValueStore<string, V>, metrics: MetricsPort, labels: Record<string, string>) {
    super(inner);
    this.reads = metrics.counter('substream_store_reads_total', 'State store reads', ['store', 'task']);
    this.writes = metrics.counter('substream_store_writes_total', 'State store writes', ['store', 'task']);
    this.labels = labels;
  }

  get(key: string): Promise<V | undefined> {
    this.reads.inc(this.labels);
    return this.inner.get(key);
  }
  put(key: string, value: V): Promise<void> {
    this.writes.inc(this.labels);
    return this.inner.put(key, value);
  }
  delete(key: string): Promise<void> {
    this.writes.inc(this.labels);
    return this.inner.delete(key);
  }
  putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    this.writes.inc(this.labels, entries.length);
    return this.inner.putAll(entries);
  }
  range(range?: KeyRange<string>): AsyncIterable<[string, V]> {
    return this.inner.range(range);
  }
}
