import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  GroupConsumer,
  GroupMember,
  LogProducer,
  LogRecord,
  MetricsPort,
  ReadOnlyTable,
  RestoreProgress,
  TopicPartition,
  TopicSpec,
  Transport,
} from '../../state/index.js';
import { CacheBudget, ConfigError, GlobalTable, noMetrics, SubstreamError } from '../../state/index.js';
import type { SinkNode, SourceNode, SubTopology, Topology } from '../builder.js';
import type { StreamsConfig, StreamsConfigInput } from '../config.js';
import { parseStreamsConfig } from '../config.js';
import { partitionFor } from '../partitioner.js';
import type { Clock } from '../processor.js';
import { systemClock } from '../processor.js';
import { describeFailure, isRecoverable } from './failures.js';
import { RecordCollector, TopicPartitions } from './record-collector.js';
import { RestartBackoff } from './restart-backoff.js';
import { coalescingProducer } from './coalescing-producer.js';
import { StreamTask } from './task.js';
import { TaskStores } from './task-stores.js';

/**
 * Lifecycle:
 *
 *   created ──start()──► starting ──(topics ready, global tables caught up)──► running
 *      │                    │   ▲                                               │  ▲
 *      │       retriable error  └─ restarting ◄──── retriable error ────────────┘  │
 *      │                    │         │  └──────── (back-off, started again) ──────┘
 *      │                    └─────────┴─ other error ──► failed ◄── other error ──┤
 *      └──────────────────────────── stop() ──► stopping ──► stopped ◄────────────┘
 *
 * A retriable error (see failures.ts: the broker went away, a leader or coordinator moved, a
 * request timed out, the member was fenced) does not end the instance: its tasks are closed
 * uncleanly (an open transaction aborted, stores kept or rebuilt as after any unclean stop), the
 * consumer and producer released, and after an exponential back-off everything starts again from
 * the last commit. Global tables keep running across restarts. Only other errors (bad
 * configuration, refused credentials, a processor failing by policy) end in `failed`, and so does
 * a first start still failing after `startTimeoutMs`.
 */
export type StreamsState =
  'created' | 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed';

const STATES: readonly StreamsState[] = [
  'created',
  'starting',
  'running',
  'restarting',
  'stopping',
  'stopped',
  'failed',
];

export interface StreamsLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/**
 * How long a task's commit before a rebalance may take: the group waits for this member's rejoin
 * (kafkajs's rebalance timeout is 60 s), and a commit that cannot finish (the broker gone) must
 * not hold it up for long.
 */
const REBALANCE_COMMIT_LIMIT_MS = 15_000;

/** How long a batch waits for its task to open before its partition is paused (see batch()). */
const TASK_OPEN_WAIT_MS = 1_000;

const TIMED_OUT = Symbol('timed out');

/** What `promise` gives (or its rejection) if it settles within `ms`, else TIMED_OUT. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(resolve, ms, TIMED_OUT)));
  return Promise.race([promise, elapsed]).finally(() => clearTimeout(timer));
}

const silentLogger: StreamsLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface StreamsOptions {
  topology: Topology;
  transport: Transport;
  config: StreamsConfigInput;
  metrics?: MetricsPort;
  clock?: Clock;
  logger?: StreamsLogger;
}

/** Which instance owns which partitions (to route a query about a key to its owner). */
export interface InstanceMetadata {
  memberId: string;
  endpoint: string | undefined;
  partitions: TopicPartition[];
}

export interface KeyOwner {
  topic: string;
  partition: number;
  /** The owner's endpoint, when it declared one. */
  endpoint: string | undefined;
  /** True when this instance owns the partition. */
  local: boolean;
}

