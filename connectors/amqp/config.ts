/** Configuration of the AMQP (message channel) sink: one zod schema with defaults and descriptions. */
import { z } from 'zod';

export const amqpSinkConfigSchema = z.object({
  url: z
    .string()
    .regex(/^amqps?:\/\//, 'an amqp:// or amqps:// URL')
    .default('amqp://guest:guest@127.0.0.1:5672')
    .describe(
      'RABBITMQ_URL: the broker that `channel:queue-name` endpoints name, and whose loss is our own outage.',
    ),
  topology: z
    .enum(['none', 'check', 'declare'])
    .default('check')
    .describe(
      'Whether the exchange or queue an endpoint names is left alone, checked to exist, or declared (durable).',
    ),
  exchangeType: z
    .enum(['direct', 'topic', 'fanout', 'headers'])
    .default('topic')
    .describe('Type of exchanges declared.'),
  confirmWindow: z
    .number()
    .int()
    .positive()
    .default(1_000)
    .describe('Publishes awaiting the broker confirm per connection before new ones wait.'),
  connections: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(4)
    .describe(
      'Confirm channels (each on its own connection) to the configured broker; a subscription always uses the same one, so its order holds. The broker runs each channel on one core.',
    ),
  mandatory: z
    .boolean()
    .default(true)
    .describe('Publish mandatory: a message no queue takes is returned and counts as a failure.'),
  persistent: z.boolean().default(true).describe('Mark messages persistent (delivery mode 2).'),
  heartbeatSeconds: z.number().int().nonnegative().default(30).describe('AMQP heartbeat; 0 disables it.'),
  connectTimeoutMs: z.number().int().positive().default(5_000).describe('Time allowed to open a connection.'),
  confirmTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(30_000)
    .describe('Time allowed for the broker to confirm a publish.'),
  connectionName: z
    .string()
    .default('substream-amqp-sink')
    .describe('Connection name shown in the broker management tools.'),
});

export type AmqpSinkConfig = z.output<typeof amqpSinkConfigSchema>;
export type AmqpSinkConfigInput = z.input<typeof amqpSinkConfigSchema>;
