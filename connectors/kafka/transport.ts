// Before kafkajs: it runs with the native CRC-32C and the codec replacements (docs/kafka-codec.md).
import './native-crc.js';
import type { Admin, KafkaMessage, logCreator, Message, Producer, SASLOptions } from 'kafkajs';
import { AssignerProtocol, Kafka, logLevel, Partitioners } from 'kafkajs';
import type {
  AppendResult,
  GroupConsumer,
  GroupConsumerOptions,
  GroupMember,
  LogAdmin,
  LogProducer,
  LogRecord,
  LogTail,
  LogTransaction,
  OutgoingRecord,
  TailOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
  Transport,
} from '../../state/index.js';
import { TransportError } from '../../state/index.js';
import { coPartitionedAssigner } from './assigner.js';
import type { KafkaTransportConfig, KafkaTransportConfigInput } from './config.js';
import { parseKafkaTransportConfig } from './config.js';
import { followFlow } from './adaptive-fetch.js';
import { coalescingCommits } from './offset-commits.js';
import { onBeforeRejoin } from './rejoin-hook.js';
import { openTail } from './tail.js';

const toMessage = (r: OutgoingRecord): Message & { partition: number } => {
  const message: Message & { partition: number } = {
    partition: r.partition,
    key: r.key,
    value: r.value,
    headers: r.headers ?? {},
  };
  if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
  return message;
};

/**
 * The broker refuses a record batch (all records of one partition in one request) above
 * message.max.bytes (1 MB by default), so requests are cut where a partition's share would pass it.
 */
const MAX_PARTITION_BYTES = 768 * 1024;

/** A topic's messages in one produce request, with records and bytes per partition. */
interface ChunkTopic {
  messages: Message[];
  /** Records per partition (for the offsets of the acknowledgement). */
  counts: number[];
  bytes: number[];
}

/** One produce request: messages by topic. */
type Chunk = Map<string, ChunkTopic>;

/** Cuts records into requests, converting each record once (this runs for every record produced). */
function chunks(records: readonly OutgoingRecord[]): Chunk[] {
  const result: Chunk[] = [];
  let current: Chunk = new Map();
  let topic: ChunkTopic | undefined;
  let topicName: string | undefined;
  for (const record of records) {
    const size = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 64;
    // Records come in runs of one topic (a task's outputs, then its changelog), so the last is reused.
    if (topicName !== record.topic || topic === undefined) {
      topicName = record.topic;
      topic = current.get(record.topic);
      if (topic === undefined) current.set(record.topic, (topic = { messages: [], counts: [], bytes: [] }));
    }
    const used = topic.bytes[record.partition] ?? 0;
    if (used + size > MAX_PARTITION_BYTES && topic.messages.length > 0) {
      result.push(current);
      current = new Map([[record.topic, (topic = { messages: [], counts: [], bytes: [] })]]);
    }
    topic.messages.push(toMessage(record));
    topic.counts[record.partition] = (topic.counts[record.partition] ?? 0) + 1;
    topic.bytes[record.partition] = (topic.bytes[record.partition] ?? 0) + size;
  }
  if (current.size > 0) result.push(current);
  return result;
}

const topicMessages = (chunk: Chunk) => [...chunk].map(([topic, { messages }]) => ({ topic, messages }));

function toRecord(topic: string, partition: number, m: KafkaMessage): LogRecord {
  const headers: Record<string, Buffer> = {};
  // for-in rather than Object.entries: no array per record when there are no headers (the usual case).
  for (const name in m.headers) {
    const value = m.headers[name];
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers,
    timestamp: Number(m.timestamp),
  };
}

