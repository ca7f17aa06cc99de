import { describe, expect, it } from 'vitest';
import type { Codec, KeyValueEntry, KeyValueStore } from '../../state/index.js';
import { CacheBudget, CachingStore, codecs } from '../../state/index.js';

/** Bytes kept as given (the memory fake clones values, which turns a Buffer into a Uint8Array). */
class BytesStore implements KeyValueStore<string, Buffer> {
  readonly name = 'bytes';
  readonly persistent = false;
  private readonly data = new Map<string, Buffer>();
  isOpen = () => true;
  flush = async () => {};
  close = async () => {};
  approximateCount = async () => this.data.size;
  get = async (key: string) => this.data.get(key);
  put = async (key: string, value: Buffer) => void this.data.set(key, value);
  delete = async (key: string) => void this.data.delete(key);
  async putAll(entries: readonly KeyValueEntry<string, Buffer>[]): Promise<void> {
    for (const { key, value } of entries) {
      if (value === null) this.data.delete(key);
      else this.data.set(key, value);
    }
  }
  async *range(): AsyncIterable<[string, Buffer]> {
    yield* [...this.data].sort(([a], [b]) => (a < b ? -1 : 1));
  }
}

/** The JSON codec, counting its calls. */
function countingJson<T>(): Codec<T> & { encoded: number; decoded: number } {
  const json = codecs.json<T>();
  const codec = {
    name: 'json',
    encoded: 0,
    decoded: 0,
    encode: (value: T) => {
      codec.encoded += 1;
      return json.encode(value);
    },
    decode: (bytes: Buffer) => {
      codec.decoded += 1;
      return json.decode(bytes);
    },
  };
  return codec;
}

