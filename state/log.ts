/**
 * The transport port: a partitioned, replayable log, as the streams runtime needs it. Kafka
 * (connectors/kafka) and the embedded LevelDB log (topology/) both implement it, with the same
 * partitioning, so one topology runs unchanged on either.
 */

export type Headers = Record<string, Buffer>;

/** A record read from a log partition. Offsets are decimal strings (Kafka offsets are int64). */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

/** A record to append; the partition is always chosen by the caller (see the runtime's partitioner). */
export interface OutgoingRecord {
  topic: string;
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Headers;
  timestamp?: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** `offset` is the next offset to read, as Kafka commits it. */
export interface TopicPartitionOffset extends TopicPartition {
  offset: string;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Compacted topics keep the last value per key (changelogs, tables). */
  compacted?: boolean;
}

export interface LogAdmin {
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(specs: readonly TopicSpec[]): Promise<void>;
  /** Partition count, or undefined when the topic does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** The offset the next record of each partition will get (high watermark). */
  endOffsets(topic: string): Promise<Map<number, string>>;
  deleteTopics(topics: readonly string[]): Promise<void>;
}

/** The offsets of the last record appended per partition by one send. */
export type AppendResult = TopicPartitionOffset[];

export interface LogTransaction {
  send(records: readonly OutgoingRecord[]): Promise<void>;
  /** Commits the consumer group's offsets atomically with the records sent in this transaction. */
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface LogProducer {
  /** Resolves once every record is acknowledged. */
  send(records: readonly OutgoingRecord[]): Promise<AppendResult>;
  /** Only for a producer created with a transactional id. */
  transaction(): Promise<LogTransaction>;
  close(): Promise<void>;
}

/** What a batch handler may do while it works on a batch. */
export interface BatchControl {
  /** Keeps the group membership alive during long work; throws when the group is rebalancing. */
  heartbeat(): Promise<void>;
  /**
   * Everything of this partition before `nextOffset` is done. The position moves past it and,
   * unless offsets go through transactions, the transport commits it (at once or at its commit
   * interval, and always before the partition is given away). `committableOffset`, when lower,
   * caps what is committed while the position still moves on (work finishing in the background).
   */
  markProcessed(nextOffset: string, committableOffset?: string): void;
  isRunning(): boolean;
  /**
   * Stops fetching this partition; records of this batch not marked processed are fetched again
   * after the returned resume function is called.
   */
  pause(): () => void;
  /** The partition's end offset when the batch was fetched (for lag), if the transport knows it. */
  readonly highWatermark?: string;
}

export interface GroupHandlers {
  /** Called before the first batch of newly assigned partitions is handed over. */
  assigned(partitions: readonly TopicPartition[]): Promise<void>;
  /** Called when partitions are taken away; the handler finishes work and commits if it can. */
  revoked(partitions: readonly TopicPartition[]): Promise<void>;
  /**
   * Called before the member rejoins its group (a rebalance), while it still owns `partitions`
   * and may commit for them, with no batch in flight: the handler commits what it processed, so
   * that a partition's next owner does not process it again. It reports its own failures: the
   * member rejoins either way. A transport whose members never rebalance does not call it.
   */
  rebalancing?(partitions: readonly TopicPartition[]): Promise<void>;
  /** Records of one partition, in offset order. Batches of one partition never overlap. */
  batch(records: readonly LogRecord[], control: BatchControl): Promise<void>;
  /** The consumer stopped for good (it will not restart by itself). */
  failed(error: unknown): void;
}

export interface GroupConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Only records of committed transactions are delivered. */
  readCommitted: boolean;
  /** False when offsets are committed inside producer transactions (exactly-once). */
  commitOffsets: boolean;
  /** Where this member can be reached (instance metadata), e.g. "host:port". */
  endpoint?: string;
  handlers: GroupHandlers;
}

export interface GroupConsumer {
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /**
   * Finishes the batches in flight, hands the partitions back through `revoked` while still a
   * member of the group (so the handler can still commit), then leaves the group.
   */
  stop(): Promise<void>;
  /**
   * Commits offsets now, outside any batch: outputs acknowledged in the background, a commit
   * barrier that moved without new input, the last commit of a partition being handed back.
   * Offsets of partitions no longer owned are skipped, and a partition's committed offset never
   * moves backwards. A transport without it commits only through `BatchControl.markProcessed`.
   * Throws a TransportError with context `rebalancing: true` when the group is rebalancing.
   */
  commit?(offsets: readonly TopicPartitionOffset[]): Promise<void>;
}

export interface GroupMember {
  memberId: string;
  endpoint?: string;
  assignment: TopicPartition[];
}

/** Reads partitions without a consumer group (restoration, global tables). */
export interface TailOptions {
  topic: string;
  /** Start offset per partition ("earliest" or a decimal offset). */
  from: ReadonlyMap<number, string>;
  readCommitted: boolean;
  onRecords(records: readonly LogRecord[]): Promise<void>;
  /**
   * The next offset to read of a partition, reported after records were handed over and also when
   * a fetch passed only transaction markers or aborted records (so a reader can tell it caught up).
   */
  onPosition?(partition: number, nextOffset: string): void;
}

export interface LogTail {
  stop(): Promise<void>;
}

export interface Transport {
  readonly admin: LogAdmin;
  producer(options?: { transactionalId?: string }): Promise<LogProducer>;
  groupConsumer(options: GroupConsumerOptions): Promise<GroupConsumer>;
  tail(options: TailOptions): Promise<LogTail>;
  /** The members of a group and what they own (instance metadata). */
  groupMembers(groupId: string): Promise<GroupMember[]>;
  close(): Promise<void>;
}