const offsetsByTopic = (offsets: readonly TopicPartitionOffset[]) => {
  const topics = new Map<string, { partition: number; offset: string }[]>();
  for (const o of offsets) {
    let list = topics.get(o.topic);
    if (list === undefined) topics.set(o.topic, (list = []));
    list.push({ partition: o.partition, offset: o.offset });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
};

function wrap(message: string, cause: unknown, context: Record<string, unknown> = {}): TransportError {
  const retriable = (cause as { retriable?: boolean } | undefined)?.retriable ?? true;
  return new TransportError(`${message}: ${cause instanceof Error ? cause.message : String(cause)}`, {
    cause,
    retriable,
    context,
  });
}

/**
 * Errors of a cluster still settling (leaders being elected for new topics, a broker coming back):
 * kafkajs marks them retriable, or fails with a TypeError inside fetchTopicOffsets when a
 * partition has no leader yet. A topic that exists already is no error for topic creation.
 */
function leadersMoving(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const e = error as { retriable?: boolean; type?: string; errors?: unknown[]; cause?: unknown } | undefined;
  if (e?.retriable === true || e?.type === 'TOPIC_ALREADY_EXISTS') return true;
  // createTopics reports one error per topic (KafkaJSAggregateError).
  if (Array.isArray(e?.errors) && e.errors.length > 0) return e.errors.every(leadersMoving);
  // kafkajs gives up with KafkaJSNumberOfRetriesExceeded, the original error as its cause.
  return e?.cause !== undefined && e.cause !== error && leadersMoving(e.cause);
}

/** Whether the cluster's metadata names a leader for every partition of every one of `topics`. */
async function leadersKnown(admin: Admin, topics: readonly string[]): Promise<boolean> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
  return topics.every((name) => {
    const partitions = found.find((t) => t.name === name)?.partitions ?? [];
    return partitions.length > 0 && partitions.every((p) => p.leader >= 0);
  });
}

/** Errors of a transaction coordinator still completing the previous transaction. */
const TRANSACTION_SETTLING = new Set(['CONCURRENT_TRANSACTIONS', 'COORDINATOR_LOAD_IN_PROGRESS']);

/**
 * The coordinator answers CONCURRENT_TRANSACTIONS while the previous transaction's markers are still
 * being written; the Java client retries it, kafkajs 2.2 does not for the AddOffsetsToTxn inside
 * sendOffsets (a transaction whose first request is the offsets). The transaction stays usable.
 */
