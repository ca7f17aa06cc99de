import { join } from 'node:path';
import type { Logger } from 'pino';
import type { DecodeOptions, FhirResource, NotifyProcessor, OutputTopics } from '../../processors/index.js';
import type { Transport } from '../../state/index.js';
import { createSchemaRegistryCodec } from '../../connectors/index.js';
import { KafkaStreams, parseStreamsConfig } from '../../topology/index.js';
import type { MetricsPort } from '../../state/index.js';
import type { Config } from '../config/index.js';
import type { Metrics } from '../observability/index.js';
import { SubscriptionCatalog } from '../pipeline/catalog.js';
import { buildProcessorTopology, TABLE_SUBSCRIPTIONS, TABLE_TOPICS } from '../pipeline/processor-topology.js';
import { queryEndpoint } from './event-routing.js';

export function outputTopics(config: Config): OutputTopics {
  return {
    'rest-hook': config.TOPIC_NOTIFICATIONS_REST_HOOK,
    message: config.TOPIC_NOTIFICATIONS_MESSAGE,
    kafka: config.TOPIC_NOTIFICATIONS_KAFKA,
  };
}

export function baseUrl(config: Config): string {
  return `${config.ADVERTISED_URL ?? `http://localhost:${config.PORT}`}/fhir`;
}

/** The streams runtime's settings for one application id (the processor's, or a sink's). */
export function streamsConfig(
  config: Config,
  applicationId: string,
  guarantee = config.PROCESSING_GUARANTEE,
  thread = 0,
) {
  return {
    applicationId,
    processingGuarantee: guarantee,
    commitIntervalMs: config.COMMIT_INTERVAL_MS,
    producerSendsInFlight: config.PRODUCER_SENDS_IN_FLIGHT,
    // Kafka Streams splits its cache between threads the same way.
    storeCacheMaxBytes: Math.floor(config.STORE_CACHE_MAX_BYTES / config.PROCESSOR_THREADS),
    storeWriteBufferBytes: config.STORE_WRITE_BUFFER_BYTES,
    storeBlockCacheBytes: config.STORE_BLOCK_CACHE_BYTES,
    // Long batches heartbeat as often as the group's members do between them.
    heartbeatIntervalMs: config.KAFKA_HEARTBEAT_INTERVAL_MS,
    // Each stream thread keeps its task state apart, as a separate instance would: a task that
    // moves between threads of one process is restored from its changelog, never opened twice.
    stateDir:
      thread === 0 ? join(config.DATA_DIR, 'state') : join(config.DATA_DIR, 'state', `thread-${thread}`),
    ...queryEndpoint(config),
  };
}

/** The runtime's restart back-off, which a failed stream thread's replacement waits too. */
export function restartBackoffOf(config: Config): { firstMs: number; maxMs: number } {
  const { restartBackoffMs, restartBackoffMaxMs } = parseStreamsConfig(
    streamsConfig(config, config.APPLICATION_ID),
  );
  return { firstMs: restartBackoffMs, maxMs: restartBackoffMaxMs };
}

export function decodeOptions(config: Config): DecodeOptions {
  return {
    defaultFormat:
      config.CHANGELOG_FORMAT === 'schema-registry' ? 'schema-registry' : config.CHANGELOG_FORMAT,
    maxValueBytes: config.MAX_RECORD_BYTES,
    // Without a registry, framed values are dead-lettered; with one, they decode like JSON changes.
    ...(config.SCHEMA_REGISTRY_URL
      ? {
          schemaRegistry: createSchemaRegistryCodec({
            url: config.SCHEMA_REGISTRY_URL,
            clientId: config.KAFKA_CLIENT_ID,
            ...(config.SCHEMA_REGISTRY_USERNAME ? { username: config.SCHEMA_REGISTRY_USERNAME } : {}),
            ...(config.SCHEMA_REGISTRY_PASSWORD ? { password: config.SCHEMA_REGISTRY_PASSWORD } : {}),
          }),
        }
      : {}),
  };
}

/** One stream thread of the processor: its runtime, the catalog over its tables, its notify stages. */
export interface ProcessorCore {
  readonly streams: KafkaStreams;
  /** The notify stage of each partition this thread runs (filled in by the topology). */
  readonly notifyByPartition: ReadonlyMap<number, NotifyProcessor>;
  catalog(): SubscriptionCatalog;
}

export interface ProcessorCoreOptions {
  config: Config;
  transport: Transport;
  partitions: number;
  metrics: Metrics;
  /** The runtime's metrics over `metrics.registry` (one port per registry: it registers each metric once). */
  metricsPort: MetricsPort;
  logger: Logger;
  /** 0 for the process's own thread; stream threads started beside it count from 1. */
  thread: number;
}

/**
 * Builds the processor (decode → versions → match → notify) for one stream thread, with its own
 * global tables and subscription catalog; `start()` on its streams joins the consumer group.
 */
export function createProcessorCore(o: ProcessorCoreOptions): ProcessorCore {
  const { config, metrics, logger } = o;
  const notifyByPartition = new Map<number, NotifyProcessor>();
  let catalog: SubscriptionCatalog | undefined;
  const topology = buildProcessorTopology({
    topics: {
      changelog: config.TOPIC_CHANGELOG,
      changelogDlq: config.TOPIC_CHANGELOG_DLQ,
      subscriptions: config.TOPIC_SUBSCRIPTIONS,
      subscriptionTopics: config.TOPIC_SUBSCRIPTION_TOPICS,
      outcomes: config.TOPIC_DELIVERY_OUTCOMES,
      output: outputTopics(config),
    },
    partitions: o.partitions,
    // Built on first use: the global tables exist and have caught up before any task starts.
    catalog: () => (catalog ??= startCatalog(streams, logger, metrics)),
    decode: decodeOptions(config),
    versionsRetentionMs: config.VERSIONS_RETENTION_HOURS * 3600_000,
    baseUrl: baseUrl(config),
    eventRetention: {
      maxEvents: config.EVENTS_RETAINED,
      ...(config.EVENTS_RETENTION_HOURS ? { maxAgeMs: config.EVENTS_RETENTION_HOURS * 3600_000 } : {}),
    },
    notifyByPartition,
    metrics,
  });
  const streams = new KafkaStreams({
    topology,
    transport: o.transport,
    config: streamsConfig(config, config.APPLICATION_ID, config.PROCESSING_GUARANTEE, o.thread),
    metrics: o.metricsPort,
    logger: logger.child({ component: 'streams', ...(o.thread > 0 ? { thread: o.thread } : {}) }),
  });
  return {
    streams,
    notifyByPartition,
    catalog: () => (catalog ??= startCatalog(streams, logger, metrics)),
  };
}

function startCatalog(processor: KafkaStreams, logger: Logger, metrics: Metrics): SubscriptionCatalog {
  const subscriptions = processor.table<FhirResource>(TABLE_SUBSCRIPTIONS);
  const topics = processor.table<FhirResource>(TABLE_TOPICS);
  if (!subscriptions || !topics) throw new Error('the subscription tables are not started');
  const catalog = new SubscriptionCatalog(subscriptions, topics, logger.child({ component: 'catalog' }));
  catalog.start();
  // The gauge is recounted at most every 200 ms: a burst of table changes costs one pass.
  let pending: NodeJS.Timeout | undefined;
  const recount = () => {
    pending = undefined;
    metrics.subscriptions.reset();
    for (const [status, n] of catalog.countByStatus()) metrics.subscriptions.set({ status }, n);
  };
  recount();
  catalog.onSubscriptionChange(() => {
    pending ??= setTimeout(recount, 200).unref();
  });
  return catalog;
}