/** Runs a topology over a transport: one task per partition and sub-topology. */
export class KafkaStreams {
  readonly config: StreamsConfig;
  private readonly topology: Topology;
  private readonly transport: Transport;
  private readonly metrics: MetricsPort;
  private readonly clock: Clock;
  private readonly logger: StreamsLogger;
  private readonly tables = new Map<string, GlobalTable<unknown>>();
  private readonly tasks = new Map<string, Promise<StreamTask>>();
  /** Tasks restored and ready to process. */
  private readonly ready = new Map<string, StreamTask>();
  /** Tasks being closed: a task is reopened only once its previous incarnation released its stores. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(state: StreamsState, previous: StreamsState) => void>();
  private readonly topicToSub = new Map<string, SubTopology>();
  private readonly topics: TopicPartitions;
  private current: StreamsState = 'created';
  private consumer: GroupConsumer | undefined;
  /** The group consumer for commits outside batches; kept while tasks close during the stop. */
  private committing: GroupConsumer | undefined;
  private sharedProducer: LogProducer | undefined;
  private stopping: Promise<void> | undefined;
  private cancelTicker: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly counters;
  /**
   * Each start of the consumer and tasks is one run; callbacks of an earlier run (its consumer
   * still stopping, its tasks still opening) are told apart by this number and ignored.
   */
  private generation = 0;
  /** The loop starting runs (and restarting after retriable failures), while it is active. */
  private supervising: Promise<void> | undefined;
  /** A failure of the run being started, reported by a callback while the start was under way. */
  private runFailure: unknown;
  private topicsCreated = false;
  /** Exactly once: tasks of a failed run whose last transaction may still be open or completing. */
  private readonly unsettled = new Set<string>();
  private readonly restartBackoff: RestartBackoff;
  private wake: (() => void) | undefined;
  /** The bytes the store caches of this runtime's tasks share. */
  private readonly cacheBudget: CacheBudget;

  constructor(options: StreamsOptions) {
    this.config = parseStreamsConfig(options.config);
    this.topology = options.topology;
    this.transport = options.transport;
    this.metrics = options.metrics ?? noMetrics;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.topics = new TopicPartitions(options.transport);
    this.cacheBudget = new CacheBudget(this.config.storeCacheMaxBytes);
    this.restartBackoff = new RestartBackoff({
      firstMs: this.config.restartBackoffMs,
      maxMs: this.config.restartBackoffMaxMs,
    });
    const m = this.metrics;
    this.counters = {
      consumed: m.counter('substream_records_consumed_total', 'Records consumed', ['task']),
      produced: m.counter(
        'substream_records_produced_total',
        'Records produced (outputs, changelogs, dead letters)',
        ['task'],
      ),
      deadLettered: m.counter(
        'substream_records_dead_lettered_total',
        'Records sent to a dead-letter topic',
        ['stage'],
      ),
      rebalances: m.counter('substream_rebalances_total', 'Partition assignments and revocations', ['kind']),
      lag: m.gauge('substream_consumer_lag', 'Records behind the end of the partition', [
        'topic',
        'partition',
      ]),
      restoring: m.gauge('substream_restore_remaining', 'Changelog records left to restore', [
        'store',
        'partition',
      ]),
      tasks: m.gauge('substream_active_tasks', 'Tasks owned by this instance', []),
      cacheBytes: m.gauge(
        'substream_store_cache_bytes',
        "Bytes the state stores' caches hold (STORE_CACHE_MAX_BYTES bounds them)",
        [],
      ),
      restarts: m.counter(
        'substream_streams_restarts_total',
        'Restarts of a streams instance after a retriable failure',
        ['application'],
      ),
      state: m.gauge('substream_streams_state', 'Lifecycle state of a streams instance (1: current)', [
        'application',
        'state',
      ]),
    };
    this.counters.state.set({ application: this.config.applicationId, state: this.current }, 1);
    for (const sub of this.topology.subTopologies)
      for (const source of sub.sources)
        this.topicToSub.set(this.topology.topicName(this.config.applicationId, source)!, sub);
  }

  get state(): StreamsState {
    return this.current;
  }

  /** Why the instance failed, when it did. */
  get error(): Error | undefined {
    return this.failure;
  }

