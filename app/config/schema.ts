import { z } from 'zod';

/**
 * The service's configuration, one setting per environment variable (the same names are accepted
 * in the optional CONFIG_FILE). Descriptions feed the README's configuration reference.
 */
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0));

const topic = (name: string, what: string) => z.string().min(1).default(name).describe(what);

export const configSchema = z.object({
  PORT: int(0, 65535)
    .default(8080)
    .describe('HTTP port of the admin API, ingest, metrics and health endpoints.'),
  HOST: z.string().default('0.0.0.0').describe('Address the HTTP server listens on.'),
  DATA_DIR: z
    .string()
    .default('./data')
    .describe('Where state stores (and, in embedded mode, the durable log) are kept.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Minimum level of the JSON logs.'),
  ADVERTISED_URL: z
    .string()
    .url()
    .optional()
    .describe(
      'This instance’s base URL as other instances reach it (`$events` requests are routed to the instance holding the subscription; default http://HOST:PORT, 127.0.0.1 for 0.0.0.0).',
    ),
  APPLICATION_ID: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/)
    .default('substream')
    .describe('Consumer group id and prefix of internal topics; instances with the same id share the work.'),

  KAFKA_BROKERS: list
    .optional()
    .describe('Comma-separated bootstrap brokers. Unset: embedded mode (no Kafka, in-process durable log).'),
  KAFKA_CLIENT_ID: z.string().default('substream').describe('Kafka client id.'),
  KAFKA_SASL_MECHANISM: z
    .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
    .optional()
    .describe('SASL mechanism; needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD.'),
  KAFKA_SASL_USERNAME: z.string().optional().describe('SASL user name.'),
  KAFKA_SASL_PASSWORD: z.string().optional().describe('SASL password (never logged).'),
  KAFKA_SSL: bool.default(false).describe('Connect to Kafka over TLS.'),
  KAFKA_SSL_CA: z.string().optional().describe('Path of a PEM file with the CA certificates to trust.'),
  KAFKA_SSL_CERT: z.string().optional().describe('Path of the client certificate (PEM) for mutual TLS.'),
  KAFKA_SSL_KEY: z.string().optional().describe('Path of the client key (PEM) for mutual TLS.'),
  KAFKA_SSL_REJECT_UNAUTHORIZED: bool
    .default(true)
    .describe('Refuse brokers whose certificate does not verify.'),
  KAFKA_FETCH_MIN_BYTES: int(1, 52_428_800)
    .default(65_536)
    .describe(
      'Bytes a processing or sink fetch waits for (at most KAFKA_FETCH_MAX_WAIT_MS) while records flow: fewer, larger fetch rounds, each with its own produce request and broker work. 1 answers every fetch at once.',
    ),
  KAFKA_FETCH_MAX_WAIT_MS: int(1, 30_000)
    .default(5)
    .describe(
      'Longest the broker holds a processing or sink fetch that has less than KAFKA_FETCH_MIN_BYTES while records flow.',
    ),
  KAFKA_FETCH_IDLE_WAIT_MS: int(1, 30_000)
    .default(500)
    .describe(
      'After a fetch that returned no records, the next asks for 1 byte and the broker holds it this long: an idle consumer sleeps in the broker, and the first record after a quiet spell is answered at once. Also how long a partition resumed after its task restored, or a stopping consumer, may wait for the fetch in flight.',
    ),
  KAFKA_FETCH_AHEAD: bool
    .default(true)
    .describe(
      'When a fetch of a processing or sink consumer leaves records behind (a backlog), the next fetch is sent at once, so its answer arrives while those records are processed instead of after: a processor draining a backlog otherwise waits on its fetches a fifth of its time. A consumer that keeps up fetches as before.',
    ),
  KAFKA_SESSION_TIMEOUT_MS: int(1_000, 3_600_000)
    .default(30_000)
    .describe(
      'How long the consumer groups wait for a member that has gone silent (a crashed or frozen instance) before its partitions move to the others. Lower means faster failover and more rebalances on a slow machine; the broker bounds it (group.min.session.timeout.ms, 6 s by default).',
    ),
  KAFKA_HEARTBEAT_INTERVAL_MS: int(100, 600_000)
    .default(3_000)
    .describe(
      'How often members tell the group they are alive, also during long batches; at most a third of KAFKA_SESSION_TIMEOUT_MS.',
    ),

  PROCESSING_GUARANTEE: z
    .enum(['at_least_once', 'exactly_once'])
    .default('at_least_once')
    .describe('at_least_once, or exactly_once into Kafka output topics (transactions).'),
  PROCESSOR_THREADS: int(1, 64)
    .default(1)
    .describe(
      'Stream threads of a processor instance (Kafka mode): each a member of the consumer group with its own tasks, so one instance uses that many cores.',
    ),
  STREAM_FAILURE_POLICY: z
    .enum(['replace-thread', 'shutdown-client'])
    .default('replace-thread')
    .describe(
      'What a processor does when one of its stream threads fails (a non-retriable error) or its worker exits: replace-thread starts a new one in its place after a back-off (0.5 s doubling to 10 s); shutdown-client stops the instance and exits non-zero, for an orchestrator to restart it.',
    ),
  COMMIT_INTERVAL_MS: int(10, 600_000)
    .default(1000)
    .describe('How often offsets and checkpoints are committed.'),
  PRODUCER_SENDS_IN_FLIGHT: int(1, 5)
    .default(2)
    .describe(
      "At-least-once: joined produce requests a stream thread keeps in flight at once (its tasks' outputs and changelog writes, joined). With 1, every output waits behind a store flush's changelog writes being acknowledged; each task's records keep their order either way.",
    ),
  STORE_CACHE_MAX_BYTES: int(0, 17_179_869_184)
    .default(268_435_456)
    .describe(
      "Memory of a processor instance's state store caches (entries recently written or read, kept in front of LevelDB), shared by all its tasks and split evenly between its stream threads; 0 keeps none. Without a bound by bytes they grew with the partitions owned.",
    ),
  STORE_WRITE_BUFFER_BYTES: int(65_536, 1_073_741_824)
    .default(1_048_576)
    .describe(
      'LevelDB memtable of each state store: bytes written before they go to a table file. A processor holds one per store (3) per changelog partition it owns.',
    ),
  STORE_BLOCK_CACHE_BYTES: int(65_536, 1_073_741_824)
    .default(1_048_576)
    .describe(
      "LevelDB block cache of each state store, one per store per partition owned. Reads reach LevelDB only after the store's own cache of recent entries missed.",
    ),
  PARTITIONS: int(1, 10_000).default(6).describe('Partitions of the topics `substream topics create` makes.'),
  REPLICATION_FACTOR: int(1, 10).default(1).describe('Replication factor of the topics it makes.'),

  TOPIC_CHANGELOG: topic(
    'fhir.changelog',
    'Resource changes in (ChangeEvent, Firely, Smile or registry-framed).',
  ),
  TOPIC_CHANGELOG_DLQ: topic('fhir.changelog.dlq', 'Dead letters of changes that could not be decoded.'),
  TOPIC_SUBSCRIPTIONS: topic('fhir.subscriptions', 'Compacted Subscription table.'),
  TOPIC_SUBSCRIPTION_TOPICS: topic('fhir.subscription-topics', 'Compacted SubscriptionTopic table.'),
  TOPIC_NOTIFICATIONS_REST_HOOK: topic(
    'fhir.notifications.rest-hook',
    'Notifications for rest-hook channels.',
  ),
  TOPIC_NOTIFICATIONS_MESSAGE: topic(
    'fhir.notifications.message',
    'Notifications for message (AMQP) channels.',
  ),
  TOPIC_NOTIFICATIONS_KAFKA: topic('fhir.notifications.kafka', 'Notifications for named Kafka channels.'),
  TOPIC_DELIVERY_OUTCOMES: topic('substream-delivery-outcomes', 'Delivery outcomes the sinks report back.'),
  TOPIC_DELIVERY_DLQ: topic('substream-delivery-dlq', 'Notifications that could not be delivered.'),
  CHANGELOG_FORMAT: z
    .enum(['auto', 'canonical', 'firely', 'smile', 'schema-registry'])
    .default('auto')
    .describe('Format of the changelog topic: detected per record (auto) or fixed.'),
  MAX_RECORD_BYTES: int(1024, 64 * 1024 * 1024)
    .default(4 * 1024 * 1024)
    .describe('Largest change accepted; larger ones are dead-lettered.'),
  EMBEDDED_LOG_RETENTION_HOURS: int(1, 100_000)
    .default(24 * 7)
    .describe(
      'Embedded mode: records of non-compacted topics older than this are removed once every reader has passed them (compacted topics keep the latest value per key).',
    ),
  EVENTS_RETAINED: int(0, 100_000)
    .default(100)
    .describe('Last events kept per subscription for `$events` (0: none).'),
  EVENTS_RETENTION_HOURS: int(1, 100_000)
    .optional()
    .describe('Retained events older than this are dropped too (unset: only EVENTS_RETAINED bounds them).'),
  VERSIONS_RETENTION_HOURS: int(1, 100_000)
    .default(24 * 30)
    .describe('How long the last version of a resource is kept for %previous and deletes.'),

  SCHEMA_REGISTRY_URL: z.string().url().optional().describe('Confluent-compatible schema registry base URL.'),
  SCHEMA_REGISTRY_USERNAME: z.string().optional().describe('Schema registry basic-auth user.'),
  SCHEMA_REGISTRY_PASSWORD: z
    .string()
    .optional()
    .describe('Schema registry basic-auth password (never logged).'),

  RABBITMQ_URL: z
    .string()
    .regex(/^amqps?:\/\//, 'must start with amqp:// or amqps://')
    .default('amqp://guest:guest@127.0.0.1:5672')
    .describe('Broker that `channel:queue` message endpoints resolve against.'),
  ENDPOINT_ALLOWLIST: list
    .default([])
    .describe('Hosts or CIDRs rest-hook endpoints may resolve to even when private or loopback.'),
  HTTP_TIMEOUT_MS: int(100, 600_000).default(10_000).describe('Timeout of one rest-hook delivery attempt.'),
  DELIVERY_MAX_ATTEMPTS: int(1, 1000)
    .optional()
    .describe(
      'Attempts before a notification is dead-lettered when its subscription sets none (Medplum max-attempts); unset: only DELIVERY_MAX_RETRY_DURATION_MS limits retries. Circuit-open rejections are not attempts.',
    ),
  DELIVERY_MAX_RETRY_DURATION_MS: int(1_000, 30 * 24 * 3_600_000)
    .default(24 * 3_600_000)
    .describe(
      'How long a notification is retried, from its first failed attempt (or its queueing behind a failing one), before it is dead-lettered. Outages of our own broker do not count.',
    ),
  DELIVERY_LANE_WINDOW: int(1, 1000)
    .default(8)
    .describe(
      'Deliveries of one subscription in flight at once (rest-hook: pipelined in order on one connection). After a failure the failed one and those after it are sent again, in order: a subscriber may see duplicates (same X-Substream-Notification-Id), never a first copy out of order. 1 = strictly one at a time.',
    ),
  DELIVERY_OUTCOME_INTERVAL_MS: int(0, 60_000)
    .default(1_000)
    .describe(
      "Longest a sink holds back a success that repeats the last outcome it reported for a subscription (only the latest is reported then): a failure, the first success after one, handshakes and heartbeats are reported at once. A held success lost in a crash only leaves the subscription's last delivered event number behind. 0 reports every outcome.",
    ),
  DELIVERY_MAX_BACKOFF_MS: int(100, 24 * 3_600_000)
    .default(60_000)
    .describe(
      'Longest wait between retries of a failing subscriber (exponential back-off with jitter up to it); also caps the wait for an open circuit breaker.',
    ),

  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe('Bearer token required on the admin and ingest routes when set.'),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof Config)[];
