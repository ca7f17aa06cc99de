import { z } from 'zod';
import { parseStageConfig } from '../stage-config.js';

const DAY = 24 * 3600_000;

export const versionsConfigSchema = z.object({
  retentionMs: z
    .number()
    .int()
    .positive()
    .default(30 * DAY)
    .describe('A resource not changed for this long is forgotten: its next change has no previous version'),
  tombstoneRetentionMs: z
    .number()
    .int()
    .positive()
    .default(DAY)
    .describe('How long a delete tombstone is kept to drop late duplicates of the deleted versions'),
  pruneIntervalMs: z
    .number()
    .int()
    .positive()
    .default(3600_000)
    .describe('How often the retention punctuator runs'),
});

export type VersionsConfig = z.output<typeof versionsConfigSchema>;

export function parseVersionsConfig(input: unknown, prefix = 'versions'): VersionsConfig {
  return parseStageConfig(versionsConfigSchema, input, prefix);
}