async function whileTransactionSettles<T>(attempt: () => Promise<T>, budgetMs = 30_000): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 500)) {
    try {
      return await attempt();
    } catch (error) {
      const type = (error as { type?: string } | undefined)?.type;
      if (type === undefined || !TRANSACTION_SETTLING.has(type) || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

const isRebalancing = (error: unknown): boolean => {
  const type = (error as { type?: string } | undefined)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID'
  );
};

/** Where kafkajs logs go (default: errors only, to the console). */
export interface KafkaLogging {
  logCreator?: logCreator;
  logLevel?: logLevel;
}

/** The transport port over Kafka, with kafkajs. */
export class KafkaTransport implements Transport {
  readonly admin: LogAdmin;
  readonly config: KafkaTransportConfig;
  private readonly kafka: Kafka;
  private adminClient: Admin | undefined;
  private readonly closers = new Set<() => Promise<void>>();

  constructor(config: KafkaTransportConfigInput, logging: KafkaLogging = {}) {
    this.config = parseKafkaTransportConfig(config);
    const { sasl } = this.config;
    this.kafka = new Kafka({
      clientId: this.config.clientId,
      brokers: this.config.brokers,
      ssl: this.config.ssl,
      ...(sasl ? { sasl: sasl as SASLOptions } : {}),
      retry: { retries: this.config.retries },
      logLevel: logging.logLevel ?? logLevel.ERROR,
      ...(logging.logCreator ? { logCreator: logging.logCreator } : {}),
    });
    this.admin = {
      ensureTopics: (specs) => this.ensureTopics(specs),
      partitionCount: (topic) => this.partitionCount(topic),
      endOffsets: (topic) => this.endOffsets(topic),
      deleteTopics: async (topics) => {
        if (topics.length > 0) await (await this.adminClient_()).deleteTopics({ topics: [...topics] });
      },
    };
  }

  async producer(options: { transactionalId?: string } = {}): Promise<LogProducer> {
    const transactional = options.transactionalId !== undefined;
    const producer: Producer = this.kafka.producer({
      ...(transactional
        ? { transactionalId: options.transactionalId, idempotent: true, maxInFlightRequests: 1 }
        : {}),
      allowAutoTopicCreation: false,
      // Every record names its partition (the topology's partitioner); naming kafkajs's default
      // also silences its warning about the partitioner it changed in 2.0.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    try {
      await producer.connect();
    } catch (cause) {
      throw wrap('Cannot connect producer', cause);
    }
    const close = async (): Promise<void> => {
      this.closers.delete(close);
      await producer.disconnect();
    };
    this.closers.add(close);
    return {
      send: async (records): Promise<AppendResult> => {
        try {
          const last = new Map<string, TopicPartitionOffset>();
          // One chunk after the other, so the records of a partition keep their order.
          for (const chunk of chunks(records)) {
            const metadata = await producer.sendBatch({ topicMessages: topicMessages(chunk), acks: -1 });
            for (const m of metadata) {
              const id = `${m.topicName}:${m.partition}`;
              const count = chunk.get(m.topicName)?.counts[m.partition] ?? 1;
              const offset = BigInt(m.baseOffset ?? '0') + BigInt(count) - 1n;
              last.set(id, { topic: m.topicName, partition: m.partition, offset: offset.toString() });
            }
          }
          return [...last.values()];
        } catch (cause) {
          throw wrap('Cannot produce', cause);
        }
      },
      transaction: async (): Promise<LogTransaction> => {
        const transaction = await producer.transaction();
        return {
          send: async (records) => {
            for (const chunk of chunks(records))
              await transaction.sendBatch({ topicMessages: topicMessages(chunk), acks: -1 });
          },
          sendOffsets: (groupId, offsets) =>
            whileTransactionSettles(() =>
              transaction.sendOffsets({ consumerGroupId: groupId, topics: offsetsByTopic(offsets) }),
            ),
          commit: () => transaction.commit(),
          abort: () => transaction.abort(),
        };
      },
      close,
    };
  }

  async groupConsumer(options: GroupConsumerOptions): Promise<GroupConsumer> {
    const { handlers } = options;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: !options.readCommitted,
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: this.config.heartbeatIntervalMs,
      maxBytesPerPartition: this.config.maxBytesPerPartition,
      maxBytes: this.config.maxBytes,
      minBytes: this.config.fetchMinBytes,
      maxWaitTimeInMs: this.config.fetchMaxWaitMs,
      partitionAssigners: [coPartitionedAssigner(options.endpoint)],
      // kafkajs would restart a crashed consumer by itself, under the runtime's feet: its tasks
      // would go on from positions past the committed offsets it rewinds to. Every crash goes to
      // the runtime instead, which tells retriable ones apart and restarts consumer and tasks.
      retry: { retries: this.config.retries, restartOnFailure: async () => false },
    });
    // Fewer, larger fetch rounds while records flow; 1 byte and the idle wait after an empty fetch.
    const endFlow = followFlow(options.groupId, this.config.fetchIdleWaitMs, this.config.fetchAhead);
    let owned: TopicPartition[] = [];
    // Assignment changes are handed to the runtime one after the other, in group-join order.
    let changes = Promise.resolve();
    let changeFailure: unknown;
    // Between the moment a rebalance is seen and the new generation: no batch is started.
    let rejoining = false;
    let stopping = false;
    let active = 0;
    const idle: (() => void)[] = [];
    const batchesDone = (): Promise<void> =>
      active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
    // Before rejoining, while the coordinator still takes this member's commits: the batches in
    // flight end early and the runtime commits what was processed (rejoin-hook.ts says why).
    const beforeRejoin = async (): Promise<void> => {
      const handler = handlers.rebalancing;
      if (stopping || owned.length === 0 || handler === undefined) return;
      rejoining = true;
      await batchesDone();
      await handler.call(handlers, owned);
    };
    let removeHook: (() => void) | undefined;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      rejoining = false;
      removeHook?.();
      removeHook = onBeforeRejoin(payload.memberId, beforeRejoin);
      const next = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      const has = (list: TopicPartition[], tp: TopicPartition) =>
        list.some((o) => o.topic === tp.topic && o.partition === tp.partition);
      const revoked = owned.filter((tp) => !has(next, tp));
      const assigned = next.filter((tp) => !has(owned, tp));
      owned = next;
      changes = changes
        .then(async () => {
          if (revoked.length > 0) await handlers.revoked(revoked);
          if (assigned.length > 0) await handlers.assigned(assigned);
        })
        .catch((error: unknown) => {
          changeFailure = error;
        });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // Not marked retriable here: whether it is lies in the kafkajs error and its causes.
      handlers.failed(
        new TransportError(`Consumer of group ${options.groupId} stopped: ${payload.error.message}`, {
          cause: payload.error,
          context: { groupId: options.groupId },
        }),
      );
    });
    // Offsets are committed here (after a batch, or through commit()) rather than by kafkajs, so
    // that a processor finishing work in the background can hold the commit back while the
    // position moves on. Committed offsets only move forwards.
    const committed = new Map<string, bigint>();
    const owns = (o: TopicPartitionOffset) =>
      owned.some((tp) => tp.topic === o.topic && tp.partition === o.partition);
    // The tasks' commits leave together (offset-commits.ts); a partition revoked while its commit
    // waited is left out of the request.
    const commitOwned = coalescingCommits(async (offsets) => {
      const still = offsets.filter(owns);
      if (still.length === 0) return;
      try {
        await consumer.commitOffsets(still.map((o) => ({ ...o })));
      } catch (cause) {
        throw wrap('Cannot commit offsets', cause, { rebalancing: isRebalancing(cause) });
      }
    });
    const commitOffsets = async (offsets: readonly TopicPartitionOffset[]): Promise<void> => {
      const wanted = offsets.filter(
        (o) => owns(o) && BigInt(o.offset) > (committed.get(`${o.topic}:${o.partition}`) ?? -1n),
      );
      if (wanted.length === 0) return;
      for (const o of wanted) committed.set(`${o.topic}:${o.partition}`, BigInt(o.offset));
      await commitOwned(wanted);
    };
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isRunning, isStale, pause }) => {
          // Assignment handlers report their own failures to the runtime; one that escaped stops here.
          if (changeFailure !== undefined) throw changeFailure;
          // Not resolved, so fetched again by whoever owns the partition next.
          if (stopping || rejoining) return;
          const records = batch.messages.map((m) => toRecord(batch.topic, batch.partition, m));
          let commit: bigint | undefined;
          active += 1;
          try {
            await handlers.batch(records, {
              heartbeat: async () => {
                try {
                  await heartbeat();
                } catch (cause) {
                  throw wrap('Heartbeat refused', cause, { rebalancing: isRebalancing(cause) });
                }
              },
              markProcessed: (next, upTo) => {
                resolveOffset((BigInt(next) - 1n).toString());
                const limit = upTo === undefined ? BigInt(next) : BigInt(upTo);
                commit = limit < BigInt(next) ? limit : BigInt(next);
              },
              isRunning: () => isRunning() && !isStale() && !stopping && !rejoining,
              pause,
              highWatermark: batch.highWatermark,
            });
            if (options.commitOffsets && commit !== undefined && commit >= 0n)
              await commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: commit.toString() },
              ]);
          } catch (error) {
            // kafkajs rejoins the group when it sees its own rebalance error again.
            if (error instanceof TransportError && error.context['rebalancing'] === true) throw error.cause;
            throw error;
          } finally {
            active -= 1;
            if (active === 0) for (const resolve of idle.splice(0)) resolve();
          }
        },
      });
    } catch (cause) {
      removeHook?.();
      endFlow();
      await consumer.disconnect();
      throw wrap(`Cannot join group ${options.groupId}`, cause);
    }
    // A stop lets the batches in flight end early (isRunning turns false), then hands the
    // partitions back before leaving the group, so that their last offsets can still be committed.
    const stop = async (): Promise<void> => {
      this.closers.delete(stop);
      stopping = true;
      removeHook?.();
      if (owned.length > 0) consumer.pause(groupTopics(owned));
      await batchesDone();
      await changes;
      try {
        // Still a member: the tasks commit their last offsets as they close.
        if (owned.length > 0) await handlers.revoked(owned);
      } finally {
        owned = [];
        await consumer.stop();
        await consumer.disconnect();
        endFlow();
      }
    };
    this.closers.add(stop);
    return {
      pause: (tps) => consumer.pause(groupTopics(tps)),
      resume: (tps) => consumer.resume(groupTopics(tps)),
      stop,
      commit: commitOffsets,
    };
  }

  async tail(options: TailOptions): Promise<LogTail> {
    const tail = await openTail(
      {
        kafka: this.kafka,
        clientId: this.config.clientId,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        retries: this.config.retries,
        partitionCount: (topic) => this.partitionCount(topic),
        deleteGroups: async (groupIds) => {
          if (groupIds.length > 0) await (await this.adminClient_()).deleteGroups([...groupIds]);
        },
        toRecord,
      },
      options,
    );
    const stop = async (): Promise<void> => {
      this.closers.delete(stop);
      await tail.stop();
    };
    this.closers.add(stop);
    return { stop };
  }

  async groupMembers(groupId: string): Promise<GroupMember[]> {
    const { groups } = await (await this.adminClient_()).describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((member) => {
      const metadata = member.memberMetadata.length
        ? AssignerProtocol.MemberMetadata.decode(member.memberMetadata)
        : null;
      const assignment = member.memberAssignment.length
        ? AssignerProtocol.MemberAssignment.decode(member.memberAssignment)
        : null;
      const endpoint = metadata?.userData.toString('utf8') ?? '';
      return {
        memberId: member.memberId,
        ...(endpoint === '' ? {} : { endpoint }),
        assignment: Object.entries(assignment?.assignment ?? {}).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      };
    });
  }

  async close(): Promise<void> {
    for (const close of [...this.closers]) await close();
    const admin = this.adminClient;
    this.adminClient = undefined;
    await admin?.disconnect();
  }

  private async adminClient_(): Promise<Admin> {
    if (this.adminClient === undefined) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  /**
   * High watermarks of every partition. Right after a topic is created, or while a broker comes
   * back, the metadata may not list its partitions or their leaders yet, and kafkajs then fails
   * (inside fetchTopicOffsets with a TypeError, or with a retriable protocol error): wait for them,
   * backing off, for up to 30 s.
   */
  private async endOffsets(topic: string): Promise<Map<number, string>> {
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const admin = await this.adminClient_();
        const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
        if ((metadata.topics[0]?.partitions.length ?? 0) > 0) {
          const offsets = await admin.fetchTopicOffsets(topic);
          return new Map(offsets.map((o) => [o.partition, o.high]));
        }
        if (Date.now() > deadline)
          throw new TransportError(`Topic ${topic} has no partitions in the cluster metadata`, {
            retriable: true,
          });
      } catch (cause) {
        if (cause instanceof TransportError) throw cause;
        if (!leadersMoving(cause) || Date.now() > deadline)
          throw wrap(`Cannot read end offsets of ${topic}`, cause);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 1000)));
    }
  }

  /**
   * Creates the topics missing from the cluster. On a busy broker createTopics fails while the
   * new topics' leaders are elected (UNKNOWN_TOPIC_OR_PARTITION), or because another instance made
   * some of them at the same moment: the missing ones are looked up again and created, backing
   * off, for up to 30 s, until the metadata names a leader for every partition of every topic asked
   * for. Other errors (a bad setting, refused permission) fail at once.
   */
  private async ensureTopics(specs: readonly TopicSpec[]): Promise<void> {
    const deadline = Date.now() + 30_000;
    const names = [...new Set(specs.map((s) => s.topic))];
    for (let attempt = 0; ; attempt += 1) {
      const admin = await this.adminClient_();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter(
          (s, i) => !existing.has(s.topic) && specs.findIndex((o) => o.topic === s.topic) === i,
        );
        if (missing.length > 0)
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((s) => ({
              topic: s.topic,
              numPartitions: s.partitions,
              ...(s.compacted ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}),
            })),
          });
        // A topic just made (here or by another instance) can still be missing from the broker's
        // metadata for a moment: the next client to use it would get UNKNOWN_TOPIC_OR_PARTITION and
        // give up after its few retries. So every partition must have a leader before this returns.
        if (await leadersKnown(admin, names)) return;
        if (Date.now() > deadline) throw new Error('some partitions have no leader after 30 s');
      } catch (cause) {
        if (!leadersMoving(cause) || Date.now() > deadline) {
          throw wrap(`Cannot create topics ${names.join(', ')}`, cause);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
    }
  }

  private async partitionCount(topic: string): Promise<number | undefined> {
    const admin = await this.adminClient_();
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0]?.partitions.length;
  }
}

function groupTopics(tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] {
  const topics = new Map<string, number[]>();
  for (const tp of tps) {
    const list = topics.get(tp.topic) ?? [];
    list.push(tp.partition);
    topics.set(tp.topic, list);
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}
