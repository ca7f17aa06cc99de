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

  /** The partition of a keyed record when the topic's partition count is known already (no await per record). */
  knownPartition(topic: string, key: Buffer | null): number | undefined {
    if (key === null) return undefined;
    const count = this.counts.get(topic);
    return count === undefined ? undefined : partitionFor(key, count);
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
 *
 * Under at-least-once `dispatch` does not wait for acknowledgements, so the task goes on with the
 * next records while they are pending. Sends run one after the other (each starts once the one
 * before it is acknowledged), so the records of a partition keep their order even when the
 * producer retries, and at most `maxPendingSends` wait behind the one in flight.
 */
export class RecordCollector {
  private buffered: OutgoingRecord[] = [];
  private transaction: LogTransaction | undefined;
  /** Settles once every send dispatched so far settled; never rejects (see `failure`). */
  private tail: Promise<void> = Promise.resolve();
  private pendingSends: Promise<void>[] = [];
  private failure: unknown;
  /** Next offset per changelog partition written, learned from acknowledgements. */
  readonly acknowledged = new Map<string, string>();

  constructor(
    private readonly producer: LogProducer,
    readonly transactional: boolean,
    private readonly onSent: (count: number) => void,
    private readonly maxPendingSends = 2,
  ) {}

  get size(): number {
    return this.buffered.length;
  }

  add(record: OutgoingRecord): void {
    this.buffered.push(record);
  }

  /**
   * Starts sending what is buffered. Under at-least-once it waits only while too many sends are
   * pending; a failed send is thrown by a later call (and by `acknowledgement`).
   */
  async dispatch(): Promise<void> {
    this.throwIfFailed();
    if (this.buffered.length > 0) {
      const records = this.buffered;
      this.buffered = [];
      if (this.transactional) {
        this.transaction ??= await this.producer.transaction();
        await this.transaction.send(records);
        this.onSent(records.length);
        return;
      }
      const previous = this.tail;
      const sent = previous.then(async () => {
        // After a failure nothing more is sent: it would land before the records that failed.
        if (this.failure !== undefined) return;
        try {
          const appended = await this.producer.send(records);
          for (const a of appended)
            this.acknowledged.set(`${a.topic}:${a.partition}`, (BigInt(a.offset) + 1n).toString());
          this.onSent(records.length);
        } catch (error) {
          this.failure ??= error;
        }
      });
      this.tail = sent;
      this.pendingSends.push(sent);
      void sent.then(() => this.pendingSends.splice(this.pendingSends.indexOf(sent), 1));
    }
    while (this.pendingSends.length > this.maxPendingSends) await this.pendingSends[0];
    this.throwIfFailed();
  }

  /**
   * Resolves once everything dispatched until now is acknowledged (later sends are not waited
   * for); rejects with the failure of a send.
   */
  acknowledgement(): Promise<void> {
    return this.tail.then(() => this.throwIfFailed());
  }

  /** Sends what is buffered; under at-least-once resolves once all of it is acknowledged. */
  async send(): Promise<void> {
    await this.dispatch();
    await this.acknowledgement();
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

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
