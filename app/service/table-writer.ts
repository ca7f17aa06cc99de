import type { LogProducer, ReadOnlyTable, Transport } from '../../state/index.js';
import { partitionFor } from '../../topology/index.js';

/**
 * Writes a compacted table topic (subscriptions, subscription topics) and waits until this
 * instance's replica shows the write, so a read right after a write sees it.
 */
export class TableWriter<V> {
  private partitions: number | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly producer: LogProducer,
    private readonly topic: string,
    private readonly table: () => ReadOnlyTable<V> | undefined,
    private readonly waitMs = 10_000,
  ) {}

  async write(key: string, value: V | null): Promise<void> {
    this.partitions ??= (await this.transport.admin.partitionCount(this.topic)) ?? 1;
    const keyBytes = Buffer.from(key);
    await this.producer.send([
      {
        topic: this.topic,
        partition: partitionFor(keyBytes, this.partitions),
        key: keyBytes,
        value: value === null ? null : Buffer.from(JSON.stringify(value)),
      },
    ]);
    await this.visible(key, value);
  }

  private async visible(key: string, value: V | null): Promise<void> {
    const expected = value === null ? undefined : JSON.stringify(value);
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      const current = this.table()?.get(key);
      if ((current === undefined ? undefined : JSON.stringify(current)) === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
