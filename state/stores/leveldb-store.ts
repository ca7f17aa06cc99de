import { rm } from 'node:fs/promises';
import { Level } from 'level';
import { StoreError } from '../errors.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';

/**
 * LevelDB's memory per store. Every task opens one LevelDB per store, so an instance holds as many
 * memtables and block caches as it owns partitions times stores: LevelDB's defaults (4 MB and
 * 8 MB) made that 12-16 MB per store, most of an instance's memory. Reads hit LevelDB only after
 * the caching store above it missed, so a small block cache costs little.
 */
export interface LevelDbOptions {
  /** Bytes a memtable takes before it is written out as a table file. */
  writeBufferBytes?: number;
  /** Bytes of LevelDB's own cache of uncompressed table blocks. */
  blockCacheBytes?: number;
}

/** The innermost store: string keys and byte values in one LevelDB directory. */
export class LevelDbStore implements KeyValueStore<string, Buffer> {
  readonly persistent = true;
  private readonly db: Level<string, Buffer>;
  private closing: Promise<void> | undefined;
  /**
   * Writes run one after the other, in the order they were asked for: two batches on the thread
   * pool at once could reach LevelDB in either order, and a caller may start one before the last
   * one ended (the caching store writes in the background).
   */
  private writes: Promise<void> = Promise.resolve();
  /** The first write that failed: the store no longer reflects its changelog. */
  private failure: unknown;

  private constructor(
    readonly name: string,
    readonly location: string,
    options: LevelDbOptions,
  ) {
    this.db = new Level<string, Buffer>(location, {
      keyEncoding: 'utf8',
      valueEncoding: 'buffer',
      ...(options.writeBufferBytes === undefined ? {} : { writeBufferSize: options.writeBufferBytes }),
      ...(options.blockCacheBytes === undefined ? {} : { cacheSize: options.blockCacheBytes }),
    });
  }

  static async open(name: string, location: string, options: LevelDbOptions = {}): Promise<LevelDbStore> {
    const store = new LevelDbStore(name, location, options);
    try {
      await store.db.open();
    } catch (cause) {
      throw new StoreError(`Cannot open store ${name} at ${location}`, { cause, context: { store: name } });
    }
    return store;
  }

  /** Removes a store's directory (a wiped store is restored from its changelog). */
  static async wipe(location: string): Promise<void> {
    await rm(location, { recursive: true, force: true });
  }

  isOpen(): boolean {
    return this.db.status === 'open';
  }

  async get(key: string): Promise<Buffer | undefined> {
    this.assertOpen();
    // A point read is a few microseconds in LevelDB's block cache; reading synchronously saves
    // the thread-pool round trip that would otherwise dominate per-record store access.
    return this.db.getSync(key) ?? undefined;
  }

  put(key: string, value: Buffer): Promise<void> {
    this.assertOpen();
    return this.inOrder(() => this.db.put(key, value));
  }

  delete(key: string): Promise<void> {
    this.assertOpen();
    return this.inOrder(() => this.db.del(key));
  }

  async putAll(entries: readonly KeyValueEntry<string, Buffer>[]): Promise<void> {
    this.assertOpen();
    if (entries.length === 0) return;
    const operations = entries.map((e) =>
      e.value === null
        ? { type: 'del' as const, key: e.key }
        : { type: 'put' as const, key: e.key, value: e.value },
    );
    await this.inOrder(() => this.db.batch(operations));
  }

  async *range(range: KeyRange<string> = {}): AsyncIterable<[string, Buffer]> {
    this.assertOpen();
    const { prefix, ...bounds } = range;
    const options = prefix === undefined ? bounds : { ...bounds, gte: prefix, lt: `${prefix}\uffff` };
    for await (const entry of this.db.iterator(options)) yield entry;
  }

  async approximateCount(): Promise<number> {
    let count = 0;
    for await (const _ of this.db.keys()) count += 1;
    return count;
  }

  async flush(): Promise<void> {
    // LevelDB writes are durable in its log once the write resolves.
  }

  close(): Promise<void> {
    this.closing ??= this.writes.then(() => this.db.close());
    return this.closing;
  }

  /** Resolves once every write asked for until now has ended; rejects if any write failed. */
  async settled(): Promise<void> {
    await this.writes;
    if (this.failure !== undefined)
      throw new StoreError(`A write to store ${this.name} failed`, {
        cause: this.failure,
        context: { store: this.name },
      });
  }

  private inOrder(write: () => Promise<void>): Promise<void> {
    const run = this.writes.then(write);
    this.writes = run.catch((error: unknown) => {
      this.failure ??= error;
    });
    return run;
  }

  private assertOpen(): void {
    if (!this.isOpen())
      throw new StoreError(`Store ${this.name} is closed`, { context: { store: this.name } });
  }
}
