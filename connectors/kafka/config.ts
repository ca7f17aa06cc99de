import { z } from 'zod';
import { parseConfig } from '../../state/index.js';

/** TLS for Kafka clients: true, or options with PEM CA certificates, client certificate and key. */
export const kafkaTlsSchema = z
  .union([
    z.boolean(),
    z.object({
      ca: z.array(z.string()).optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      rejectUnauthorized: z.boolean().optional(),
    }),
  ])
  .default(false)
  .describe('Connect over TLS: true, or TLS options (PEM CA certificates, client certificate and key).');

/** Settings of the Kafka transport (connection and consumer tuning). */
export const kafkaTransportConfigSchema = z.object({
  brokers: z
    .array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port'))
    .min(1)
    .describe('Bootstrap brokers, host:port.'),
  clientId: z.string().min(1).default('substream').describe('Client id sent to the brokers.'),
  ssl: kafkaTlsSchema,
  sasl: z
    .object({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string().min(1),
      password: z.string().min(1),
    })
    .optional()
    .describe('SASL credentials.'),
  sessionTimeoutMs: z.number().int().positive().default(30_000).describe('Consumer group session timeout.'),
  heartbeatIntervalMs: z.number().int().positive().default(3_000).describe('Consumer heartbeat interval.'),
  partitionsConsumedConcurrently: z
    .number()
    .int()
    .positive()
    .default(6)
    .describe('Partitions (tasks) processed at the same time by one instance.'),
  maxBytesPerPartition: z
    .number()
    .int()
    .positive()
    .default(4_194_304)
    .describe('Largest fetch per partition (bigger batches: fewer commits per record).'),
  maxBytes: z.number().int().positive().default(26_214_400).describe('Largest fetch per request.'),
  fetchMinBytes: z
    .number()
    .int()
    .positive()
    .default(65_536)
    .describe(
      "Bytes a group consumer's fetch waits for (at most fetchMaxWaitMs) while records flow (adaptive-fetch.ts); more trades latency for larger batches.",
    ),
  fetchMaxWaitMs: z
    .number()
    .int()
    .positive()
    .default(5)
    .describe('Longest the broker holds a fetch that has less than fetchMinBytes while records flow.'),
  fetchIdleWaitMs: z
    .number()
    .int()
    .positive()
    .default(500)
    // Kafka's fetch wait (kafkajs's is 5 s): a partition resumed after its task restored waits for
    // the fetch in flight, and with every partition paused kafkajs sleeps this long before fetching.
    .describe(
      'After a fetch that returned no records: the next asks for 1 byte and the broker holds it this long, so an idle consumer sleeps in the broker and the first record is answered at once.',
    ),
  fetchAhead: z
    .boolean()
    .default(true)
    .describe(
      "When a group consumer's fetch leaves records behind, the next fetch is sent at once, so its answer arrives while those records are processed (fetch-ahead.ts).",
    ),
  retries: z
    .number()
    .int()
    .min(0)
    .default(8)
    .describe('Retries of a failed request before it fails the task.'),
});

export type KafkaTransportConfigInput = z.input<typeof kafkaTransportConfigSchema>;
export type KafkaTransportConfig = z.output<typeof kafkaTransportConfigSchema>;

export function parseKafkaTransportConfig(input: unknown, prefix = ''): KafkaTransportConfig {
  return parseConfig(kafkaTransportConfigSchema, input, prefix);
}
