/**
 * An in-memory KeyValueStore for tests: sorted keys, atomic batches, prefix and bound ranges.
 * Values are cloned in and out, as a serialising store would, so tests cannot share references.
 */
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../../state/index.js';
import { StoreError } from '../../state/index.js';

export class MemoryStore<V> implements KeyValueStore<string, V> {
  readonly persistent = false;
  private readonly data = new Map<string, V>();
  private open = true;
  /** Every write in order, for tests that inspect what was changelogged. */
  readonly writes: KeyValueEntry<string, V>[] = [];

  constructor(readonly name = 'memory') {}

  isOpen(): boolean {
    return this.open;
  }

  async flush(): Promise<void> {
    this.check();
  }

  async close(): Promise<void> {
    this.open = false;
  }

  async get(key: string): Promise<V | undefined> {
    this.check();
    const value = this.data.get(key);
    return value === undefined ? undefined : structuredClone(value);
  }

  async put(key: string, value: V): Promise<void> {
    await this.putAll([{ key, value }]);
  }

  async delete(key: string): Promise<void> {
    await this.putAll([{ key, value: null }]);
  }

  async putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    this.check();
    for (const { key, value } of entries) {
      if (value === null) this.data.delete(key);
      else this.data.set(key, structuredClone(value));
      this.writes.push({ key, value });
    }
  }

  async *range(range: KeyRange<string> = {}): AsyncIterable<[string, V]> {
    this.check();
    const keys = [...this.data.keys()].filter((key) => inRange(key, range)).sort();
    if (range.reverse) keys.reverse();
    const limited = range.limit === undefined ? keys : keys.slice(0, range.limit);
    for (const key of limited) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, structuredClone(value)];
    }
  }

  async approximateCount(): Promise<number> {
    return this.data.size;
  }

  /** Keys currently held, sorted. */
  keys(): string[] {
    return [...this.data.keys()].sort();
  }

  private check(): void {
    if (!this.open) throw new StoreError(`store ${this.name} is closed`);
  }
}

function inRange(key: string, range: KeyRange<string>): boolean {
  if (range.prefix !== undefined && !key.startsWith(range.prefix)) return false;
  if (range.gte !== undefined && key < range.gte) return false;
  if (range.gt !== undefined && key <= range.gt) return false;
  if (range.lte !== undefined && key > range.lte) return false;
  if (range.lt !== undefined && key >= range.lt) return false;
  return true;
}
