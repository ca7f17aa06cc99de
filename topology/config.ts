import { z } from 'zod';
import { parseConfig } from '../state/index.js';

/** The streams runtime's settings, with defaults and descriptions (also the documentation). */
export const streamsConfigSchema = z.object({
  applicationId: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
    .describe('Consumer group id, prefix of internal topics and of transactional ids.'),
  processingGuarantee: z
    .enum(['at_least_once', 'exactly_once'])
    .default('at_least_once')
    .describe(
      'at_least_once commits offsets after outputs are acknowledged; exactly_once uses transactions.',
    ),
  commitIntervalMs: z
    .number()
    .int()
    .min(0)
    .default(1000)
    .describe(
      'How often a task commits: flushes its stores, and once its outputs are acknowledged commits its offsets and writes its checkpoint.',
    ),
  stateDir: z
    .string()
    .min(1)
    .default('data/state')
    .describe('Directory holding one LevelDB directory per task and store.'),
  maxInFlight: z
    .number()
    .int()
    .positive()
    .default(2000)
    .describe('Output records a task may buffer before it waits for them to be acknowledged.'),
  producerSendsInFlight: z
    .number()
    .int()
    .min(1)
    .max(5)
    .default(2)
    .describe(
      "Joined sends the at-least-once producer of a runtime keeps in flight: with one, the tasks' outputs wait behind a large store flush being acknowledged.",
    ),
  cacheMaxEntries: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Entries per store cache before it is flushed.'),
  storeCacheMaxBytes: z
    .number()
    .int()
    .min(0)
    .default(268_435_456)
    .describe(
      'Bytes the store caches of all tasks of this runtime share (recently written or read entries); 0 keeps none.',
    ),
  storeWriteBufferBytes: z
    .number()
    .int()
    .min(65_536)
    .default(1_048_576)
    .describe(
      'LevelDB memtable of each store of each task: bytes written before they go to a table file. An instance holds one per store per partition it owns.',
    ),
  storeBlockCacheBytes: z
    .number()
    .int()
    .min(65_536)
    .default(1_048_576)
    .describe(
      "LevelDB's block cache of each store of each task. Reads reach LevelDB only when the store's own cache missed.",
    ),
  heartbeatIntervalMs: z
    .number()
    .int()
    .positive()
    .default(3000)
    .describe('Heartbeats sent during long batches, at most this often.'),
  punctuationIntervalMs: z
    .number()
    .int()
    .positive()
    .default(250)
    .describe('Resolution of wall-clock punctuators: how often they are checked.'),
  restartBackoffMs: z
    .number()
    .int()
    .positive()
    .default(500)
    .describe(
      'First wait before the instance restarts itself after a retriable failure (broker gone, leader moving); doubles each time.',
    ),
  restartBackoffMaxMs: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Longest wait between two restarts after retriable failures.'),
  startTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(120_000)
    .describe(
      'How long start() retries retriable failures (broker not reachable yet, leaders of new topics not elected) before it fails.',
    ),
  endpoint: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'host:port')
    .optional()
    .describe('Where this instance answers queries (host:port); shared with the group as instance metadata.'),
});

export type StreamsConfigInput = z.input<typeof streamsConfigSchema>;
export type StreamsConfig = z.output<typeof streamsConfigSchema>;

/** Validates the settings, reporting every problem at once with the setting's name. */
export function parseStreamsConfig(input: unknown, prefix = ''): StreamsConfig {
  return parseConfig(streamsConfigSchema, input, prefix);
}
