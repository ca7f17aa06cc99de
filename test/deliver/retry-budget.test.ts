import { describe, expect, it } from 'vitest';
import type { AttemptResult, DeliverySink, Notification } from '../../processors/index.js';
import { FakeClock } from '../fakes/clock.js';
import { notification } from '../fixtures/notifications.js';
import { deliveryHarness, type Harness } from './harness.js';

const refused = { kind: 'retriable', error: 'ECONNREFUSED' } as const;
const circuitOpen = {
  kind: 'deferred',
  error: 'circuit open for subscriber.example',
  retryAfterMs: 10_000,
} as const;

/**
 * A subscriber that is down until `upAt` on the fake clock: while down, attempts alternate between a
 * refused connection and an open circuit breaker (as the HTTP sink answers during an outage).
 */
class OutageSink implements DeliverySink {
  readonly name = 'outage';
  readonly delivered: Notification[] = [];
  failures = 0;
  constructor(
    private readonly clock: FakeClock,
    private readonly down: string,
    public upAt: number,
  ) {}

  async write(n: Notification): Promise<AttemptResult> {
    if (n.subscriptionId === this.down && this.clock.now() < this.upAt) {
      this.failures += 1;
      return this.failures % 2 === 1 ? refused : circuitOpen;
    }
    this.delivered.push(n);
    return { kind: 'delivered', statusCode: 200 };
  }

  events(id: string): number[] {
    return this.delivered.filter((n) => n.subscriptionId === id).map((n) => n.eventNumber);
  }
}

/** Lets the stage's promise chains run (the sink answers at once). */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Moves the fake clock in punctuator steps, as the runtime's wall-clock punctuator would. */
async function runFor(h: Harness, ms: number, stepMs = 250): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    await h.processor.punctuate(h.clock.advance(stepMs));
    await settle();
  }
}

async function feed(h: Harness, from: number, to: number, ids: string[], offset: { next: number }) {
  for (let n = from; n <= to; n++) {
    for (const id of ids) {
      await h.processor.process({ notification: notification(id, n), offset: String(offset.next++) });
    }
  }
  await settle();
}

describe('delivery stage: retry budget in time', () => {
  it('rides out a two-minute outage: every notification arrives in order, none is dead-lettered', async () => {
    const clock = new FakeClock();
    const sink = new OutageSink(clock, 'down', clock.now() + 120_000);
    // A short back-off cap makes many attempts fall inside the outage (more than the old cap of 10).
    const h = await deliveryHarness(
      { backoff: { initialMs: 1_000, maxMs: 5_000, multiplier: 2 } },
      { clock, deliverySink: sink },
    );
    const offset = { next: 0 };
    await feed(h, 1, 5, ['down', 'up'], offset);
    expect(sink.events('up')).toEqual([1, 2, 3, 4, 5]);
    await runFor(h, 60_000);
    await feed(h, 6, 10, ['down', 'up'], offset);
    expect(sink.events('up')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await runFor(h, 90_000);

    expect(sink.failures).toBeGreaterThan(20);
    expect(h.deadLetters).toEqual([]);
    expect(sink.events('down')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.processor.committableOffset()).toBe('20');
    expect(h.processor.stats().parkedSubscriptions).toBe(0);
    // Only real attempts count: the deferrals (open circuit) are not attempts.
    const delivered = h.outcomes.find((o) => o.subscriptionId === 'down' && o.result === 'delivered');
    expect(delivered?.attempts).toBe(Math.ceil(sink.failures / 2) + 1);
    await h.processor.close();
  });

  it('dead-letters once the time budget is spent, not before, and the queue behind it in turn', async () => {
    const clock = new FakeClock();
    const sink = new OutageSink(clock, 'down', Number.POSITIVE_INFINITY);
    const h = await deliveryHarness(
      { maxRetryDurationMs: 30_000, backoff: { initialMs: 1_000, maxMs: 4_000, multiplier: 2 } },
      { clock, deliverySink: sink },
    );
    const offset = { next: 0 };
    await feed(h, 1, 3, ['down'], offset);
    await runFor(h, 29_000);
    expect(h.deadLetters).toEqual([]);
    await runFor(h, 6_000);
    // The head went after 30 s; the two behind it were held back as long, so each goes on its next failure.
    expect(h.deadLetters.map((d) => d.notification.eventNumber)).toEqual([1, 2, 3]);
    expect(h.deadLetters[0]?.error).toBe('ECONNREFUSED');
    expect(h.deadLetters[0]?.firstFailedAt).toBe(new Date(Date.parse('2026-01-01T00:00:00Z')).toISOString());
    expect(h.store.keys().filter((k) => k.startsWith('e|'))).toEqual([]);
    await h.processor.close();
  });

  it('does not count circuit-open deferrals against the subscription’s max attempts', async () => {
    const h = await deliveryHarness();
    h.sink.script('s', refused, circuitOpen, circuitOpen, circuitOpen, circuitOpen);
    await h.processor.process({ notification: notification('s', 1, { maxAttempts: 2 }), offset: '0' });
    await settle();
    await runFor(h, 60_000, 1_000);
    expect(h.deadLetters).toEqual([]);
    expect(h.sink.deliveredEvents('s')).toEqual([1]);
    expect(h.outcomes.map((o) => `${o.result}:${o.attempts}`)).toEqual(['failed:1', 'delivered:2']);
    await h.processor.close();
  });

  it('waits for the breaker as the sink says, capped by the back-off cap', async () => {
    const h = await deliveryHarness({ backoff: { initialMs: 1_000, maxMs: 4_000, multiplier: 2 } });
    h.sink.script('s', circuitOpen);
    await h.processor.process({ notification: notification('s', 1), offset: '0' });
    await settle();
    await runFor(h, 3_750);
    expect(h.sink.attempts).toHaveLength(1);
    await runFor(h, 500);
    expect(h.sink.deliveredEvents('s')).toEqual([1]);
    await h.processor.close();
  });

  it('still honours an attempts cap: the subscription’s, else the stage default when set', async () => {
    const h = await deliveryHarness({ defaultMaxAttempts: 2 });
    h.sink.script('capped', refused, refused);
    h.sink.script('own', refused, refused, refused);
    await h.processor.process({ notification: notification('capped', 1), offset: '0' });
    await h.processor.process({ notification: notification('own', 1, { maxAttempts: 4 }), offset: '1' });
    await settle();
    await runFor(h, 60_000, 1_000);
    expect(h.deadLetters.map((d) => `${d.notification.subscriptionId}:${d.attempts}`)).toEqual(['capped:2']);
    expect(h.sink.deliveredEvents('own')).toEqual([1]);
    await h.processor.close();
  });

  it('dead-letters a permanent refusal at once even with time left', async () => {
    const h = await deliveryHarness();
    h.sink.script('s', { kind: 'permanent', error: 'HTTP 410', statusCode: 410 });
    await h.processor.process({ notification: notification('s', 1), offset: '0' });
    await settle();
    expect(h.deadLetters.map((d) => `${d.attempts}:${d.statusCode}`)).toEqual(['1:410']);
    await h.processor.close();
  });
});
