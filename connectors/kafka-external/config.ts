/** Configuration of the Kafka named-channel sink: one zod schema with defaults and descriptions. */
import { z } from 'zod';
import { kafkaTlsSchema } from '../kafka/config.js';

export const kafkaExternalSinkConfigSchema = z.object({
  brokers: z
    .array(z.string().min(1))
    .min(1)
    .default(['127.0.0.1:9092'])
    .describe('KAFKA_BROKERS of the cluster holding the external topics.'),
  clientId: z.string().default('substream-kafka-sink').describe('Kafka client id.'),
  ssl: kafkaTlsSchema,
  sasl: z
    .object({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: z.string(),
      password: z.string(),
    })
    .optional()
    .describe('SASL credentials, when the cluster asks for them.'),
  key: z
    .enum(['subscription', 'focus'])
    .default('subscription')
    .describe(
      'Record key: the subscription id (its order kept in one partition) or the focus reference (compaction per resource).',
    ),
  maxBatchMessages: z
    .number()
    .int()
    .positive()
    .default(1_000)
    .describe('Writes gathered into one produce request at most.'),
  requestTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('Time allowed for a produce request.'),
  retries: z
    .number()
    .int()
    .nonnegative()
    .default(3)
    .describe('Quick retries inside the client before a write is reported failed to the delivery stage.'),
});

export type KafkaExternalSinkConfig = z.output<typeof kafkaExternalSinkConfigSchema>;
export type KafkaExternalSinkConfigInput = z.input<typeof kafkaExternalSinkConfigSchema>;
