import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { FhirResource, OutputTopics, SubscriptionStatusRecord } from '../../processors/index.js';
import type { TopicSpec } from '../../state/index.js';
import { codecs, GlobalTable } from '../../state/index.js';
import {
  AmqpSink,
  createDeliveryMetrics,
  HttpSink,
  KafkaExternalSink,
  superviseConnection,
} from '../../connectors/index.js';
import type { ConnectionSupervisor, Sink } from '../../connectors/index.js';
import { KafkaStreams, prometheusMetrics } from '../../topology/index.js';
import type { RunMode } from '../commands/run.js';
import type { Config } from '../config/index.js';
import { buildHttpServer, HttpError } from '../http/index.js';
import type { HttpPorts } from '../http/index.js';
import { kafkaLogging, kafkaTls, topicPlan } from '../kafka/index.js';
import { createMetrics } from '../observability/index.js';
import { buildDeliveryTopology, deliveryOptionsOf } from '../pipeline/delivery-topology.js';
import { STORE_STATUS, TABLE_SUBSCRIPTIONS, TABLE_TOPICS } from '../pipeline/processor-topology.js';
import { TopicDeadLetters } from './dead-letters.js';
import { EventsRouter } from './event-routing.js';
import { ChangelogIntake } from './intake.js';
import { OwnStreamThread } from './own-stream-thread.js';
import { baseUrl, decodeOptions, outputTopics, streamsConfig } from './processor-core.js';
import { SubscriptionRegistry, TopicRegistry } from './registries.js';
import { signingSecrets } from './signing-secrets.js';
import { SubscriptionStatusService } from './status.js';
import { bootStreamThreads, type StreamThreads } from './stream-threads.js';
import {
  type StreamThreadFailure,
  type StreamThreadState,
  threadReplacementsCounter,
} from './thread-supervisor.js';
import type { SpawnStreamThread } from './worker-thread.js';
import { TableWriter } from './table-writer.js';
import { openTransport, saslOf } from './transport.js';

const SINK_MODES = { 'http-sink': 'rest-hook', 'amqp-sink': 'message', 'kafka-sink': 'kafka' } as const;

export interface RunningService {
  readonly url: string;
  /** The streams instances running now: the processor's own thread (its current core), then the sinks'. */
  readonly streams: readonly KafkaStreams[];
  /**
   * Settles when a stream thread failed or exited under STREAM_FAILURE_POLICY=shutdown-client: the
   * service is then stopping itself (as stop() does), and its runner should exit non-zero.
   */
  readonly failed: Promise<StreamThreadFailure>;
  stop(): Promise<void>;
}

export interface StartServiceOptions {
  config: Config;
  mode: RunMode;
  logger: Logger;
  /** Starts the worker of a stream thread (PROCESSOR_THREADS > 1); node:worker_threads by default. */
  spawnStreamThread?: SpawnStreamThread;
}

/** The topics the service reads and writes, made when missing (internal ones come from the runtime). */
function topicSpecs(config: Config): TopicSpec[] {
  // One list of the service's topics: the one `topics create` makes.
  return topicPlan(config).map((t) => ({
    topic: t.topic,
    partitions: t.numPartitions ?? config.PARTITIONS,
    compacted: (t.configEntries ?? []).some((e) => e.name === 'cleanup.policy' && e.value === 'compact'),
  }));
}

/**
 * Starts what a run mode asks for: the processor (decode → versions → match → notify), one or
 * all sinks, and the HTTP API; embedded (one process, durable log in DATA_DIR) without
 * KAFKA_BROKERS, a member of the application's consumer groups with it.
 */
