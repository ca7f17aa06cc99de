/**
 * Starting the whole service in-process for end-to-end tests: a configuration with unique topic
 * names, application id and data directory per test, a free port, and cleanup of all of them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { Config, ConfigInput } from '../../app/config/index.js';
import { configSchema } from '../../app/config/index.js';
import type { RunMode } from '../../app/commands/run.js';
import { createLogger } from '../../app/observability/index.js';
import {
  spawnStreamThread,
  startService,
  type RunningService,
  type SpawnStreamThread,
  type StartServiceOptions,
  type ThreadWorker,
} from '../../app/service/index.js';
import { freePort, KAFKA_BROKERS, RABBITMQ_URL, uniqueName } from './infra.js';

export { freePort } from './infra.js';

/** The topic settings of one test: every TOPIC_* unique to it. */
export function uniqueTopics(prefix: string) {
  return {
    TOPIC_CHANGELOG: `${prefix}.changelog`,
    TOPIC_CHANGELOG_DLQ: `${prefix}.changelog.dlq`,
    TOPIC_SUBSCRIPTIONS: `${prefix}.subscriptions`,
    TOPIC_SUBSCRIPTION_TOPICS: `${prefix}.subscription-topics`,
    TOPIC_NOTIFICATIONS_REST_HOOK: `${prefix}.notifications.rest-hook`,
    TOPIC_NOTIFICATIONS_MESSAGE: `${prefix}.notifications.message`,
    TOPIC_NOTIFICATIONS_KAFKA: `${prefix}.notifications.kafka`,
    TOPIC_DELIVERY_OUTCOMES: `${prefix}.delivery-outcomes`,
    TOPIC_DELIVERY_DLQ: `${prefix}.delivery-dlq`,
  };
}

/**
 * One test's deployment: a shared application id and topic names, each instance with its own
 * data directory and port. `kafka: false` runs the embedded mode.
 */
export class ServiceFixture {
  readonly appId = uniqueName('svc');
  readonly services: RunningService[] = [];
  private readonly dirs: string[] = [];

  constructor(
    private readonly options: { kafka: boolean; settings?: Partial<ConfigInput> } = { kafka: true },
  ) {}

  async config(settings: Partial<ConfigInput> = {}): Promise<Config> {
    const dir = await mkdtemp(join(tmpdir(), `${this.appId}-`));
    this.dirs.push(dir);
    return configSchema.parse({
      APPLICATION_ID: this.appId,
      ...(this.options.kafka ? { KAFKA_BROKERS: KAFKA_BROKERS.join(',') } : {}),
      RABBITMQ_URL,
      HOST: '127.0.0.1',
      PORT: await freePort(),
      DATA_DIR: dir,
      PARTITIONS: 2,
      COMMIT_INTERVAL_MS: 200,
      HTTP_TIMEOUT_MS: 2000,
      DELIVERY_MAX_ATTEMPTS: 3,
      ENDPOINT_ALLOWLIST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      ...uniqueTopics(this.appId),
      ...this.options.settings,
      ...settings,
    });
  }

  async start(
    mode: RunMode,
    config: Config,
    options: Pick<StartServiceOptions, 'spawnStreamThread'> = {},
  ): Promise<RunningService> {
    const logger = createLogger(process.env.SUBSTREAM_TEST_LOG ?? config.LOG_LEVEL);
    const service = await startService({ config, mode, logger, ...options });
    this.services.push(service);
    return service;
  }

  /** Stops every service, then removes the data directories and (Kafka mode) this test's topics. */
  async cleanup(): Promise<void> {
    await Promise.all(this.services.splice(0).map((s) => s.stop()));
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
    if (this.options.kafka) await deleteTopicsStartingWith(this.appId);
  }
}

/**
 * Stream threads started as usual, each worker kept: a test terminates one as a crash (an uncaught
 * exception, out of memory) would end it.
 */
export function keptWorkers(): { workers: ThreadWorker[]; spawnStreamThread: SpawnStreamThread } {
  const workers: ThreadWorker[] = [];
  return {
    workers,
    spawnStreamThread: (data) => {
      const worker = spawnStreamThread(data);
      workers.push(worker);
      return worker;
    },
  };
}

export async function deleteTopicsStartingWith(prefix: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'substream-test-cleanup',
    brokers: KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } finally {
    await admin.disconnect();
  }
}

/** A parsed JSON body as tests read it: FHIR resources navigated field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions check the shape
export type Json = any;

/** A JSON request to the service; the body parsed when there is one. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/fhir+json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: the raw text is what the test sees
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** eventsSinceSubscriptionStart of a subscription as its `$status` reports it (R5 or backport shape). */
export function eventsSinceStart(statusBundle: Json): number | undefined {
  const resource = statusBundle?.entry?.[0]?.resource;
  if (resource?.resourceType === 'SubscriptionStatus') {
    const n = resource.eventsSinceSubscriptionStart;
    return n === undefined ? undefined : Number(n);
  }
  const parameter = resource?.parameter?.find((p: Json) => p.name === 'events-since-subscription-start');
  return parameter === undefined ? undefined : Number(parameter.valueString ?? parameter.valueInteger64);
}
