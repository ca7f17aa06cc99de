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

/** One send of a lane: records joining it until it starts, then sent as one request. */
interface LaneSend {
  records: OutgoingRecord[];
  /** Settles once the send settled; never rejects (see `failure`). */
  done: Promise<void>;
}

/** The sends of one output topic: one in flight, at most one waiting behind it. */
interface SendLane {
  /** Settles once every send of the lane so far settled. */
  tail: Promise<void>;
  inFlight: LaneSend | undefined;
  /** The send that starts once the one in flight settled; records dispatched meanwhile join it. */
  waiting: LaneSend | undefined;
}

/**
 * Buffers a task's outputs (sink records, changelog writes, dead letters) and sends them: with the
 * shared producer under at-least-once, or inside the task's transaction under exactly-once, where
 * the consumed offsets join the same transaction.
 *
 * Under at-least-once `dispatch` does not wait for acknowledgements, so the task goes on with the
 * next records while they are pending. Each output topic is a lane of its own: its sends run one
 * after the other (each starts once the one before it is acknowledged), so the records of a
 * partition keep their order even when the producer retries; records dispatched while a send is in
 * flight join one send waiting behind it, sent as one request when the lane is free (as Kafka's
 * producer batches while a request is in flight). Lanes do not wait for each other: a commit's
 * large store changelog flush does not hold back the small output records dispatched after it.
 * `dispatch` waits while a lane's waiting send holds `maxQueuedRecords` or more.
 */
export class RecordCollector {
  private buffered: OutgoingRecord[] = [];
  private transaction: LogTransaction | undefined;
  private readonly lanes = new Map<string, SendLane>();
  private failure: unknown;
  /** Next offset per changelog partition written, learned from acknowledgements. */
  readonly acknowledged = new Map<string, string>();

  constructor(
    private readonly producer: LogProducer,
    readonly transactional: boolean,
    private readonly onSent: (count: number) => void,
    private readonly maxQueuedRecords = 2000,
  ) {}

  get size(): number {
    return this.buffered.length;
  }

  add(record: OutgoingRecord): void {
    this.buffered.push(record);
  }

  /**
   * Starts sending what is buffered. Under at-least-once it waits only while a lane has a full
   * send waiting; a failed send is thrown by a later call (and by `acknowledgement`).
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
      // Records come in runs of one topic (a task's outputs, then its changelog writes).
      let from = 0;
      for (let i = 1; i <= records.length; i++) {
        if (i < records.length && records[i]!.topic === records[from]!.topic) continue;
        this.enqueue(
          records[from]!.topic,
          from === 0 && i === records.length ? records : records.slice(from, i),
        );
        from = i;
      }
    }
    for (;;) {
      const full = [...this.lanes.values()].find(
        (lane) => lane.waiting !== undefined && lane.waiting.records.length >= this.maxQueuedRecords,
      );
      if (full === undefined) break;
      // Until the send in flight settled and the waiting one took its place.
      await full.inFlight?.done;
      await Promise.resolve();
    }
    this.throwIfFailed();
  }

  /** Adds records to the lane's waiting send, or makes one: sent now when the lane is free. */
  private enqueue(topic: string, records: OutgoingRecord[]): void {
    let lane = this.lanes.get(topic);
    if (lane === undefined)
      this.lanes.set(topic, (lane = { tail: Promise.resolve(), inFlight: undefined, waiting: undefined }));
    if (lane.waiting !== undefined) {
      for (const record of records) lane.waiting.records.push(record);
      return;
    }
    const send: LaneSend = { records, done: Promise.resolve() };
    const current = lane;
    if (lane.inFlight === undefined) {
      send.done = this.run(current, send);
    } else {
      lane.waiting = send;
      send.done = lane.tail.then(() => {
        current.waiting = undefined;
        return this.run(current, send);
      });
    }
    lane.tail = send.done;
  }

  private async run(lane: SendLane, send: LaneSend): Promise<void> {
    lane.inFlight = send;
    try {
      // After a failure nothing more is sent: it would land before the records that failed.
      if (this.failure !== undefined) return;
      const appended = await this.producer.send(send.records);
      for (const a of appended)
        this.acknowledged.set(`${a.topic}:${a.partition}`, (BigInt(a.offset) + 1n).toString());
      this.onSent(send.records.length);
    } catch (error) {
      this.failure ??= error;
    } finally {
      lane.inFlight = undefined;
    }
  }

  /**
   * Resolves once everything dispatched until now is acknowledged (and whatever joined the same
   * sends; later sends are not waited for); rejects with the failure of a send.
   */
  acknowledgement(): Promise<void> {
    const tails = [...this.lanes.values()].map((lane) => lane.tail);
    return Promise.all(tails).then(() => this.throwIfFailed());
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