describe('CachingStore', () => {
  it('encodes a key written several times once per flush, and serves pending writes undecoded', async () => {
    const inner = new BytesStore();
    const codec = countingJson<{ n: number }>();
    const store = new CachingStore(inner, codec, 100);
    for (let n = 1; n <= 5; n++) await store.put('a', { n });
    expect(await store.get('a')).toEqual({ n: 5 });
    expect(await inner.get('a')).toBeUndefined();
    expect(codec.encoded).toBe(0);
    await store.flush();
    expect(codec.encoded).toBe(1);
    expect(codec.decoded).toBe(0);
    expect(JSON.parse((await inner.get('a'))!.toString())).toEqual({ n: 5 });
    // Flushed entries are kept as bytes and decoded on read.
    expect(await store.get('a')).toEqual({ n: 5 });
    expect(codec.decoded).toBe(1);
  });

  it('reads deletes, inner values and ranges like the store it wraps', async () => {
    const inner = new BytesStore();
    await inner.put('x', Buffer.from('{"n":1}'));
    const store = new CachingStore(inner, codecs.json<{ n: number }>(), 100);
    expect(await store.get('x')).toEqual({ n: 1 });
    await store.delete('x');
    expect(await store.get('x')).toBeUndefined();
    expect(await inner.get('x')).toBeDefined();
    await store.putAll([
      { key: 'y', value: { n: 2 } },
      { key: 'z', value: { n: 3 } },
    ]);
    const seen: [string, { n: number }][] = [];
    for await (const entry of store.range()) seen.push(entry);
    expect(seen).toEqual([
      ['y', { n: 2 }],
      ['z', { n: 3 }],
    ]);
    expect(await inner.get('x')).toBeUndefined();
    expect(await store.get('missing')).toBeUndefined();
  });

  it('flushes by itself once it holds maxEntries pending writes', async () => {
    const inner = new BytesStore();
    const store = new CachingStore(inner, codecs.json<number>(), 2);
    await store.put('a', 1);
    expect(await inner.get('a')).toBeUndefined();
    await store.put('b', 2);
    expect(await inner.get('a')).toBeDefined();
    expect(await inner.get('b')).toBeDefined();
  });

  it('serves entries being written in the background until the inner write ends', async () => {
    const inner = new BytesStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const putAll = inner.putAll.bind(inner);
    inner.putAll = async (entries) => {
      await gate;
      await putAll(entries);
    };
    const store = new CachingStore(inner, codecs.json<number>(), 100);
    await store.put('a', 1);
    const written = store.flushInBackground();
    expect(await store.get('a')).toBe(1);
    expect(await inner.get('a')).toBeUndefined();
    await store.put('a', 2);
    const later = store.flushInBackground();
    release();
    await written;
    await later;
    expect(await store.get('a')).toBe(2);
    expect(JSON.parse((await inner.get('a'))!.toString())).toBe(2);
  });

  it('keeps at most maxEntries read entries, dropping the oldest first', async () => {
    const inner = new BytesStore();
    for (let i = 0; i < 40; i += 1) await inner.put(`k${i}`, Buffer.from(JSON.stringify(i)));
    let reads = 0;
    const get = inner.get;
    inner.get = async (key: string) => {
      reads += 1;
      return get(key);
    };
    const store = new CachingStore(inner, codecs.json<number>(), 32);
    for (let i = 0; i < 40; i += 1) expect(await store.get(`k${i}`)).toBe(i);
    expect(reads).toBe(40);
    // The newest entries are still cached, the oldest were read again.
    expect(await store.get('k39')).toBe(39);
    expect(reads).toBe(40);
    expect(await store.get('k0')).toBe(0);
    expect(reads).toBe(41);
  });

  it('serves reads from flushes still being written, newest first, and from LevelDB once they end', async () => {
    const inner = new BytesStore();
    const gates: (() => void)[] = [];
    const putAll = inner.putAll.bind(inner);
    inner.putAll = async (entries) => {
      await new Promise<void>((resolve) => gates.push(resolve));
      await putAll(entries);
    };
    const store = new CachingStore(inner, codecs.json<number>(), 100);
    await store.put('a', 1);
    await store.put('b', 1);
    const first = store.flushInBackground();
    await store.put('a', 2);
    await store.delete('b');
    const second = store.flushInBackground();
    await store.put('a', 3);
    expect(await store.get('a')).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    await store.delete('a');
    expect(await store.get('a')).toBeUndefined();
    await store.put('a', 4);
    gates.shift()!();
    await first;
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe(4);
    await Promise.resolve();
    gates.shift()!();
    await second;
    expect(await inner.get('b')).toBeUndefined();
    expect(JSON.parse((await inner.get('a'))!.toString())).toBe(2);
    expect(await store.get('a')).toBe(4);
    const third = store.flush();
    await new Promise((r) => setTimeout(r, 0));
    gates.shift()!();
    await third;
    expect(JSON.parse((await inner.get('a'))!.toString())).toBe(4);
    expect(await store.get('a')).toBe(4);
    expect(await store.get('b')).toBeUndefined();
  });

  it('keeps the caches of a budget under its bytes, the oldest entries going first, and reads them back from the store', async () => {
    const budget = new CacheBudget(64 * 1024);
    const versions = new CachingStore(new BytesStore(), countingJson<{ text: string }>(), 10_000, budget);
    const status = new CachingStore(new BytesStore(), countingJson<{ text: string }>(), 10_000, budget);
    const text = 'x'.repeat(1000);
    await status.put('s', { text: 'small' });
    await status.flush();
    for (let i = 0; i < 200; i++) await versions.put(`r${i}`, { text });
    await versions.flush();
    expect(budget.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(budget.bytes).toBe(versions.bytes + status.bytes);
    // The store that went over its share gave up its own oldest entries; the small one kept its own.
    expect(status.bytes).toBeGreaterThan(0);
    expect(versions.bytes).toBeGreaterThan(40 * 1024);
    // An evicted entry is read from the inner store again, a kept one from the cache.
    const reads = (versions as unknown as { inner: KeyValueStore<string, Buffer> }).inner;
    let innerReads = 0;
    const get = reads.get.bind(reads);
    reads.get = async (key) => {
      innerReads += 1;
      return get(key);
    };
    expect(await versions.get('r0')).toEqual({ text });
    expect(innerReads).toBe(1);
    expect(await versions.get('r199')).toEqual({ text });
    expect(innerReads).toBe(1);
    await versions.close();
    await status.close();
    expect(budget.bytes).toBe(0);
  });

  it('evicts from the largest cache when the one adding is within its share', () => {
    const budget = new CacheBudget(1000);
    const member = (bytes: number) => {
      const m = {
        bytes,
        evicted: 0,
        evictOldest(n: number) {
          const freed = Math.min(n, m.bytes);
          m.bytes -= freed;
          m.evicted += freed;
          budget.change(-freed);
        },
      };
      budget.join(m);
      budget.change(bytes);
      return m;
    };
    const big = member(900);
    const small = member(50);
    const adding = member(100);
    budget.settle(adding);
    // 1,050 bytes against 1,000: down to 1,000 - 1,000/16 = 938, from the largest.
    expect(big.evicted).toBe(1050 - 938);
    expect(small.evicted + adding.evicted).toBe(0);
    expect(budget.bytes).toBe(938);
  });
  it('keeps flushed values in memory of their own, not as views of a shared slab', async () => {
    const seen: { length: number; memory: number }[] = [];
    const json = codecs.json<{ n: number }>();
    const codec: Codec<{ n: number }> = {
      name: 'json',
      // Buffer.from on a short text is a view of Node's shared pool.
      encode: (value) => json.encode(value),
      decode: (bytes) => {
        seen.push({ length: bytes.length, memory: bytes.buffer.byteLength });
        return json.decode(bytes);
      },
    };
    expect(json.encode({ n: 1 }).buffer.byteLength).toBeGreaterThan(json.encode({ n: 1 }).length);
    const store = new CachingStore(new BytesStore(), codec, 100);
    await store.put('a', { n: 1 });
    await store.flush();
    expect(await store.get('a')).toEqual({ n: 1 });
    expect(seen).toEqual([{ length: 7, memory: 7 }]);
  });
});
