import { z } from 'zod';
import { ConfigError } from '../../state/index.js';

export const schemaRegistryConfigSchema = z.object({
  url: z.url().describe('Base URL of the Confluent-compatible schema registry, e.g. http://registry:8081'),
  username: z.string().min(1).optional().describe('Basic auth user (Confluent Cloud: the API key)'),
  password: z.string().min(1).optional().describe('Basic auth password (Confluent Cloud: the API secret)'),
  clientId: z.string().min(1).default('substream').describe('Sent as the User-Agent client id'),
  retries: z.number().int().min(0).max(10).default(2).describe('HTTP retries on 5xx before the call fails'),
});

export type SchemaRegistryConfig = z.output<typeof schemaRegistryConfigSchema>;
export type SchemaRegistryConfigInput = z.input<typeof schemaRegistryConfigSchema>;

/** Validates the settings, naming every bad one at once under `prefix`. */
export function parseSchemaRegistryConfig(input: unknown, prefix = 'schemaRegistry'): SchemaRegistryConfig {
  const parsed = schemaRegistryConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        setting: [prefix, ...i.path.map(String)].join('.'),
        message: i.message,
      })),
    );
  }
  if ((parsed.data.username === undefined) !== (parsed.data.password === undefined)) {
    throw new ConfigError([{ setting: `${prefix}.password`, message: 'username and password go together' }]);
  }
  return parsed.data;
}
