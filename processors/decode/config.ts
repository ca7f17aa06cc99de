import { z } from 'zod';
import { parseStageConfig } from '../stage-config.js';

const format = z.enum(['auto', 'canonical', 'firely', 'smile', 'schema-registry']);

export const decodeConfigSchema = z.object({
  topicFormats: z
    .record(z.string(), format)
    .default({})
    .describe('Format per changelog topic; topics not listed use defaultFormat'),
  defaultFormat: format
    .default('auto')
    .describe('auto: framed values go to the registry, JSON is recognised by shape'),
  maxValueBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024)
    .describe('Largest changelog value accepted; larger ones are dead-lettered'),
  tenantHeader: z
    .string()
    .min(1)
    .default('tenant')
    .describe('Record header naming the tenant when the value does not'),
});

export type DecodeConfig = z.output<typeof decodeConfigSchema>;

/** The decode stage's settings; pass them with the schema-registry port as DecodeOptions. */
export function parseDecodeConfig(input: unknown, prefix = 'decode'): DecodeConfig {
  return parseStageConfig(decodeConfigSchema, input, prefix);
}