export async function startService({
  config,
  mode,
  logger,
  spawnStreamThread,
}: StartServiceOptions): Promise<RunningService> {
  const metrics = createMetrics();
  const metricsPort = prometheusMetrics(metrics.registry);
  const transport = await openTransport(config, logger);
  await transport.admin.ensureTopics(topicSpecs(config));
  const partitions = (await transport.admin.partitionCount(config.TOPIC_CHANGELOG)) ?? config.PARTITIONS;
  const streamsLogger = logger.child({ component: 'streams' });
  const decode = decodeOptions(config);
  const sinkStreams: KafkaStreams[] = [];
  const supervisors: ConnectionSupervisor[] = [];
  const sinks: Sink[] = [];
  const stoppers: (() => Promise<void>)[] = [];
  const bound = { port: config.PORT };

  let reportFailure!: (failure: StreamThreadFailure) => void;
  const failed = new Promise<StreamThreadFailure>((resolve) => (reportFailure = resolve));
  let own: OwnStreamThread | undefined;
  let threads: StreamThreads | undefined;
  const runProcessor = mode === 'processor' || mode === 'all';
  if (runProcessor) {
    const statusChangelog = `${config.APPLICATION_ID}-${STORE_STATUS}-changelog`;
    const replacements = threadReplacementsCounter(metrics.registry);
    // The HTTP API below reads through `processor`: the core running now, a replacement's once it runs.
    const processor = new OwnStreamThread({
      core: { config, transport, partitions, metrics, metricsPort, logger },
      policy: config.STREAM_FAILURE_POLICY,
      replacements,
      onFatal: reportFailure,
    });
    own = processor;
    await transport.admin.ensureTopics([{ topic: statusChangelog, partitions, compacted: true }]);
    const statusView = new GlobalTable<SubscriptionStatusRecord>({
      name: 'subscription-status-view',
      topic: statusChangelog,
      codec: codecs.json(),
      readCommitted: config.PROCESSING_GUARANTEE === 'exactly_once',
    });
    // The other stream threads join the group beside this one (KafkaStreams' num.stream.threads).
    if (config.PROCESSOR_THREADS > 1) {
      threads = await bootStreamThreads({
        config,
        partitions,
        count: config.PROCESSOR_THREADS - 1,
        logger,
        replacements,
        onFatal: reportFailure,
        ...(spawnStreamThread ? { spawn: spawnStreamThread } : {}),
      });
      stoppers.push(() => threads!.stop());
    }
    try {
      await Promise.all([processor.start(), threads?.start()]);
    } catch (error) {
      // The service is not returned: its threads would otherwise keep the process alive.
      await threads?.stop();
      throw error;
    }
    await statusView.start(transport);
    stoppers.push(() => statusView.stop());
    const producer = await transport.producer();
    stoppers.push(() => producer.close());
    const subscriptionsTable = () => processor.streams.table<FhirResource>(TABLE_SUBSCRIPTIONS);
    const topicsTable = () => processor.streams.table<FhirResource>(TABLE_TOPICS);
    const ports: HttpPorts = {
      subscriptions: new SubscriptionRegistry(
        subscriptionsTable,
        topicsTable,
        new TableWriter(transport, producer, config.TOPIC_SUBSCRIPTIONS, subscriptionsTable),
        (key) => statusView.get(key)?.status,
      ),
      topics: new TopicRegistry(
        topicsTable,
        new TableWriter(transport, producer, config.TOPIC_SUBSCRIPTION_TOPICS, topicsTable),
      ),
      status: new SubscriptionStatusService(
        () => processor.catalog,
        () => statusView,
        baseUrl(config),
        new EventsRouter({
          notifyByPartition: () => processor.core.notifyByPartition,
          partitions,
          ownerTopic: config.TOPIC_DELIVERY_OUTCOMES,
          ownerOf: (topic, key) => processor.streams.ownerOf(topic, key),
          scheme: config.ADVERTISED_URL?.startsWith('https:') ? 'https' : 'http',
          ...(threads ? { siblings: (partition: number) => threads!.eventsSource(partition) } : {}),
        }),
        config.EVENTS_RETAINED,
      ),
      intake: new ChangelogIntake(transport, producer, config.TOPIC_CHANGELOG, decode),
      readiness: { ready: () => processorReadiness(processor, sinkStreams, threads) },
      metrics: {
        contentType: metrics.registry.contentType,
        metrics: () => (threads ? mergedMetrics(metrics.registry, threads) : metrics.registry.metrics()),
      },
      deadLetters: new TopicDeadLetters(transport, producer, {
        changes: config.TOPIC_CHANGELOG_DLQ,
        deliveries: config.TOPIC_DELIVERY_DLQ,
        output: outputTopics(config),
      }),
    };
    stoppers.unshift(
      await listen(
        buildHttpServer({
          ports,
          bodyLimit: config.MAX_RECORD_BYTES * 4,
          adminToken: config.ADMIN_TOKEN,
          logger,
        }),
        config,
        logger,
        bound,
      ),
    );
  }

  for (const [sinkMode, channel] of Object.entries(SINK_MODES) as [
    keyof typeof SINK_MODES,
    keyof OutputTopics,
  ][]) {
    if (mode !== sinkMode && mode !== 'all') continue;
    if (sinkMode === 'kafka-sink' && !config.KAFKA_BROKERS) {
      // Named Kafka channels need a Kafka cluster; their notifications wait in the embedded log.
      logger.info('embedded mode: the Kafka named-channel sink runs only with KAFKA_BROKERS');
      continue;
    }
    const subscriptions = new GlobalTable<FhirResource>({
      name: `${sinkMode}-subscriptions`,
      topic: config.TOPIC_SUBSCRIPTIONS,
      codec: codecs.json(),
      readCommitted: false,
    });
    if (sinkMode === 'http-sink') {
      await subscriptions.start(transport);
      stoppers.push(() => subscriptions.stop());
    }
    const sink = createSink(sinkMode, config, signingSecrets(subscriptions), logger);
    sinks.push(sink);
    supervisors.push(
      superviseConnection(sink, {
        onError: (error: unknown) =>
          logger.warn({ sink: sink.name, error: String(error) }, 'sink not connected'),
      }),
    );
    const streams = new KafkaStreams({
      topology: buildDeliveryTopology({
        input: outputTopics(config)[channel],
        outcomes: config.TOPIC_DELIVERY_OUTCOMES,
        deadLetters: config.TOPIC_DELIVERY_DLQ,
        sink: () => sink,
        delivery: deliveryOptionsOf(config),
        metrics: (task) => createDeliveryMetrics(metrics.registry, { sink: sink.name, task }),
      }),
      transport,
      config: streamsConfig(config, `${config.APPLICATION_ID}-${sinkMode}`, 'at_least_once'),
      metrics: metricsPort,
      logger: streamsLogger.child({ sink: sinkMode }),
    });
    sinkStreams.push(streams);
    await streams.start();
  }

  if (!runProcessor) {
    const ports = opsOnlyPorts(sinkStreams, metrics.registry);
    stoppers.unshift(
      await listen(buildHttpServer({ ports, bodyLimit: 1 << 20, logger }), config, logger, bound),
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const s of stoppers.splice(0, 1)) await s(); // the HTTP server first: no new work
      await Promise.all([own?.stop(), ...sinkStreams.map((s) => s.stop())]);
      for (const supervisor of supervisors) supervisor.stop();
      await Promise.all(sinks.map((s) => s.close()));
      for (const s of stoppers) await s();
      await transport.close();
    })());
  // shutdown-client: a thread that failed or exited stops the whole service, as SIGTERM would.
  void failed.then((failure) => {
    logger.error(
      { thread: failure.thread },
      'stopping the service: a stream thread failed (STREAM_FAILURE_POLICY=shutdown-client)',
    );
    stop().catch((error: unknown) =>
      logger.error({ err: error }, 'stop after a stream thread failure failed'),
    );
  });
  return {
    url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${bound.port}`,
    get streams() {
      return [...(own ? [own.streams] : []), ...sinkStreams];
    },
    failed,
    stop,
  };
}

function createSink(
  mode: keyof typeof SINK_MODES,
  config: Config,
  secretFor: (id: string, tenant?: string) => string | undefined,
  logger: Logger,
): Sink {
  if (mode === 'http-sink') {
    return new HttpSink({
      config: { requestTimeoutMs: config.HTTP_TIMEOUT_MS, endpointAllowlist: config.ENDPOINT_ALLOWLIST },
      secretFor,
    });
  }
  if (mode === 'amqp-sink') return new AmqpSink({ config: { url: config.RABBITMQ_URL } });
  return new KafkaExternalSink({
    config: {
      brokers: config.KAFKA_BROKERS ?? [],
      ssl: kafkaTls(config),
      ...saslOf(config),
    },
    logging: kafkaLogging(config, logger),
  });
}

/** Thread 0 reads as its streams do (`<app> is restarting`), or as a thread while it is replaced. */
function processorReadiness(
  own: OwnStreamThread,
  sinkStreams: readonly KafkaStreams[],
  threads?: StreamThreads,
): { ready: boolean; reason?: string } {
  const replacing = own.replacing;
  return readiness(replacing ? sinkStreams : [own.streams, ...sinkStreams], [
    ...(replacing ? [replacing] : []),
    ...(threads?.states() ?? []),
  ]);
}

function readiness(
  streams: readonly KafkaStreams[],
  threads: readonly StreamThreadState[] = [],
): { ready: boolean; reason?: string } {
  const reasons = streams
    .filter((s) => s.state !== 'running')
    .map((s) => `${s.config.applicationId} is ${s.state}`);
  for (const t of threads) {
    if (t.state !== 'running')
      reasons.push(`stream thread ${t.thread} is ${t.state}${t.error ? `: ${t.error}` : ''}`);
  }
  return reasons.length === 0 ? { ready: true } : { ready: false, reason: reasons.join('; ') };
}

/** The process's metrics with its stream threads' merged in (counters summed, as across cluster workers). */
async function mergedMetrics(registry: Registry, threads: StreamThreads): Promise<string> {
  const all = [await registry.getMetricsAsJSON(), ...(await threads.metrics())];
  return AggregatorRegistry.aggregate(all as Parameters<typeof AggregatorRegistry.aggregate>[0]).metrics();
}

function opsOnlyPorts(
  streams: readonly KafkaStreams[],
  registry: ReturnType<typeof createMetrics>['registry'],
): HttpPorts {
  const none = {
    async get() {
      return undefined;
    },
    async list() {
      return [];
    },
    async put() {
      return {
        ok: false as const,
        status: 409 as const,
        reason: 'this process runs a sink only: use a processor instance',
      };
    },
    async delete() {
      return false;
    },
  };
  return {
    subscriptions: { resourceType: 'Subscription', ...none },
    topics: { resourceType: 'SubscriptionTopic', ...none },
    status: { status: async () => undefined, events: async () => undefined },
    intake: {
      validate: async () => {
        // A client's mistake, not a failure of the server: answered like a refused admin write.
        throw new HttpError(
          409,
          'conflict',
          'this process runs a sink only: send changes to a processor instance',
        );
      },
      submit: async () => undefined,
    },
    readiness: { ready: () => readiness(streams) },
    metrics: { contentType: registry.contentType, metrics: () => registry.metrics() },
  };
}

/** Listens on PORT (0: a port the system picks) and records the port actually bound. */
async function listen(
  server: FastifyInstance,
  config: Config,
  logger: Logger,
  bound: { port: number },
): Promise<() => Promise<void>> {
  await server.listen({ port: config.PORT, host: config.HOST });
  const address = server.server.address();
  bound.port = typeof address === 'object' && address !== null ? address.port : config.PORT;
  logger.info({ port: bound.port, host: config.HOST }, 'HTTP API listening');
  return () => server.close();
}
