import { StoreError } from './errors.js';
import type { LogRecord, Transport } from './log.js';
import type { KeyValueStore } from './types.js';

export interface RestoreProgress {
  store: string;
  partition: number;
  restored: number;
  remaining: number;
}

export interface RestoreOptions {
  transport: Transport;
  changelogTopic: string;
  partition: number;
  /** Next changelog offset to apply (from the checkpoint), or "earliest". */
  from: string;
  store: KeyValueStore<string, Buffer>;
  readCommitted: boolean;
  onProgress?: (progress: RestoreProgress) => void;
}

/**
 * Replays a store's changelog partition from `from` up to the end offset read at the start, in
 * batched writes. Resolves with the next offset to read (for the checkpoint) and the count applied.
 */
export async function restoreStore(
  options: RestoreOptions,
): Promise<{ nextOffset: string; restored: number }> {
  const { transport, changelogTopic: topic, partition, store } = options;
  const end = BigInt((await transport.admin.endOffsets(topic)).get(partition) ?? '0');
  const start = options.from === 'earliest' ? 0n : BigInt(options.from);
  if (start >= end) return { nextOffset: end.toString(), restored: 0 };

  let restored = 0;
  let position = start;
  let writes = Promise.resolve();
  let pending = 0;
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reached = (next: bigint): void => {
    if (next > position) position = next;
    if (position >= end) finish();
  };
  const tail = await transport.tail({
    topic,
    from: new Map([[partition, start.toString()]]),
    readCommitted: options.readCommitted,
    onRecords: async (records: readonly LogRecord[]) => {
      const wanted = records.filter((r) => r.partition === partition && BigInt(r.offset) < end);
      if (wanted.length > 0) {
        // Writes overlap the next fetch; at most two batches wait, so memory stays bounded.
        pending += 1;
        writes = writes
          .then(() =>
            store.putAll(wanted.map((r) => ({ key: r.key?.toString('utf8') ?? '', value: r.value }))),
          )
          .finally(() => (pending -= 1));
        writes.catch(fail);
        // A failed write already went to `fail` above; here it only stops the wait.
        if (pending > 2) await writes.catch(() => undefined);
        restored += wanted.length;
        options.onProgress?.({
          store: store.name,
          partition,
          restored,
          remaining: Number(end - BigInt(wanted[wanted.length - 1]!.offset) - 1n),
        });
      }
      const last = records.filter((r) => r.partition === partition).at(-1);
      if (last) reached(BigInt(last.offset) + 1n);
    },
    onPosition: (p, next) => {
      if (p === partition) reached(BigInt(next));
    },
  });
  try {
    await done;
    await writes;
  } catch (cause) {
    throw new StoreError(`Restoring ${store.name} from ${topic}[${partition}] failed`, { cause });
  } finally {
    await tail.stop();
  }
  return { nextOffset: end.toString(), restored };
}
