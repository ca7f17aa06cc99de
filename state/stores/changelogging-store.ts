import { WrappedStore } from './wrapped-store.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';

/** Receives every write of a changelogged store; the runtime produces them with the task's outputs. */
export interface ChangelogWriter {
  append(key: string, value: Buffer | null): void;
}

/** Writes through to the inner store and records each write for the store's changelog topic. */
export class ChangeLoggingStore extends WrappedStore implements KeyValueStore<string, Buffer> {
  constructor(
    inner: KeyValueStore<string, Buffer>,
    private readonly changelog: ChangelogWriter,
  ) {
    super(inner);
  }

  get(key: string): Promise<Buffer | undefined> {
    return this.inner.get(key);
  }
  async put(key: string, value: Buffer): Promise<void> {
    await this.inner.put(key, value);
    this.changelog.append(key, value);
  }
  async delete(key: string): Promise<void> {
    await this.inner.delete(key);
    this.changelog.append(key, null);
  }
  async putAll(entries: readonly KeyValueEntry<string, Buffer>[]): Promise<void> {
    await this.inner.putAll(entries);
    for (const entry of entries) this.changelog.append(entry.key, entry.value);
  }
  range(range?: KeyRange<string>): AsyncIterable<[string, Buffer]> {
    return this.inner.range(range);
  }
}
