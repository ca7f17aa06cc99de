/** Builds a delivery processor over fakes: memory store, fake clock, scripted sink, captured outputs. */
import {
  DeliveryProcessor,
  type DeadLetter,
  type DeliveryOptions,
  type DeliveryOutcome,
  type DeliverySink,
  type DeliveryStoreValue,
} from '../../processors/index.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { ScriptedSink } from '../fakes/scripted-sink.js';

export interface Harness {
  processor: DeliveryProcessor;
  store: MemoryStore<DeliveryStoreValue>;
  clock: FakeClock;
  sink: ScriptedSink;
  outcomes: DeliveryOutcome[];
  deadLetters: DeadLetter[];
}

export async function deliveryHarness(
  options: Partial<DeliveryOptions> = {},
  shared: {
    store?: MemoryStore<DeliveryStoreValue>;
    clock?: FakeClock;
    sink?: ScriptedSink;
    deliverySink?: DeliverySink;
  } = {},
): Promise<Harness> {
  const store = shared.store ?? new MemoryStore<DeliveryStoreValue>('delivery');
  const clock = shared.clock ?? new FakeClock();
  const sink = shared.sink ?? new ScriptedSink();
  const outcomes: DeliveryOutcome[] = [];
  const deadLetters: DeadLetter[] = [];
  const processor = new DeliveryProcessor(
    {
      store,
      sink: shared.deliverySink ?? sink,
      clock,
      random: () => 0.5,
      emitOutcome: async (outcome) => void outcomes.push(outcome),
      emitDeadLetter: async (letter) => void deadLetters.push(letter),
    },
    // Every outcome reported: these tests count them per notification (outcomes.test.ts: holding back).
    { outcomeIntervalMs: 0, ...options },
  );
  await processor.init();
  return { processor, store, clock, sink, outcomes, deadLetters };
}
