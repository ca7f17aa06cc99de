import type { Codec } from '../codec.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';
import { ownBytes } from '../own-bytes.js';
import { CacheBudget, type CacheMember } from './cache-budget.js';
import { WrappedStore } from './wrapped-store.js';

const DONE: Promise<void> = Promise.resolve();

/** What an entry of the clean cache costs besides its key and value: the Map's slot, the Buffer object. */
const ENTRY_OVERHEAD = 96;
const sizeOf = (key: string, value: Buffer | null): number =>
  ENTRY_OVERHEAD + 2 * key.length + (value === null ? 0 : value.length);

/**
 * Write-back cache: writes stay in memory as values until flush (at commit), so repeated updates
 * of one key are encoded, and reach LevelDB and the changelog, once per commit, and a read of a
 * pending write is not decoded. Recently flushed or read entries are kept as bytes: decoded
 * resources would cost the garbage collector far more than the parse they save.
 *
 * A pending value is handed out as written, not copied: a caller must not mutate a value it read
 * or wrote (it writes a new object instead).
 *
 * The recently flushed or read entries count towards a budget of bytes the stream thread's caches
 * share (cache-budget.ts), besides the limit of entries per store.
 */
export class CachingStore<V> extends WrappedStore implements KeyValueStore<string, V>, CacheMember {
  /** Writes since the last flush; null is a delete. */
  private dirty = new Map<string, V | null>();
  /**
   * Earlier generations of `dirty` handed to the inner store whose write has not ended yet, oldest
   * first (usually one): reads are served from them, and a flush hands over a whole map instead of
   * moving each entry into another one.
   */
  private writing: Map<string, V | null>[] = [];
  /** Recently flushed or read entries as bytes (null: not in the store). May be shadowed by the above. */
  private readonly clean = new Map<string, Buffer | null>();
  /** The last write handed to the inner store (the inner store applies them in order). */
  private written: Promise<void> = Promise.resolve();
  /** Bytes of `clean`, as counted towards the budget. */
  private cleanBytes = 0;

  constructor(
    inner: KeyValueStore<string, Buffer>,
    private readonly codec: Codec<V>,
    private readonly maxEntries: number,
    private readonly budget: CacheBudget = new CacheBudget(Number.POSITIVE_INFINITY),
  ) {
    super(inner);
    budget.join(this);
  }

  get bytes(): number {
    return this.cleanBytes;
  }

  /**
   * Drops the oldest clean entries until at least `bytes` are freed (CacheMember), or `entries`
   * of them went.
   */
  evictOldest(bytes: number, entries = Number.POSITIVE_INFINITY): void {
    let freed = 0;
    let left = entries;
    for (const [key, value] of this.clean) {
      this.clean.delete(key);
      freed += sizeOf(key, value);
      if (freed >= bytes || --left === 0) break;
    }
    this.cleanBytes -= freed;
    this.budget.change(-freed);
  }

  // get, put and delete run once per record or more: a hit answers without an async function's
  // extra promise, and a miss goes on in `load`.
  get(key: string): Promise<V | undefined> {
    const pending = this.pending(key);
    if (pending !== undefined) return Promise.resolve(pending ?? undefined);
    const bytes = this.clean.get(key);
    if (bytes === undefined) return this.load(key);
    if (bytes === null) return Promise.resolve(undefined);
    try {
      return Promise.resolve(this.codec.decode(bytes));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  put(key: string, value: V): Promise<void> {
    return this.write(key, value);
  }

  delete(key: string): Promise<void> {
    return this.write(key, null);
  }

  async putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    for (const entry of entries) await this.write(entry.key, entry.value);
  }

  async *range(range?: KeyRange<string>): AsyncIterable<[string, V]> {
    // Scans read LevelDB, so pending writes go there first.
    await this.flush();
    for await (const [key, bytes] of this.inner.range(range)) yield [key, this.codec.decode(bytes)];
  }

  override async approximateCount(): Promise<number> {
    return (await this.inner.approximateCount()) + this.dirty.size;
  }

  override async flush(): Promise<void> {
    await this.flushInBackground();
    await this.inner.flush();
  }

  /**
   * Encodes the pending writes and hands them to the inner store at once (the changelog store
   * records them for the collector then); resolves once the inner store has written them. Reads
   * in the meantime are served from the generation being written.
   */
  flushInBackground(): Promise<void> {
    const generation = this.dirty;
    if (generation.size === 0) return this.written;
    const entries: KeyValueEntry<string, Buffer>[] = [];
    generation.forEach((value, key) => {
      entries.push({ key, value: value === null ? null : this.codec.encode(value) });
    });
    this.dirty = new Map();
    this.writing.push(generation);
    this.written = this.inner.putAll(entries).then(() => {
      // Usually the oldest (writes end in order); a failed one before it stays readable.
      const at = this.writing.indexOf(generation);
      if (at >= 0) this.writing.splice(at, 1);
      for (const entry of entries) this.remember(entry.key, entry.value);
    });
    return this.written;
  }

  override async close(): Promise<void> {
    await this.written.catch(() => undefined);
    this.discard();
    this.budget.leave(this);
    await this.inner.close();
  }

  /** Drops unflushed writes (a failed exactly-once task must not keep them). */
  discard(): void {
    this.dirty.clear();
    this.clean.clear();
    this.budget.change(-this.cleanBytes);
    this.cleanBytes = 0;
    this.writing = [];
  }

  /** The latest value written and not yet in LevelDB: undefined if none, null for a delete. */
  private pending(key: string): V | null | undefined {
    const dirty = this.dirty.get(key);
    if (dirty !== undefined) return dirty;
    for (let i = this.writing.length - 1; i >= 0; i -= 1) {
      const value = this.writing[i]!.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  private async load(key: string): Promise<V | undefined> {
    const bytes = (await this.inner.get(key)) ?? null;
    this.remember(key, bytes);
    return bytes === null ? undefined : this.codec.decode(bytes);
  }

  private write(key: string, value: V | null): Promise<void> {
    // The pending write shadows a clean entry; dropping it at once lets go of its bytes early.
    this.forget(key);
    this.dirty.set(key, value);
    return this.dirty.size >= this.maxEntries ? this.flush() : DONE;
  }

  private remember(key: string, found: Buffer | null): void {
    this.forget(key);
    // A view of a shared slab or response would keep all of it for as long as the entry lives.
    const value = found === null ? null : ownBytes(found);
    // The oldest sixteenth goes at once: a Map keeps deleted entries as holes until it is
    // rehashed, and each new iterator walks them again, so evicting one entry per call from the
    // front costs a walk over all holes (microseconds per entry on a full cache).
    if (this.clean.size >= this.maxEntries)
      this.evictOldest(Number.POSITIVE_INFINITY, Math.max(1, this.maxEntries >> 4));
    const size = sizeOf(key, value);
    this.clean.set(key, value);
    this.cleanBytes += size;
    this.budget.change(size);
    this.budget.settle(this);
  }

  /** Drops a clean entry, if there is one, and its bytes. */
  private forget(key: string): void {
    const bytes = this.clean.get(key);
    if (bytes === undefined) return;
    this.clean.delete(key);
    const size = sizeOf(key, bytes);
    this.cleanBytes -= size;
    this.budget.change(-size);
  }
}
