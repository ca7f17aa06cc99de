import type { Codec } from '../codec.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';
import { WrappedStore } from './wrapped-store.js';

/** Typed values over a store of bytes, encoded on every write and decoded on every read. */
export class CodecStore<V> extends WrappedStore implements KeyValueStore<string, V> {
  constructor(
    inner: KeyValueStore<string, Buffer>,
    private readonly codec: Codec<V>,
  ) {
    super(inner);
  }
  async get(key: string): Promise<V | undefined> {
    const bytes = await this.inner.get(key);
    return bytes === undefined ? undefined : this.codec.decode(bytes);
  }
  put(key: string, value: V): Promise<void> {
    return this.inner.put(key, this.codec.encode(value));
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  putAll(entries: readonly KeyValueEntry<string, V>[]): Promise<void> {
    return this.inner.putAll(
      entries.map((e) => ({ key: e.key, value: e.value === null ? null : this.codec.encode(e.value) })),
    );
  }
  async *range(range?: KeyRange<string>): AsyncIterable<[string, V]> {
    for await (const [key, bytes] of this.inner.range(range)) yield [key, this.codec.decode(bytes)];
  }
}
