import { WrappedStore } from './wrapped-store.js';
import type { KeyRange, KeyValueEntry, KeyValueStore } from '../types.js';

/** Receives every write of a changelogged store; the runtime produces them with the task's outputs. */
export interface ChangelogWriter {
  append(key: string, value: Buffer | null): void;
}

/**
 * Writes through to the inner store and records each write for the store's changelog topic. The
 * changelog record is taken at once (before the inner write ends), so that a write started by a
 * flush is in the outputs the commit after it waits for.
 */
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
  put(key: string, value: Buffer): Promise<void> {
    this.changelog.append(key, value);
    return this.inner.put(key, value);
  }
  delete(key: string): Promise<void> {
    this.changelog.append(key, null);
    return this.inner.delete(key);
  }
  putAll(entries: readonly KeyValueEntry<string, Buffer>[]): Promise<void> {
    for (const entry of entries) this.changelog.append(entry.key, entry.value);
    return this.inner.putAll(entries);
  }
  range(range?: KeyRange<string>): AsyncIterable<[string, Buffer]> {
    return this.inner.range(range);
  }
}
