import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's metrics (DESIGN.md section 5) on one registry per process; components receive the
 * registry (or these instruments) rather than reaching for a global one. Labels never carry
 * endpoints, headers or credentials: subscriptions are labelled by channel type only.
 */
export function createMetrics(registry = new Registry(), options: { processMetrics?: boolean } = {}) {
  // A stream thread's registry is merged into its process's: the process metrics are counted once, there.
  if (options.processMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'substream_process_' });
  return {
    registry,
    changesConsumed: new Counter({
      name: 'substream_changes_consumed_total',
      help: 'Change records read from the changelog.',
      registers: [registry],
    }),
    changesDecoded: new Counter({
      name: 'substream_changes_decoded_total',
      help: 'Changes decoded, by input format.',
      labelNames: ['format'] as const,
      registers: [registry],
    }),
    versionsDropped: new Counter({
      name: 'substream_versions_dropped_total',
      help: 'Changes dropped as duplicate or stale versions.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    matches: new Counter({
      name: 'substream_matches_total',
      help: 'Subscription matches.',
      registers: [registry],
    }),
    notifications: new Counter({
      name: 'substream_notifications_total',
      help: 'Notifications built, by channel and type.',
      labelNames: ['channel', 'type'] as const,
      registers: [registry],
    }),
    subscriptions: new Gauge({
      name: 'substream_subscriptions',
      help: 'Subscriptions in the table, by compile status.',
      labelNames: ['status'] as const,
      // Every stream thread of a process counts the same table: merged, the count is one thread's.
      aggregator: 'max',
      registers: [registry],
    }),
    endToEndLatency: new Histogram({
      name: 'substream_change_to_notification_seconds',
      help: 'From change time to notification written.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
