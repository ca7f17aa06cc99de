import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { ScriptedSink, type ScriptedAnswer } from '../fakes/scripted-sink.js';
import type { DeliverySink } from '../../processors/index.js';
import { deliveryHarness } from './harness.js';

/** The scripted sink with a window: writes issued together are answered later, in the order issued. */
function windowed(sink: ScriptedSink, orderedWindow: number): DeliverySink {
  return {
    name: sink.name,
    orderedWindow,
    write: (n) => new Promise((resolve) => setTimeout(resolve, 0)).then(() => sink.write(n)),
  };
}

/** Event numbers in the order they were first sent, per subscription. */
function firstSent(sink: ScriptedSink, subscriptionId: string): number[] {
  const seen = new Set<number>();
  for (const n of sink.attempts) if (n.subscriptionId === subscriptionId) seen.add(n.eventNumber);
  return [...seen];
}

const answer: fc.Arbitrary<ScriptedAnswer> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'delivered' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'retriable', error: 'HTTP 503', statusCode: 503 } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'permanent', error: 'HTTP 404', statusCode: 404 } as const) },
  { weight: 1, arbitrary: fc.constant('not-connected' as const) },
);

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe.each([1, 4])(
  'delivery stage: order and no loss under any failure pattern (lane window %i)',
  (window) => {
    it('ends every notification exactly once, in event order per subscription, and commits everything', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 60 }),
          fc.dictionary(fc.constantFrom('s0', 's1', 's2', 's3'), fc.array(answer, { maxLength: 12 })),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }),
          async (subscriptionOf, scripts, punctuateAfter) => {
            const sink = new ScriptedSink();
            const h = await deliveryHarness(
              { defaultMaxAttempts: 4, maxPendingRecords: 4, laneWindow: window },
              window === 1 ? { sink } : { sink, deliverySink: windowed(sink, window) },
            );
            for (const [s, answers] of Object.entries(scripts)) h.sink.script(s, ...answers);
            const next = new Map<string, number>();
            for (let i = 0; i < subscriptionOf.length; i++) {
              const s = `s${subscriptionOf[i]}`;
              const eventNumber = (next.get(s) ?? 0) + 1;
              next.set(s, eventNumber);
              await h.processor.process({ notification: notification(s, eventNumber), offset: String(i) });
              if (punctuateAfter[i % punctuateAfter.length]) {
                await settle();
                await h.processor.punctuate(h.clock.advance(700));
              }
            }
            const total = subscriptionOf.length;
            const terminal = () => h.outcomes.filter((o) => o.result !== 'failed');
            for (let round = 0; round < 500 && terminal().length < total; round++) {
              await settle();
              await h.processor.punctuate(h.clock.advance(600_000));
            }
            expect(terminal()).toHaveLength(total);
            for (const [s, count] of next) {
              const ends = terminal()
                .filter((o) => o.subscriptionId === s)
                .map((o) => o.eventNumber);
              expect(ends).toEqual(Array.from({ length: count }, (_, i) => i + 1));
              // Later ones may be sent again after a failure in the window, but are never sent first.
              const first = firstSent(h.sink, s);
              expect(first).toEqual([...first].sort((a, b) => a - b));
            }
            const delivered = h.sink.delivered.map((n) => n.notificationId);
            if (window === 1) expect(new Set(delivered).size).toBe(delivered.length);
            expect(h.processor.committableOffset()).toBe(String(total));
            expect(h.deadLetters).toHaveLength(terminal().filter((o) => o.result === 'dead-lettered').length);
            await h.processor.close();
            expect(h.store.keys().every((k) => k.startsWith('d|'))).toBe(true);
          },
        ),
        { numRuns: 60 },
      );
    });
  },
);
