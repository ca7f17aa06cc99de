import type { KeyRange, KeyValueEntry, KeyValueStore } from '../../state/index.js';

/** A Map-backed KeyValueStore for tests: sorted range reads, atomic putAll, idempotent close. */
export class MemoryStore<V> implements KeyValueStore<string, V> {
  readonly persistent = false;
  private readonly data = new Map<string, V>();
  private open = true;

  constructor(readonly name = 'memory') {}

  isOpen(): boolean {
    return this.open;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.open = false;
  }

  async get(key: string): Promise<V | undefined> {
    return this.data.get(key);
  }

  async put(key: string, value: V): Promise<void> {
    this.data.set(key, structuredClone(value));
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  async putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    for (const { key, value } of entries) {
      if (value === null) this.data.delete(key);
      else this.data.set(key, structuredClone(value));
    }
  }

  async *range(range: KeyRange<string> = {}): AsyncIterable<[string, V]> {
    let keys = [...this.data.keys()].sort();
    if (range.prefix !== undefined) keys = keys.filter((k) => k.startsWith(range.prefix!));
    if (range.gte !== undefined) keys = keys.filter((k) => k >= range.gte!);
    if (range.gt !== undefined) keys = keys.filter((k) => k > range.gt!);
    if (range.lte !== undefined) keys = keys.filter((k) => k <= range.lte!);
    if (range.lt !== undefined) keys = keys.filter((k) => k < range.lt!);
    if (range.reverse) keys.reverse();
    if (range.limit !== undefined) keys = keys.slice(0, range.limit);
    for (const k of keys) {
      const v = this.data.get(k);
      if (v !== undefined) yield [k, v];
    }
  }

  async approximateCount(): Promise<number> {
    return this.data.size;
  }
}
