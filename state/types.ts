/**
 * Store contracts, as Kafka Streams splits them: a lifecycle interface, and reading/writing on
 * the key-value interface above it. Implementations (LevelDB, changelogging, caching, metrics)
 * are wrappers that all satisfy `KeyValueStore`.
 */
export interface StateStore {
  readonly name: string;
  /** True when the store survives a restart on this machine (LevelDB), false for in-memory. */
  readonly persistent: boolean;
  isOpen(): boolean;
  /** Writes buffered state through to the innermost store (and its changelog). */
  flush(): Promise<void>;
  /** Idempotent: a second call resolves without effect. */
  close(): Promise<void>;
}

export interface KeyRange<K> {
  gte?: K;
  gt?: K;
  lte?: K;
  lt?: K;
  /** Only keys starting with this prefix (string keys). */
  prefix?: K;
  reverse?: boolean;
  limit?: number;
}

export interface KeyValueEntry<K, V> {
  key: K;
  /** null deletes the key in a batch. */
  value: V | null;
}

export interface KeyValueStore<K, V> extends StateStore {
  get(key: K): Promise<V | undefined>;
  put(key: K, value: V): Promise<void>;
  delete(key: K): Promise<void>;
  /** Atomic batch: every entry is applied or none. */
  putAll(entries: readonly KeyValueEntry<K, V>[]): Promise<void>;
  range(range?: KeyRange<K>): AsyncIterable<[K, V]>;
  /** Number of entries, approximate for large stores. */
  approximateCount(): Promise<number>;
}

/** A change seen by a global table's listener (value null: the key was deleted). */
export interface TableChange<V> {
  key: string;
  value: V | null;
  previous: V | null;
}

/**
 * A table replicated on every instance from a compacted topic. Reads are served from memory;
 * listeners let an in-memory index (the subscription matcher) follow every change.
 */
export interface ReadOnlyTable<V> {
  readonly name: string;
  get(key: string): V | undefined;
  entries(): IterableIterator<[string, V]>;
  size(): number;
  /** Returns an unsubscribe function. Called for each change in topic order. */
  onChange(listener: (change: TableChange<V>) => void): () => void;
  /**
   * When the record holding the current value of `key` was written (its timestamp, milliseconds
   * since the epoch): the same on every instance that replicates the table.
   */
  writtenAt(key: string): number | undefined;
}
