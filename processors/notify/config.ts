import { z } from 'zod';
import { parseStageConfig } from '../stage-config.js';

export const notifyConfigSchema = z.object({
  baseUrl: z.url().describe('FHIR base URL notifications refer to (fullUrl, focus, Subscription/{id})'),
  failureThreshold: z
    .number()
    .int()
    .min(1)
    .default(3)
    .describe('Failed delivery attempts in a row before a subscription goes to error'),
  recentEvents: z
    .number()
    .int()
    .min(0)
    .default(128)
    .describe('Events remembered per subscription to renumber a reprocessed match identically'),
  punctuateIntervalMs: z
    .number()
    .int()
    .positive()
    .default(5000)
    .describe('Wall-clock punctuator period: heartbeat and end-of-subscription resolution'),
  outputTopics: z
    .object({
      'rest-hook': z.string().min(1).default('fhir.notifications.rest-hook'),
      message: z.string().min(1).default('fhir.notifications.message'),
      kafka: z.string().min(1).default('fhir.notifications.kafka'),
    })
    .prefault({})
    .describe('Output topic per channel type'),
});

export type NotifyConfig = z.output<typeof notifyConfigSchema>;

export function parseNotifyConfig(input: unknown, prefix = 'notify'): NotifyConfig {
  return parseStageConfig(notifyConfigSchema, input, prefix);
}
