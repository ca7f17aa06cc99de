import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import { deliveryHarness } from './harness.js';

const unavailable = { kind: 'retriable', error: 'HTTP 503', statusCode: 503 } as const;

describe('delivery stage: a failing subscription is parked', () => {
  it('parks the failing lane durably, lets the others through, and commits past the parked records', async () => {
    const h = await deliveryHarness({ backoff: { initialMs: 1_000, maxMs: 60_000, multiplier: 2 } });
    h.sink.script('down', unavailable, unavailable);
    let offset = 0;
    for (let n = 1; n <= 3; n++) {
      await h.processor.process({ notification: notification('down', n), offset: String(offset++) });
      await h.processor.process({ notification: notification('up', n), offset: String(offset++) });
    }
    await until(() => h.processor.committableOffset() === '6', 5_000, 'all records safe');
    expect(h.sink.deliveredEvents('up')).toEqual([1, 2, 3]);
    expect(h.sink.deliveredEvents('down')).toEqual([]);
    expect(h.processor.stats().parkedSubscriptions).toBe(1);
    expect(h.store.keys().filter((k) => k.startsWith('e|down|'))).toHaveLength(3);
    expect(h.outcomes.find((o) => o.subscriptionId === 'down')).toMatchObject({
      result: 'failed',
      attempts: 1,
      statusCode: 503,
    });

    // Not due yet: equal jitter with random 0.5 gives 750 ms for the first retry.
    await h.processor.punctuate(h.clock.advance(500));
    expect(h.sink.attempts.filter((n) => n.subscriptionId === 'down')).toHaveLength(1);

    await h.processor.punctuate(h.clock.advance(300));
    await until(() => h.sink.attempts.filter((n) => n.subscriptionId === 'down').length === 2);
    expect(h.outcomes.filter((o) => o.subscriptionId === 'down').at(-1)).toMatchObject({
      result: 'failed',
      attempts: 2,
    });

    // Second retry: 1500 ms; then the whole queue drains in order and the lane goes live again.
    await h.processor.punctuate(h.clock.advance(1_500));
    await until(() => h.sink.deliveredEvents('down').length === 3);
    expect(h.sink.deliveredEvents('down')).toEqual([1, 2, 3]);
    await until(() => h.processor.stats().parkedSubscriptions === 0);
    expect(h.store.keys()).toEqual([]);

    await h.processor.process({ notification: notification('down', 4), offset: String(offset++) });
    await until(() => h.processor.committableOffset() === '7');
    expect(
      h.outcomes
        .filter((o) => o.subscriptionId === 'down' && o.result === 'delivered')
        .map((o) => o.attempts),
    ).toEqual([3, 1, 1, 1]);
    await h.processor.close();
  });

  it('honours Retry-After instead of its own back-off', async () => {
    const h = await deliveryHarness();
    h.sink.script('slow', { kind: 'retriable', error: 'HTTP 429', statusCode: 429, retryAfterMs: 10_000 });
    await h.processor.process({ notification: notification('slow', 1), offset: '0' });
    await until(() => h.processor.committableOffset() === '1');
    await h.processor.punctuate(h.clock.advance(9_999));
    expect(h.sink.attempts).toHaveLength(1);
    await h.processor.punctuate(h.clock.advance(1));
    await until(() => h.sink.deliveredEvents('slow').length === 1);
    await h.processor.close();
  });
});
