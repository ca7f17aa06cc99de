/** Configuration of the delivery stage: one zod schema with defaults and descriptions. */
import { z } from 'zod';
import type { DeliveryOptions } from './types.js';

const backoff = (initialMs: number, maxMs: number) =>
  z
    .object({
      initialMs: z
        .number()
        .int()
        .positive()
        .default(initialMs)
        .describe('Delay before the first retry (half of it random).'),
      maxMs: z.number().int().positive().default(maxMs).describe('Longest delay between retries.'),
      multiplier: z.number().min(1).default(2).describe('Growth of the delay per failed attempt.'),
    })
    .prefault({});

export const deliveryConfigSchema = z.object({
  defaultMaxAttempts: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(
      'Attempts per notification when the subscription does not set max-attempts; unset: only the time budget applies.',
    ),
  maxRetryDurationMs: z
    .number()
    .int()
    .positive()
    .default(24 * 3_600_000)
    .describe(
      'How long a notification is retried, from when it was first held back, before it is dead-lettered.',
    ),
  backoff: backoff(1_000, 60_000).describe('Back-off between attempts of a failing subscriber.'),
  transportBackoff: backoff(500, 30_000).describe(
    'Back-off while our own broker connection is down (not counted as attempts).',
  ),
  maxRetryAfterMs: z.number().int().positive().default(3_600_000).describe('Longest Retry-After honoured.'),
  maxPendingRecords: z
    .number()
    .int()
    .positive()
    .default(10_000)
    .describe('Records per partition neither delivered nor parked before the longest backlog is parked.'),
  maxConcurrency: z
    .number()
    .int()
    .positive()
    .default(512)
    .describe('Deliveries in flight at once per partition.'),
  laneWindow: z
    .number()
    .int()
    .positive()
    .default(8)
    .describe(
      'Deliveries of one subscription in flight at once, in order, when the sink keeps them ordered (1 = strictly one at a time).',
    ),
  outcomeIntervalMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(1_000)
    .describe(
      'Longest a success that repeats the last one reported for its subscription is held back before it is reported (only the latest); 0 reports every outcome.',
    ),
}) satisfies z.ZodType<DeliveryOptions, unknown>;

export type DeliveryConfigInput = z.input<typeof deliveryConfigSchema>;
