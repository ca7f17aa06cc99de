import { WrappedStore } from './wrapped-store.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';

/**
 * Write-back cache: writes stay in memory until flush (at commit), so repeated updates of one key
 * reach LevelDB and the changelog once per commit. Recently read values are kept too.
 */
export class CachingStore extends WrappedStore implements KeyValueStore<string, Buffer> {
  private readonly dirty = new Map<string, Buffer | null>();
  private readonly clean = new Map<string, Buffer | null>();

  constructor(
    inner: KeyValueStore<string, Buffer>,
    private readonly maxEntries: number,
  ) {
    super(inner);
  }

  async get(key: string): Promise<Buffer | undefined> {
    const cached = this.dirty.get(key) ?? this.clean.get(key);
    if (cached !== undefined) return cached ?? undefined;
    if (this.dirty.has(key)) return undefined;
    const value = await this.inner.get(key);
    this.remember(key, value ?? null);
    return value;
  }

  async put(key: string, value: Buffer): Promise<void> {
    await this.write(key, value);
  }

  async delete(key: string): Promise<void> {
    await this.write(key, null);
  }

  async putAll(entries: readonly KeyValueEntry<string, Buffer>[]): Promise<void> {
    for (const entry of entries) await this.write(entry.key, entry.value);
  }

  async *range(range?: KeyRange<string>): AsyncIterable<[string, Buffer]> {
    // Scans read LevelDB, so pending writes go there first.
    await this.flush();
    yield* this.inner.range(range);
  }

  override async approximateCount(): Promise<number> {
    return (await this.inner.approximateCount()) + this.dirty.size;
  }

  override async flush(): Promise<void> {
    if (this.dirty.size > 0) {
      const entries = [...this.dirty].map(([key, value]) => ({ key, value }));
      this.dirty.clear();
      await this.inner.putAll(entries);
      for (const { key, value } of entries) this.remember(key, value);
    }
    await this.inner.flush();
  }

  override async close(): Promise<void> {
    this.dirty.clear();
    this.clean.clear();
    await this.inner.close();
  }

  /** Drops unflushed writes (a failed exactly-once task must not keep them). */
  discard(): void {
    this.dirty.clear();
    this.clean.clear();
  }

  private async write(key: string, value: Buffer | null): Promise<void> {
    this.clean.delete(key);
    this.dirty.set(key, value);
    if (this.dirty.size >= this.maxEntries) await this.flush();
  }

  private remember(key: string, value: Buffer | null): void {
    if (this.clean.size >= this.maxEntries) {
      const oldest = this.clean.keys().next();
      if (!oldest.done) this.clean.delete(oldest.value);
    }
    this.clean.set(key, value);
  }
}
