import type { Config } from '../config/index.js';
import type {
  DeadLetter,
  DeliveryMetrics,
  DeliveryOptions,
  DeliveryOutcome,
  DeliverySink,
  DeliveryStoreValue,
  Notification,
} from '../../processors/index.js';
import { DeliveryProcessor, subscriptionStoreKey } from '../../processors/index.js';
import { codecs } from '../../state/index.js';
import type { Processor, StreamRecord, Topology } from '../../topology/index.js';
import { TopologyBuilder } from '../../topology/index.js';
import { HeldOutputs } from './held-outputs.js';

export const STORE_DELIVERY = 'delivery';

export interface DeliveryTopologyOptions {
  /** The notification topic this sink reads (one per channel type). */
  input: string;
  outcomes: string;
  deadLetters: string;
  sink: () => DeliverySink;
  /** Retry budget, back-off and limits of the stage; see deliveryOptionsOf for the configured ones. */
  delivery?: Partial<DeliveryOptions>;
  /** Per task: attempts, outcomes, change-to-acknowledgement latency, parked subscriptions. */
  metrics?: (taskId: string) => DeliveryMetrics;
  now?: () => number;
  /**
   * How long outcomes and dead letters are held so that they leave together (see HeldOutputs);
   * 0 forwards each at once. Default 200 ms: due at every punctuation round of the runtime (250 ms).
   */
  outputFlushMs?: number;
}

/** Held outputs are forwarded from `process` once this many wait, whatever the time. */
const MAX_HELD_OUTPUTS = 1_000;

interface DeliveryOutput {
  record: StreamRecord<DeliveryOutcome | DeadLetter>;
  child: 'outcomes' | 'dead-letters';
}

/** The delivery stage's options as the service's settings give them. */
export function deliveryOptionsOf(config: Config): Partial<DeliveryOptions> {
  return {
    defaultMaxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    maxRetryDurationMs: config.DELIVERY_MAX_RETRY_DURATION_MS,
    laneWindow: config.DELIVERY_LANE_WINDOW,
    outcomeIntervalMs: config.DELIVERY_OUTCOME_INTERVAL_MS,
    backoff: { initialMs: 1_000, maxMs: config.DELIVERY_MAX_BACKOFF_MS, multiplier: 2 },
  };
}

/**
 * A sink as a stateful stage on the streams runtime: notifications in, delivered in order per
 * subscription, failures parked in the changelogged `delivery` store, outcomes and dead letters out.
 */
export function buildDeliveryTopology(o: DeliveryTopologyOptions): Topology {
  const b = new TopologyBuilder();
  b.store<DeliveryStoreValue>(STORE_DELIVERY, { value: codecs.json(), caching: false });
  b.source<Notification>('notifications', { topic: o.input, value: codecs.json() });
  b.processor<Notification, DeliveryOutcome | DeadLetter>('deliver', {
    parents: ['notifications'],
    stores: [STORE_DELIVERY],
    processor: () => deliverNode(o),
  });
  b.sink<DeliveryOutcome>('outcomes', { parents: ['deliver'], topic: o.outcomes, value: codecs.json() });
  b.sink<DeadLetter>('dead-letters', { parents: ['deliver'], topic: o.deadLetters, value: codecs.json() });
  return b.build();
}

function deliverNode(o: DeliveryTopologyOptions): Processor<Notification, DeliveryOutcome | DeadLetter> {
  const now = o.now ?? Date.now;
  const flushMs = o.outputFlushMs ?? 200;
  let stage: DeliveryProcessor | undefined;
  let outputs: HeldOutputs<DeliveryOutput> | undefined;
  return {
    async init(ctx) {
      const held = new HeldOutputs<DeliveryOutput>(
        ({ record, child }) => ctx.forward(record, child),
        () => stage?.committableOffset(),
      );
      outputs = held;
      const emit = (output: DeliveryOutput): Promise<void> => {
        if (flushMs === 0) return ctx.forward(output.record, output.child);
        held.add(output);
        return Promise.resolve();
      };
      stage = new DeliveryProcessor(
        {
          store: ctx.store<DeliveryStoreValue>(STORE_DELIVERY),
          sink: o.sink(),
          clock: { now },
          ...(o.metrics ? { metrics: o.metrics(ctx.taskId) } : {}),
          // Outcomes are keyed like the matches, so they reach the task that numbers the subscription.
          emitOutcome: (outcome) =>
            emit({
              record: {
                key: subscriptionStoreKey(outcome.subscriptionId, outcome.tenant),
                value: outcome,
                timestamp: now(),
                headers: {},
              },
              child: 'outcomes',
            }),
          emitDeadLetter: (deadLetter) =>
            emit({
              record: {
                key: subscriptionStoreKey(
                  deadLetter.notification.subscriptionId,
                  deadLetter.notification.tenant,
                ),
                value: deadLetter,
                timestamp: now(),
                headers: {},
              },
              child: 'dead-letters',
            }),
        },
        o.delivery ?? {},
      );
      await stage.init();
      ctx.schedule(250, 'wall-clock', (timestamp) => stage!.punctuate(timestamp));
      if (flushMs > 0) ctx.schedule(flushMs, 'wall-clock', () => (held.size > 0 ? held.flush() : undefined));
    },
    async process(record, ctx) {
      if (outputs!.size >= MAX_HELD_OUTPUTS) await outputs!.flush();
      await stage!.process({ notification: record.value, offset: ctx.offset ?? '0' });
    },
    committableOffset() {
      return outputs?.committableOffset();
    },
    async close() {
      await stage?.close();
      await outputs?.flush();
    },
  };
}