  onStateChange(listener: (state: StreamsState, previous: StreamsState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  table<V>(name: string): ReadOnlyTable<V> | undefined {
    return this.tables.get(name) as ReadOnlyTable<V> | undefined;
  }

  /** Task ids (`<sub-topology>_<partition>`) owned by this instance. */
  localTasks(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /**
   * Resolves once the instance runs. Retriable failures are retried with back-off for up to
   * `startTimeoutMs`; rejects with the error that ended it in `failed`.
   */
  async start(): Promise<void> {
    if (this.current !== 'created') throw new SubstreamError(`Cannot start: instance is ${this.current}`);
    this.transition('starting');
    this.supervising = this.supervise(undefined, Date.now() + this.config.startTimeoutMs);
    await this.supervising;
    if ((this.current as StreamsState) === 'failed') throw this.failure;
  }

  /** Idempotent; concurrent calls share one promise. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** The members of the group and their partitions. */
  async metadata(): Promise<InstanceMetadata[]> {
    const members: GroupMember[] = await this.transport.groupMembers(this.config.applicationId);
    return members.map((m) => ({ memberId: m.memberId, endpoint: m.endpoint, partitions: m.assignment }));
  }

  /** Where the records of `key` in `topic` are processed. */
  async ownerOf(topic: string, key: string): Promise<KeyOwner> {
    const partition = partitionFor(Buffer.from(key), await this.topics.count(topic));
    const owner = (await this.metadata()).find((m) =>
      m.partitions.some((p) => p.topic === topic && p.partition === partition),
    );
    const sub = this.topicToSub.get(topic);
    const local = sub !== undefined && this.tasks.has(`${sub.id}_${partition}`);
    return { topic, partition, endpoint: owner?.endpoint, local };
  }

  private get exactlyOnce(): boolean {
    return this.config.processingGuarantee === 'exactly_once';
  }

  private transition(next: StreamsState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    for (const state of STATES)
      this.counters.state.set({ application: this.config.applicationId, state }, state === next ? 1 : 0);
    this.logger.info({ from: previous, to: next }, 'streams state changed');
    for (const listener of this.listeners) listener(next, previous);
  }

  /** Repartition, changelog and dead-letter topics, with the partition counts of their inputs. */
  private async createTopics(): Promise<void> {
    const appId = this.config.applicationId;
    const counts = new Map<number, number>();
    const specs: TopicSpec[] = [];
    const issues: { setting: string; message: string }[] = [];
    for (const sub of this.topology.subTopologies) {
      let partitions = 0;
      // External sources first: an internal source fed from this same sub-topology (a repartition
      // that loops back) takes its partition count from them.
      const ordered = [...sub.sources.filter((s) => !s.internal), ...sub.sources.filter((s) => s.internal)];
      for (const source of ordered) {
        const topic = this.topology.topicName(appId, source)!;
        const count = source.internal
          ? (specs.find((s) => s.topic === topic)?.partitions ??
            this.loopbackPartitions(sub, source, partitions))
          : await this.transport.admin.partitionCount(topic);
        if (count === undefined)
          issues.push({
            setting: `topology.${source.name}`,
            message: `source topic ${topic} does not exist`,
          });
        else if (partitions !== 0 && count !== partitions)
          issues.push({
            setting: `topology.${source.name}`,
            message: `${topic} has ${count} partitions, its co-partitioned sources ${partitions}`,
          });
        else partitions = count;
        if (count !== undefined && !source.internal)
          specs.push({ topic: source.deadLetterTopic ?? `${topic}.dlq`, partitions: count });
      }
      counts.set(sub.id, partitions);
      for (const store of sub.stores)
        specs.push({ topic: this.topology.changelogTopic(appId, store), partitions, compacted: true });
      for (const node of sub.nodes) {
        if (node.kind === 'sink' && node.internal)
          specs.push({
            topic: this.topology.topicName(appId, node)!,
            partitions: (node as SinkNode).partitions ?? partitions,
          });
        if (node.kind === 'processor' && node.deadLetterTopic !== undefined)
          specs.push({ topic: node.deadLetterTopic, partitions });
      }
      for (const source of sub.sources.filter((s) => s.internal))
        specs.push({ topic: `${this.topology.topicName(appId, source)!}.dlq`, partitions });
      // Internal sources read topics created above; create them before the next sub-topology counts them.
      await this.transport.admin.ensureTopics(specs);
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }

  /** Partitions of a repartition topic written by a sink of the same sub-topology, if it is one. */
  private loopbackPartitions(sub: SubTopology, source: SourceNode, partitions: number): number | undefined {
    const sink = sub.nodes.find(
      (n): n is SinkNode => n.kind === 'sink' && n.internal && n.topic === source.topic,
    );
    if (sink === undefined || partitions === 0) return undefined;
    return sink.partitions ?? partitions;
  }

  private taskId(tp: TopicPartition): string | undefined {
    const sub = this.topicToSub.get(tp.topic);
    return sub === undefined ? undefined : `${sub.id}_${tp.partition}`;
  }

  /** The tasks of `partitions`, each once (a task reads several topics' same partition). */
  private taskIds(partitions: readonly TopicPartition[]): string[] {
    return [...new Set(partitions.map((tp) => this.taskId(tp)).filter((id) => id !== undefined))];
  }

  private async assigned(partitions: readonly TopicPartition[], generation: number): Promise<void> {
    this.counters.rebalances.inc({ kind: 'assigned' });
    this.logger.info({ partitions }, 'partitions assigned');
    await Promise.all(partitions.map((tp) => this.ensureTask(tp, generation)));
  }

  private async revoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.counters.rebalances.inc({ kind: 'revoked' });
    this.logger.info({ partitions }, 'partitions revoked');
    await Promise.all(this.taskIds(partitions).map((id) => this.closeTask(id, this.current !== 'failed')));
  }

  /**
   * The group is rebalancing and this member is about to rejoin: every task of `partitions` that
   * is running commits now, as a Kafka Streams thread does when its partitions are revoked, so
   * that a partition moving to another member is not processed twice there. Committed at the
   * new generation instead, the offsets would come too late: the next owner may already read
   * from the older ones, and a notify stage would number again the matches it read twice.
   */
  private async rebalancing(partitions: readonly TopicPartition[]): Promise<void> {
    await Promise.all(
      this.taskIds(partitions).map(async (id) => {
        const task = this.ready.get(id);
        if (task === undefined) return; // restoring: nothing processed yet
        try {
          if ((await within(task.commitNow(), REBALANCE_COMMIT_LIMIT_MS)) === TIMED_OUT)
            throw new Error(`not done after ${REBALANCE_COMMIT_LIMIT_MS} ms`);
        } catch (error) {
          // At least once: the next owner reads from the offsets committed before.
          this.logger.warn({ task: id, error: describeFailure(error) }, 'commit before a rebalance failed');
        }
      }),
    );
  }

  private async closeTask(id: string, clean: boolean): Promise<void> {
    const pending = this.tasks.get(id);
    if (pending === undefined) return;
    this.tasks.delete(id);
    this.ready.delete(id);
    this.counters.tasks.set({}, this.tasks.size);
    const closed = (async () => {
      let cleanly = false;
      try {
        await (await pending).close(clean);
        cleanly = clean;
      } finally {
        // At least once, after an unclean close (or a clean one whose commit failed): the stores
        // may hold writes whose outputs were never acknowledged (flushed, then the send failed).
        // Kept, a step that drops what it has seen (versions) would drop those records when they
        // are read again, and their outputs would be lost: the task starts over from its
        // changelog, which holds only acknowledged writes. Exactly once already rebuilds stores
        // that have no clean-close checkpoint.
        if (!cleanly && !this.exactlyOnce) await this.discardLocalState(id);
      }
    })();
    this.closing.set(
      id,
      closed.catch(() => undefined),
    );
    try {
      await closed;
    } catch (error) {
      // A revoked task may have lost its partition already (fenced, or a commit refused): its work
      // is redone by the new owner, so this is reported, not fatal.
      this.logger.warn(
        { task: id, error: error instanceof Error ? error.message : String(error) },
        'task closed uncleanly',
      );
    }
  }

  /** Removes a task's stores and checkpoint (the layout TaskStores.open uses). */
  private async discardLocalState(id: string): Promise<void> {
    await rm(join(this.config.stateDir, this.config.applicationId, id), { recursive: true, force: true });
  }

  private ensureTask(tp: TopicPartition, generation: number): Promise<StreamTask> | undefined {
    const id = this.taskId(tp);
    if (id === undefined) return undefined;
    let task = this.tasks.get(id);
    if (task === undefined) {
      task = this.createTask(id, this.topicToSub.get(tp.topic)!, tp.partition);
      this.tasks.set(id, task);
      this.counters.tasks.set({}, this.tasks.size);
      const created = task;
      created.then(
        (ready) => {
          if (this.tasks.get(id) === created) this.ready.set(id, ready);
        },
        (error: unknown) => {
          if (this.tasks.get(id) === created) this.tasks.delete(id);
          this.fail(error, generation);
        },
      );
    }
    return task;
  }

  private async createTask(id: string, sub: SubTopology, partition: number): Promise<StreamTask> {
    await this.closing.get(id);
    this.closing.delete(id);
    const producer = this.exactlyOnce
      ? await this.transport.producer({ transactionalId: `${this.config.applicationId}-${id}` })
      : this.sharedProducer!;
    const collector = new RecordCollector(producer, this.exactlyOnce, (count) =>
      this.counters.produced.inc({ task: id }, count),
    );
    const stores = await TaskStores.open({
      taskId: id,
      partition,
      storeNames: sub.stores,
      topology: this.topology,
      applicationId: this.config.applicationId,
      stateDir: this.config.stateDir,
      transport: this.transport,
      exactlyOnce: this.exactlyOnce,
      cacheMaxEntries: this.config.cacheMaxEntries,
      cacheBudget: this.cacheBudget,
      leveldb: {
        writeBufferBytes: this.config.storeWriteBufferBytes,
        blockCacheBytes: this.config.storeBlockCacheBytes,
      },
      collector,
      metrics: this.metrics,
      onRestore: (p: RestoreProgress) =>
        this.counters.restoring.set({ store: p.store, partition: p.partition }, p.remaining),
    });
    const task = await StreamTask.create({
      id,
      partition,
      applicationId: this.config.applicationId,
      groupId: this.config.applicationId,
      subTopology: sub,
      topology: this.topology,
      stores,
      tables: this.tables,
      collector,
      topics: this.topics,
      clock: this.clock,
      commitIntervalMs: this.config.commitIntervalMs,
      maxInFlight: this.config.maxInFlight,
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      counters: {
        consumed: (n) => this.counters.consumed.inc({ task: id }, n),
        deadLettered: (stage) => this.counters.deadLettered.inc({ stage }),
      },
      committer: {
        available: () => this.committing?.commit !== undefined,
        commit: (offsets) => this.committing!.commit!(offsets),
      },
    });
    if (this.exactlyOnce) task.onClose(() => producer.close());
    return task;
  }

  private async batch(
    records: readonly LogRecord[],
    control: Parameters<StreamTask['processBatch']>[1],
    generation: number,
  ): Promise<void> {
    if (this.current === 'failed' || this.current === 'stopped' || records.length === 0) return;
    const first = records[0]!;
    const pending = this.ensureTask(first, generation);
    if (pending === undefined) return;
    const id = this.taskId(first)!;
    if (!this.ready.has(id)) {
      // Opening: most tasks are ready within moments (little or nothing to restore). A partition
      // paused now is fetched again only once the fetch after this one returns, and kafkajs, with
      // every partition paused, sleeps the whole fetch wait first: a new instance sat idle on its
      // backlog that long. So the batch waits a little for its task before pausing.
      // A task that fails to open fails the instance (ensureTask); here it only ends the wait.
      await within(
        pending.catch(() => undefined),
        TASK_OPEN_WAIT_MS,
      );
      // The instance may have failed or stopped meanwhile (not narrowed: it changed under the await).
      const state = this.current as StreamsState;
      if (state === 'failed' || state === 'stopped' || !control.isRunning()) return;
    }
    const task = this.ready.get(id);
    if (task === undefined) {
      // Restoring: the partition is paused until its task is ready, so no batch waits on it (the
      // consumer keeps heartbeating between fetches); this batch is fetched again after resume.
      // A task that fails to open fails the instance (see ensureTask), so only success resumes.
      const resume = control.pause();
      void pending.then(resume, () => undefined);
      return;
    }
    try {
      await task.processBatch(records, control);
    } catch (error) {
      if (isRebalanceError(error)) throw error;
      // Failing releases the run in the background: stopping the consumer waits for this very batch.
      this.fail(error, generation);
      return;
    }
    if (control.highWatermark !== undefined) {
      const lag = BigInt(control.highWatermark) - BigInt(records.at(-1)!.offset) - 1n;
      this.counters.lag.set({ topic: first.topic, partition: first.partition }, Number(lag < 0n ? 0n : lag));
    }
    this.counters.cacheBytes.set({}, this.cacheBudget.bytes);
  }

  private punctuate(generation: number): void {
    if (this.current !== 'running' || generation !== this.generation) return;
    const now = this.clock.now();
    for (const pending of this.tasks.values()) {
      void pending
        .then((task) => task.punctuate(now))
        .catch((error: unknown) => this.fail(error, generation));
    }
  }

  /**
   * Starts runs until one is up: after a failed run (`cause`, or one of the attempts) releases it
   * and, when the failure is retriable and `deadline` not passed, waits a back-off and starts
   * again; other failures end the instance.
   */
  private async supervise(cause: unknown, deadline: number): Promise<void> {
    try {
      let failure = cause;
      for (;;) {
        if (failure !== undefined) {
          if (!isRecoverable(failure) || Date.now() > deadline) {
            await this.fatal(failure);
            return;
          }
          const delayMs = this.restartBackoff.next();
          this.counters.restarts.inc({ application: this.config.applicationId });
          this.logger.warn(
            { error: describeFailure(failure), attempt: this.restartBackoff.attempts, delayMs },
            'streams instance restarting after a retriable failure',
          );
          if (this.stopping === undefined) this.transition('restarting');
          await this.releaseRun(false);
          if (this.stopping !== undefined) return;
          await this.sleep(delayMs);
          if (this.stopping !== undefined) return;
        }
        const generation = ++this.generation;
        this.runFailure = undefined;
        try {
          await this.startRun(generation);
          // A callback of this run may have failed it while it was starting.
          failure =
            this.generation === generation
              ? undefined
              : (this.runFailure ??
                new SubstreamError('the run was superseded while it started', { retriable: true }));
        } catch (error) {
          failure = error;
        }
        if (failure === undefined) {
          if (this.stopping !== undefined) return;
          if (this.current === 'restarting')
            this.logger.info({ restarts: this.restartBackoff.attempts }, 'streams instance running again');
          this.restartBackoff.running();
          this.transition('running');
          return;
        }
      }
    } catch (error) {
      // Releasing or ending a run failed unexpectedly: nothing is left to retry with.
      await this.fatal(error);
    } finally {
      this.supervising = undefined;
    }
  }

  /** One run: internal topics, global tables (once), producer, punctuation and the group consumer. */
  private async startRun(generation: number): Promise<void> {
    if (!this.topicsCreated) {
      await this.createTopics();
      this.topicsCreated = true;
    }
    await this.startTables();
    await this.settleTransactions();
    if (!this.exactlyOnce)
      this.sharedProducer = coalescingProducer(
        await this.transport.producer(),
        this.config.producerSendsInFlight,
      );
    this.cancelTicker = this.clock.every(this.config.punctuationIntervalMs, () => this.punctuate(generation));
    const topics = [...this.topicToSub.keys()];
    if (topics.length === 0) return;
    const current = () => generation === this.generation;
    this.consumer = await this.transport.groupConsumer({
      groupId: this.config.applicationId,
      topics,
      readCommitted: this.exactlyOnce,
      commitOffsets: !this.exactlyOnce,
      ...(this.config.endpoint === undefined ? {} : { endpoint: this.config.endpoint }),
      handlers: {
        // A run being released closes its tasks itself; its consumer's late calls change nothing.
        assigned: async (partitions) => (current() ? this.assigned(partitions, generation) : undefined),
        revoked: async (partitions) => (current() ? this.revoked(partitions) : undefined),
        rebalancing: async (partitions) => (current() ? this.rebalancing(partitions) : undefined),
        batch: async (records, control) => (current() ? this.batch(records, control, generation) : undefined),
        failed: (error) => this.fail(error, generation),
      },
    });
    this.committing = this.consumer;
  }

  /**
   * Exactly once, after a failed run: the transactions its tasks left open (their abort failed with
   * the broker) or committing are finished before the group is joined again. Initialising each
   * task's transactional id fences the old producer and waits until the coordinator has completed
   * or aborted its transaction; before that, the group's committed offsets may still be the ones
   * before it, and records would be processed twice.
   */
  private async settleTransactions(): Promise<void> {
    if (!this.exactlyOnce || this.unsettled.size === 0) return;
    await Promise.all(
      [...this.unsettled].map(async (id) => {
        const producer = await this.transport.producer({
          transactionalId: `${this.config.applicationId}-${id}`,
        });
        try {
          await (await producer.transaction()).abort(); // nothing in it: only the initialisation counts
        } finally {
          await producer.close();
        }
        this.unsettled.delete(id);
      }),
    );
  }

  /** Global tables are started once and kept across restarts (their readers reconnect by themselves). */
  private async startTables(): Promise<void> {
    for (const definition of this.topology.globalTables) {
      if (this.tables.has(definition.name)) continue;
      const table = new GlobalTable({
        name: definition.name,
        topic: definition.topic,
        codec: definition.value,
        readCommitted: this.exactlyOnce,
        onDecodeError: (error, record) =>
          this.logger.warn(
            { table: definition.name, offset: record.offset, error: error.message },
            'undecodable table value skipped',
          ),
      });
      this.tables.set(definition.name, table);
      try {
        await table.start(this.transport);
      } catch (error) {
        // Started again by the next run; the start's error is the one to report.
        this.tables.delete(definition.name);
        await table.stop().catch(() => undefined);
        throw error;
      }
    }
  }

  /** Waits, unless stop() cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /**
   * A failure reported by a callback of run `generation` (consumer, task, punctuator). Failures of
   * earlier runs and failures while stopping are only logged: that run is already being released.
   */
  private fail(error: unknown, generation: number): void {
    if (generation !== this.generation || this.current === 'failed' || this.current === 'stopped') return;
    if (this.stopping !== undefined) {
      this.logger.warn({ error: describeFailure(error) }, 'error while stopping');
      return;
    }
    // From here on the run's callbacks are stale: its tasks are closed by the release, not by them.
    this.generation += 1;
    if (this.supervising !== undefined) {
      this.runFailure = error; // the run being started failed: its start reports it
      return;
    }
    // A run that went well for a while starts its back-off over (RestartBackoff.next).
    this.supervising = this.supervise(error, Number.POSITIVE_INFINITY);
  }

  /** Ends the instance in `failed`: a failure waiting does not fix, or a start that ran out of time. */
  private async fatal(error: unknown): Promise<void> {
    if (this.current === 'failed' || this.current === 'stopped') return;
    this.generation += 1;
    this.failure = error instanceof Error ? error : new SubstreamError(String(error));
    this.logger.error({ error: describeFailure(error) }, 'streams instance failed');
    this.transition('failed');
    await this.releaseRun(false);
    await this.stopTables();
  }

  private async shutdown(): Promise<void> {
    this.wake?.();
    await this.supervising;
    if (this.current === 'stopped' || this.current === 'failed') return;
    // Stopped while restarting: the failed run's tasks are closed already, nothing else runs.
    this.transition('stopping');
    await this.releaseRun(true);
    await this.stopTables();
    this.transition('stopped');
  }

  /**
   * Releases the current run: stopping the consumer revokes its partitions (which closes, and on a
   * clean stop commits, their tasks); tasks still open are closed here; then the shared producer.
   */
  private async releaseRun(clean: boolean): Promise<void> {
    // After a failure the run's callbacks are stale: its consumer's revocation must not close tasks
    // cleanly (committing while the broker is away); they are closed uncleanly below.
    if (!clean) this.generation += 1;
    if (!clean && this.exactlyOnce) for (const id of this.tasks.keys()) this.unsettled.add(id);
    this.cancelTicker?.();
    this.cancelTicker = undefined;
    const consumer = this.consumer;
    this.consumer = undefined;
    // A failed run's tasks must not commit through its consumer while they close.
    if (!clean) this.committing = undefined;
    await consumer
      ?.stop()
      .catch((error: unknown) =>
        this.logger.warn({ error: describeFailure(error) }, 'consumer stopped with an error'),
      );
    await Promise.all([...this.tasks.keys()].map((id) => this.closeTask(id, clean)));
    const producer = this.sharedProducer;
    this.sharedProducer = undefined;
    await producer
      ?.close()
      .catch((error: unknown) =>
        this.logger.warn({ error: describeFailure(error) }, 'producer closed with an error'),
      );
  }

  private async stopTables(): Promise<void> {
    // Kept in the map: readers holding them go on seeing their last values.
    for (const table of this.tables.values()) await table.stop();
  }
}

function isRebalanceError(error: unknown): boolean {
  return error instanceof SubstreamError && error.context['rebalancing'] === true;
}
