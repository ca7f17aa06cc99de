/**
 * An in-memory KeyValueStore for tests and benchmarks: keys kept sorted (binary search, so a range
 * read costs what it returns, as in LevelDB), atomic batches, prefix and bound ranges. Values are
 * cloned in and out, as a serialising store would, so callers cannot share references.
 */
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../../state/index.js';
import { StoreError } from '../../state/index.js';

export class MemoryStore<V> implements KeyValueStore<string, V> {
  readonly persistent = false;
  private readonly data = new Map<string, V>();
  private readonly sorted: string[] = [];
  private open = true;

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
      const present = this.data.has(key);
      if (value === null) {
        if (present) {
          this.data.delete(key);
          this.sorted.splice(this.lowerBound(key), 1);
        }
      } else {
        if (!present) this.sorted.splice(this.lowerBound(key), 0, key);
        this.data.set(key, structuredClone(value));
      }
    }
  }

  async *range(range: KeyRange<string> = {}): AsyncIterable<[string, V]> {
    this.check();
    const keys = this.keysIn(range);
    for (const key of keys) {
      const value = this.data.get(key);
      if (value !== undefined) yield [key, structuredClone(value)];
    }
  }

  async approximateCount(): Promise<number> {
    return this.data.size;
  }

  /** Keys currently held, sorted. */
  keys(): string[] {
    return [...this.sorted];
  }

  private keysIn(range: KeyRange<string>): string[] {
    const lows = [range.gte, range.gt, range.prefix].filter((k): k is string => k !== undefined);
    let start = lows.length === 0 ? 0 : this.lowerBound(lows.reduce((a, b) => (a > b ? a : b)));
    const selected: string[] = [];
    const limit = range.limit ?? Infinity;
    if (!range.reverse) {
      for (; start < this.sorted.length && selected.length < limit; start++) {
        const key = this.sorted[start]!;
        if (!beforeEnd(key, range)) break;
        if (inRange(key, range)) selected.push(key);
      }
      return selected;
    }
    for (let i = this.sorted.length - 1; i >= start && selected.length < limit; i--) {
      const key = this.sorted[i]!;
      if (inRange(key, range)) selected.push(key);
      else if (range.prefix !== undefined && key < range.prefix) break;
    }
    return selected;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.sorted[mid]! < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private check(): void {
    if (!this.open) throw new StoreError(`store ${this.name} is closed`);
  }
}

/** Whether a key, read in ascending order, may still be followed by keys in the range. */
function beforeEnd(key: string, range: KeyRange<string>): boolean {
  if (range.prefix !== undefined && key > range.prefix && !key.startsWith(range.prefix)) return false;
  if (range.lte !== undefined && key > range.lte) return false;
  if (range.lt !== undefined && key >= range.lt) return false;
  return true;
}

function inRange(key: string, range: KeyRange<string>): boolean {
  if (range.prefix !== undefined && !key.startsWith(range.prefix)) return false;
  if (range.gte !== undefined && key < range.gte) return false;
  if (range.gt !== undefined && key <= range.gt) return false;
  if (range.lte !== undefined && key > range.lte) return false;
  if (range.lt !== undefined && key >= range.lt) return false;
  return true;
}
