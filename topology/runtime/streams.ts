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
import { ConfigError, GlobalTable, noMetrics, SubstreamError } from '../../state/index.js';
import type { SinkNode, SourceNode, SubTopology, Topology } from '../builder.js';
import type { StreamsConfig, StreamsConfigInput } from '../config.js';
import { parseStreamsConfig } from '../config.js';
import { partitionFor } from '../partitioner.js';
import type { Clock } from '../processor.js';
import { systemClock } from '../processor.js';
import { RecordCollector, TopicPartitions } from './record-collector.js';
import { StreamTask } from './task.js';
import { TaskStores } from './task-stores.js';

/**
 * Lifecycle:
 *
 *   created ──start()──► starting ──(topics ready, global tables caught up)──► running
 *      │                    │                                                   │
 *      │                    └──────────────── error ──► failed ◄──── error ─────┤
 *      └──────────────────────────── stop() ──► stopping ──► stopped ◄──────────┘
 */
export type StreamsState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface StreamsLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
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
  private sharedProducer: LogProducer | undefined;
  private stopping: Promise<void> | undefined;
  private cancelTicker: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly counters;

  constructor(options: StreamsOptions) {
    this.config = parseStreamsConfig(options.config);
    this.topology = options.topology;
    this.transport = options.transport;
    this.metrics = options.metrics ?? noMetrics;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.topics = new TopicPartitions(options.transport);
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
    };
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

  async start(): Promise<void> {
    if (this.current !== 'created') throw new SubstreamError(`Cannot start: instance is ${this.current}`);
    this.transition('starting');
    try {
      await this.createTopics();
      for (const definition of this.topology.globalTables) {
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
        await table.start(this.transport);
      }
      if (!this.exactlyOnce) this.sharedProducer = await this.transport.producer();
      this.cancelTicker = this.clock.every(this.config.punctuationIntervalMs, () => this.punctuate());
      const topics = [...this.topicToSub.keys()];
      if (topics.length > 0) {
        this.consumer = await this.transport.groupConsumer({
          groupId: this.config.applicationId,
          topics,
          readCommitted: this.exactlyOnce,
          commitOffsets: !this.exactlyOnce,
          ...(this.config.endpoint === undefined ? {} : { endpoint: this.config.endpoint }),
          handlers: {
            assigned: (partitions) => this.assigned(partitions),
            revoked: (partitions) => this.revoked(partitions),
            batch: (records, control) => this.batch(records, control),
            failed: (error) => void this.fail(error),
          },
        });
      }
      if ((this.current as StreamsState) === 'starting') this.transition('running');
    } catch (error) {
      await this.fail(error);
      throw error;
    }
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

  private async assigned(partitions: readonly TopicPartition[]): Promise<void> {
    this.counters.rebalances.inc({ kind: 'assigned' });
    this.logger.info({ partitions }, 'partitions assigned');
    await Promise.all(partitions.map((tp) => this.ensureTask(tp)));
  }

  private async revoked(partitions: readonly TopicPartition[]): Promise<void> {
    this.counters.rebalances.inc({ kind: 'revoked' });
    this.logger.info({ partitions }, 'partitions revoked');
    const ids = new Set(
      partitions.map((tp) => this.taskId(tp)).filter((id): id is string => id !== undefined),
    );
    await Promise.all([...ids].map((id) => this.closeTask(id, this.current !== 'failed')));
  }

  private async closeTask(id: string, clean: boolean): Promise<void> {
    const pending = this.tasks.get(id);
    if (pending === undefined) return;
    this.tasks.delete(id);
    this.ready.delete(id);
    this.counters.tasks.set({}, this.tasks.size);
    const closed = (async () => (await pending).close(clean))();
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

  private ensureTask(tp: TopicPartition): Promise<StreamTask> | undefined {
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
          void this.fail(error);
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
    });
    if (this.exactlyOnce) task.onClose(() => producer.close());
    return task;
  }

  private async batch(
    records: readonly LogRecord[],
    control: Parameters<StreamTask['processBatch']>[1],
  ): Promise<void> {
    if (this.current === 'failed' || this.current === 'stopped' || records.length === 0) return;
    const first = records[0]!;
    const pending = this.ensureTask(first);
    if (pending === undefined) return;
    const task = this.ready.get(this.taskId(first)!);
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
      // Not awaited: failing stops the consumer, which waits for this very batch to return.
      void this.fail(error);
      return;
    }
    if (control.highWatermark !== undefined) {
      const lag = BigInt(control.highWatermark) - BigInt(records.at(-1)!.offset) - 1n;
      this.counters.lag.set({ topic: first.topic, partition: first.partition }, Number(lag < 0n ? 0n : lag));
    }
  }

  private punctuate(): void {
    if (this.current !== 'running') return;
    const now = this.clock.now();
    for (const pending of this.tasks.values()) {
      void pending.then((task) => task.punctuate(now)).catch((error: unknown) => this.fail(error));
    }
  }

  private async fail(error: unknown): Promise<void> {
    if (this.current === 'failed' || this.current === 'stopped') return;
    this.failure = error instanceof Error ? error : new SubstreamError(String(error));
    this.logger.error({ error: this.failure.message }, 'streams instance failed');
    this.transition('failed');
    await this.release(false);
  }

  private async shutdown(): Promise<void> {
    if (this.current === 'stopped') return;
    const failed = this.current === 'failed';
    if (!failed) this.transition('stopping');
    await this.release(!failed);
    if (!failed) this.transition('stopped');
  }

  private releasing: Promise<void> | undefined;

  private release(clean: boolean): Promise<void> {
    this.releasing ??= (async () => {
      this.cancelTicker?.();
      const consumer = this.consumer;
      this.consumer = undefined;
      // Stopping the consumer revokes its partitions, which closes (and commits) their tasks.
      await consumer
        ?.stop()
        .catch((error: unknown) =>
          this.logger.warn(
            { error: error instanceof Error ? error.message : String(error) },
            'consumer stopped with an error',
          ),
        );
      await Promise.all([...this.tasks.keys()].map((id) => this.closeTask(id, clean)));
      for (const table of this.tables.values()) await table.stop();
      await this.sharedProducer?.close();
    })();
    return this.releasing;
  }
}

function isRebalanceError(error: unknown): boolean {
  return error instanceof SubstreamError && error.context['rebalancing'] === true;
}
