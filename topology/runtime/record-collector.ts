import type {
  LogProducer,
  LogTransaction,
  OutgoingRecord,
  TopicPartitionOffset,
  Transport,
} from '../../state/index.js';
import { TransportError } from '../../state/index.js';
import { partitionFor } from '../partitioner.js';

/** Partition counts of output topics, looked up once each. */
export class TopicPartitions {
  private readonly counts = new Map<string, number>();

  constructor(private readonly transport: Transport) {}

  async count(topic: string): Promise<number> {
    const known = this.counts.get(topic);
    if (known !== undefined) return known;
    const count = await this.transport.admin.partitionCount(topic);
    if (count === undefined)
      throw new TransportError(`Output topic ${topic} does not exist`, { context: { topic } });
    this.counts.set(topic, count);
    return count;
  }

  /** The partition Kafka's default partitioner would pick; keyless records are spread round-robin. */
  async partition(topic: string, key: Buffer | null): Promise<number> {
    const count = await this.count(topic);
    if (key !== null) return partitionFor(key, count);
    this.spread = (this.spread + 1) % count;
    return this.spread;
  }

  private spread = 0;
}

/**
 * Buffers a task's outputs (sink records, changelog writes, dead letters) and sends them: with the
 * shared producer under at-least-once, or inside the task's transaction under exactly-once, where
 * the consumed offsets join the same transaction.
 */
export class RecordCollector {
  private buffered: OutgoingRecord[] = [];
  private transaction: LogTransaction | undefined;
  /** Next offset per changelog partition written, learned from acknowledgements. */
  readonly acknowledged = new Map<string, string>();

  constructor(
    private readonly producer: LogProducer,
    readonly transactional: boolean,
    private readonly onSent: (count: number) => void,
  ) {}

  get size(): number {
    return this.buffered.length;
  }

  add(record: OutgoingRecord): void {
    this.buffered.push(record);
  }

  /** Sends what is buffered; under at-least-once resolves once all of it is acknowledged. */
  async send(): Promise<void> {
    if (this.buffered.length === 0) return;
    const records = this.buffered;
    this.buffered = [];
    if (this.transactional) {
      this.transaction ??= await this.producer.transaction();
      await this.transaction.send(records);
    } else {
      const appended = await this.producer.send(records);
      for (const a of appended)
        this.acknowledged.set(`${a.topic}:${a.partition}`, (BigInt(a.offset) + 1n).toString());
    }
    this.onSent(records.length);
  }

  /** Sends the rest and, under exactly-once, commits it with the consumed offsets. */
  async commit(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void> {
    await this.send();
    if (!this.transactional) return;
    if (this.transaction === undefined && offsets.length === 0) return;
    this.transaction ??= await this.producer.transaction();
    const transaction = this.transaction;
    this.transaction = undefined;
    try {
      if (offsets.length > 0) await transaction.sendOffsets(groupId, offsets);
      await transaction.commit();
    } catch (error) {
      // The commit error is what the caller needs; a failed abort adds nothing to it.
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  /** Drops buffered records and aborts an open transaction (a failed task). */
  async abort(): Promise<void> {
    this.buffered = [];
    const transaction = this.transaction;
    this.transaction = undefined;
    await transaction?.abort();
  }
}
