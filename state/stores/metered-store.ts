import type { CounterMetric, MetricsPort } from '../metrics.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';
import { WrappedStore } from './wrapped-store.js';

/** Operations counted before they are added to the counters: a labelled increment costs a label hash. */
const BATCH = 256;

/**
 * The outermost wrapper: operation counts. They reach the counters in steps of up to 256
 * operations, and on every flush and close.
 */
export class MeteredStore<V> extends WrappedStore<V> implements KeyValueStore<string, V> {
  private readonly reads: CounterMetric;
  private readonly writes: CounterMetric;
  private readonly labels: Record<string, string>;
  private pendingReads = 0;
  private pendingWrites = 0;

  constructor(inner: KeyValueStore<string, V>, metrics: MetricsPort, labels: Record<string, string>) {
    super(inner);
    this.reads = metrics.counter('substream_store_reads_total', 'State store reads', ['store', 'task']);
    this.writes = metrics.counter('substream_store_writes_total', 'State store writes', ['store', 'task']);
    this.labels = labels;
  }

  get(key: string): Promise<V | undefined> {
    if (++this.pendingReads >= BATCH) this.report();
    return this.inner.get(key);
  }
  put(key: string, value: V): Promise<void> {
    if (++this.pendingWrites >= BATCH) this.report();
    return this.inner.put(key, value);
  }
  delete(key: string): Promise<void> {
    if (++this.pendingWrites >= BATCH) this.report();
    return this.inner.delete(key);
  }
  putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    this.pendingWrites += entries.length;
    if (this.pendingWrites >= BATCH) this.report();
    return this.inner.putAll(entries);
  }
  range(range?: KeyRange<string>): AsyncIterable<[string, V]> {
    return this.inner.range(range);
  }
  override flush(): Promise<void> {
    this.report();
    return this.inner.flush();
  }
  override close(): Promise<void> {
    this.report();
    return this.inner.close();
  }

  /** Adds the operations counted so far to the counters. */
  report(): void {
    if (this.pendingReads > 0) this.reads.inc(this.labels, this.pendingReads);
    if (this.pendingWrites > 0) this.writes.inc(this.labels, this.pendingWrites);
    this.pendingReads = 0;
    this.pendingWrites = 0;
  }
}
