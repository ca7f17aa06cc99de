/**
 * Runs a delivery processor on real time against a real sink, as the runtime will: a punctuator on
 * an interval, outputs captured.
 */
import {
  DeliveryProcessor,
  type DeadLetter,
  type DeliveryOptions,
  type DeliveryOutcome,
  type DeliverySink,
  type DeliveryStoreValue,
  type Notification,
} from '../../processors/index.js';
import { MemoryStore } from '../fakes/memory-store.js';

export interface LiveStage {
  processor: DeliveryProcessor;
  store: MemoryStore<DeliveryStoreValue>;
  outcomes: DeliveryOutcome[];
  deadLetters: DeadLetter[];
  /** Attempts by kind (delivered, retriable, permanent, not-connected). */
  attempts: Map<string, number>;
  feed(notifications: Notification[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startLiveStage(
  sink: DeliverySink,
  options: Partial<DeliveryOptions> = {},
  punctuateEveryMs = 20,
): Promise<LiveStage> {
  const store = new MemoryStore<DeliveryStoreValue>('delivery');
  const outcomes: DeliveryOutcome[] = [];
  const deadLetters: DeadLetter[] = [];
  const attempts = new Map<string, number>();
  const processor = new DeliveryProcessor(
    {
      store,
      sink,
      clock: { now: () => Date.now() },
      emitOutcome: async (outcome) => void outcomes.push(outcome),
      emitDeadLetter: async (letter) => void deadLetters.push(letter),
      metrics: {
        attempt: (kind) => void attempts.set(kind, (attempts.get(kind) ?? 0) + 1),
        outcome: () => undefined,
        latency: () => undefined,
        parkedSubscriptions: () => undefined,
      },
    },
    {
      backoff: { initialMs: 50, maxMs: 400, multiplier: 2 },
      transportBackoff: { initialMs: 50, maxMs: 400, multiplier: 2 },
      // Every outcome reported: these tests count them per notification (outcomes.test.ts: holding back).
      outcomeIntervalMs: 0,
      ...options,
    },
  );
  await processor.init();
  const timer = setInterval(
    () => void processor.punctuate(Date.now()).catch(() => undefined),
    punctuateEveryMs,
  );
  let offset = 0;
  return {
    processor,
    store,
    outcomes,
    deadLetters,
    attempts,
    async feed(notifications) {
      for (const notification of notifications)
        await processor.process({ notification, offset: String(offset++) });
    },
    async stop() {
      clearInterval(timer);
      await processor.close();
    },
  };
}
