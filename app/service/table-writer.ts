import type { LogProducer, OutgoingRecord, ReadOnlyTable, Transport } from '../../state/index.js';
import { partitionFor } from '../../topology/index.js';

interface PendingWrite {
  record: OutgoingRecord;
  resolve(): void;
  reject(error: unknown): void;
}

interface Waiter {
  expected: string | undefined;
  resolve(): void;
}

/**
 * Writes a compacted table topic (subscriptions, subscription topics) and waits until this
 * instance's replica shows the write, so a read right after a write sees it.
 *
 * Concurrent writes are batched: while one producer send is in flight, the writes arriving meanwhile
 * queue up and go out together in the next send (a flood of admin writes costs one acknowledged
 * round trip per batch, not per request). Each caller still gets its own outcome: when a batch
 * fails, its records are sent again one by one, so only the failing write reports the error.
 * Visibility is followed through the table's change listener rather than by polling.
 */
export class TableWriter<V> {
  private partitions: number | undefined;
  private queue: PendingWrite[] = [];
  private sending = false;
  private readonly waiters = new Map<string, Waiter[]>();
  private listening: ReadOnlyTable<V> | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly producer: LogProducer,
    private readonly topic: string,
    private readonly table: () => ReadOnlyTable<V> | undefined,
    private readonly waitMs = 10_000,
    /** Most records in one producer send. */
    private readonly maxBatch = 500,
  ) {}

  async write(key: string, value: V | null): Promise<void> {
    this.partitions ??= (await this.transport.admin.partitionCount(this.topic)) ?? 1;
    const keyBytes = Buffer.from(key);
    const expected = value === null ? undefined : JSON.stringify(value);
    // Listen before sending: the replica may show the write before the send resolves.
    const visible = this.visible(key, expected);
    await new Promise<void>((resolve, reject) => {
      this.queue.push({
        record: {
          topic: this.topic,
          partition: partitionFor(keyBytes, this.partitions!),
          key: keyBytes,
          value: expected === undefined ? null : Buffer.from(expected),
        },
        resolve,
        reject,
      });
      if (!this.sending) void this.drain();
    }).catch((error: unknown) => {
      visible.cancel();
      throw error;
    });
    await visible.done;
  }

  /** Sends the queue batch after batch until it is empty; one drain runs at a time. */
  private async drain(): Promise<void> {
    this.sending = true;
    try {
      // Let the writes of this turn of the event loop join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.send(batch);
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(batch: PendingWrite[]): Promise<void> {
    try {
      await this.producer.send(batch.map((w) => w.record));
      for (const w of batch) w.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
    }
    // One record may have failed the whole batch: each gets its own answer.
    for (const w of batch) {
      try {
        await this.producer.send([w.record]);
        w.resolve();
      } catch (error) {
        w.reject(error);
      }
    }
  }

  private visible(key: string, expected: string | undefined): { done: Promise<void>; cancel(): void } {
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    const remove = () => {
      clearTimeout(timer);
      const list = this.waiters.get(key);
      const at = waiter && list ? list.indexOf(waiter) : -1;
      if (at >= 0) list!.splice(at, 1);
      if (list?.length === 0) this.waiters.delete(key);
    };
    const done = new Promise<void>((resolve) => {
      const table = this.listen();
      const current = table?.get(key);
      if ((current === undefined ? undefined : JSON.stringify(current)) === expected) {
        resolve();
        return;
      }
      waiter = {
        expected,
        resolve: () => {
          remove();
          resolve();
        },
      };
      let list = this.waiters.get(key);
      if (!list) this.waiters.set(key, (list = []));
      list.push(waiter);
      // As before: past the wait, the write is acknowledged even if the replica lags behind.
      timer = setTimeout(waiter.resolve, this.waitMs);
      timer.unref();
    });
    return { done, cancel: remove };
  }

  private listen(): ReadOnlyTable<V> | undefined {
    const table = this.table();
    if (table && this.listening !== table) {
      this.listening = table;
      table.onChange((change) => {
        const list = this.waiters.get(change.key);
        if (!list) return;
        const shown = change.value === null ? undefined : JSON.stringify(change.value);
        for (const w of [...list]) if (w.expected === shown) w.resolve();
      });
    }
    return table;
  }
}
