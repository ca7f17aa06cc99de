import type { Codec } from './codec.js';
import { DecodeError } from './errors.js';
import type { LogRecord, LogTail, Transport } from './log.js';
import type { ReadOnlyTable, TableChange } from './types.js';

export interface GlobalTableOptions<V> {
  name: string;
  topic: string;
  codec: Codec<V>;
  readCommitted: boolean;
  /** A value that cannot be decoded is reported here and skipped (the table keeps its previous value). */
  onDecodeError?: (error: DecodeError, record: LogRecord) => void;
}

/**
 * A table replicated on this instance from every partition of a compacted topic, held in memory.
 * `start` resolves once the table has caught up with the end offsets read when it started.
 */
export class GlobalTable<V> implements ReadOnlyTable<V> {
  readonly name: string;
  private readonly values = new Map<string, V>();
  private readonly written = new Map<string, number>();
  private readonly listeners = new Set<(change: TableChange<V>) => void>();
  private tail: LogTail | undefined;

  constructor(private readonly options: GlobalTableOptions<V>) {
    this.name = options.name;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }
  entries(): IterableIterator<[string, V]> {
    return this.values.entries();
  }
  size(): number {
    return this.values.size;
  }
  writtenAt(key: string): number | undefined {
    return this.written.get(key);
  }
  onChange(listener: (change: TableChange<V>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(transport: Transport): Promise<void> {
    const { topic } = this.options;
    const ends = await transport.admin.endOffsets(topic);
    const pending = new Map([...ends].filter(([, end]) => end !== '0').map(([p, end]) => [p, BigInt(end)]));
    let caughtUp: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    const advance = (partition: number, next: bigint): void => {
      const end = pending.get(partition);
      if (end !== undefined && next >= end) pending.delete(partition);
      if (pending.size === 0) caughtUp();
    };
    advance(-1, 0n);
    this.tail = await transport.tail({
      topic,
      from: new Map([...ends.keys()].map((p) => [p, 'earliest'])),
      readCommitted: this.options.readCommitted,
      onRecords: async (records) => {
        for (const record of records) {
          this.apply(record);
          advance(record.partition, BigInt(record.offset) + 1n);
        }
      },
      onPosition: (partition, next) => advance(partition, BigInt(next)),
    });
    await ready;
  }

  async stop(): Promise<void> {
    const tail = this.tail;
    this.tail = undefined;
    await tail?.stop();
  }

  private apply(record: LogRecord): void {
    const key = record.key?.toString('utf8');
    if (key === undefined) return;
    let value: V | null;
    try {
      value = record.value === null ? null : this.options.codec.decode(record.value);
    } catch (error) {
      const decodeError =
        error instanceof DecodeError
          ? error
          : new DecodeError(`Cannot decode ${this.name} value for ${key}`, { cause: error });
      this.options.onDecodeError?.(decodeError, record);
      return;
    }
    const previous = this.values.get(key) ?? null;
    if (value === null) {
      this.values.delete(key);
      this.written.delete(key);
    } else {
      this.values.set(key, value);
      this.written.set(key, record.timestamp);
    }
    for (const listener of this.listeners) listener({ key, value, previous });
  }
}
