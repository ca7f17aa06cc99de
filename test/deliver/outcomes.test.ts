import { describe, expect, it } from 'vitest';
import { notification } from '../fixtures/notifications.js';
import { until } from '../fakes/wait.js';
import type { AttemptResult, DeliverySink } from '../../processors/index.js';
import { deliveryHarness, type Harness } from './harness.js';

describe('delivery stage: outcomes', () => {
  it("carries the notification's tenant, which keys the subscription's status record", async () => {
    const h = await deliveryHarness();
    h.sink.script('b', { kind: 'permanent', statusCode: 410, error: 'gone' });
    await h.processor.process({ notification: notification('a', 1, { tenant: 'north' }), offset: '0' });
    await h.processor.process({ notification: notification('b', 1, { tenant: 'south' }), offset: '1' });
    await h.processor.process({ notification: notification('c', 1), offset: '2' });
    await until(() => h.outcomes.length === 3);
    const bySubscription = new Map(h.outcomes.map((o) => [o.subscriptionId, o]));
    expect(bySubscription.get('a')).toMatchObject({ tenant: 'north', result: 'delivered' });
    expect(bySubscription.get('b')).toMatchObject({ tenant: 'south', result: 'dead-lettered' });
    expect(bySubscription.get('c')).not.toHaveProperty('tenant');
    await h.processor.close();
  });
});

/** A sink answering by the notification's tenant; records what it delivered as `tenant:eventNumber`. */
function byTenant(answer: (tenant: string | undefined) => AttemptResult | undefined): {
  sink: DeliverySink;
  delivered: string[];
} {
  const delivered: string[] = [];
  const sink: DeliverySink = {
    name: 'by-tenant',
    write: async (n) => {
      const refused = answer(n.tenant);
      if (refused !== undefined) return refused;
      delivered.push(`${n.tenant}:${n.eventNumber}`);
      return { kind: 'delivered', statusCode: 200 };
    },
  };
  return { sink, delivered };
}

/** Events 1..count of subscription `s` for each tenant, interleaved. */
async function feed(h: Harness, tenants: string[], count: number): Promise<void> {
  let offset = 0;
  for (let n = 1; n <= count; n++)
    for (const tenant of tenants)
      await h.processor.process({ notification: notification('s', n, { tenant }), offset: String(offset++) });
}

describe('delivery stage: tenants', () => {
  it("keeps two tenants' subscriptions of one id apart: queue, dead letters, redrive", async () => {
    const failing = new Set(['north']);
    const { sink, delivered } = byTenant((tenant) =>
      failing.has(tenant ?? '') ? { kind: 'permanent', error: 'HTTP 410', statusCode: 410 } : undefined,
    );
    const h = await deliveryHarness({}, { deliverySink: sink });
    await feed(h, ['north', 'south'], 2);
    await until(() => h.processor.committableOffset() === '4');
    expect(delivered).toEqual(['south:1', 'south:2']);
    expect(h.deadLetters.map((d) => `${d.notification.tenant}:${d.notification.eventNumber}`)).toEqual([
      'north:1',
      'north:2',
    ]);

    expect(await h.processor.redrive('s', 'south')).toBe(0);
    expect(await h.processor.redrive('s')).toBe(0);
    failing.clear();
    expect(await h.processor.redrive('s', 'north')).toBe(2);
    await h.processor.punctuate(h.clock.now());
    await until(() => delivered.length === 4);
    expect(delivered).toEqual(['south:1', 'south:2', 'north:1', 'north:2']);
    await h.processor.close();
  });

  it("does not hold one tenant's subscription behind another's failing one of the same id", async () => {
    const { sink, delivered } = byTenant((tenant) =>
      tenant === 'north' ? { kind: 'retriable', error: 'HTTP 503', statusCode: 503 } : undefined,
    );
    const h = await deliveryHarness({}, { deliverySink: sink });
    await feed(h, ['north', 'south'], 3);
    await until(() => delivered.length === 3);
    expect(delivered).toEqual(['south:1', 'south:2', 'south:3']);
    expect(h.processor.stats().parkedSubscriptions).toBe(1);
    await h.processor.close();
  });
});

describe('delivery stage: repeated successes held back', () => {
  const results = (h: Harness) => h.outcomes.map((o) => `${o.subscriptionId}:${o.eventNumber}:${o.result}`);

  it('reports the first success at once and only the latest repeat after the interval', async () => {
    const h = await deliveryHarness({ outcomeIntervalMs: 1_000 });
    for (let n = 1; n <= 4; n++)
      await h.processor.process({ notification: notification('a', n), offset: String(n) });
    await until(() => h.sink.deliveredEvents('a').length === 4);
    await until(() => h.processor.committableOffset() === '5');
    expect(results(h)).toEqual(['a:1:delivered']);

    await h.processor.punctuate(h.clock.advance(999));
    expect(results(h)).toEqual(['a:1:delivered']);
    await h.processor.punctuate(h.clock.advance(1));
    expect(results(h)).toEqual(['a:1:delivered', 'a:4:delivered']);
    // Nothing held: a later punctuation reports nothing more.
    await h.processor.punctuate(h.clock.advance(5_000));
    expect(results(h)).toHaveLength(2);
    await h.processor.close();
  });

  it('reports a failure at once, after the success held before it, and the next success too', async () => {
    const h = await deliveryHarness({ outcomeIntervalMs: 1_000, defaultMaxAttempts: 1 });
    h.sink.script(
      'a',
      { kind: 'delivered' },
      { kind: 'delivered' },
      { kind: 'permanent', error: 'HTTP 410' },
    );
    for (let n = 1; n <= 4; n++)
      await h.processor.process({ notification: notification('a', n), offset: String(n) });
    await until(() => h.processor.committableOffset() === '5');
    expect(results(h)).toEqual(['a:1:delivered', 'a:2:delivered', 'a:3:dead-lettered', 'a:4:delivered']);
    await h.processor.close();
  });

  it('reports handshakes and heartbeats at once, and what is held when the stage closes', async () => {
    const h = await deliveryHarness({ outcomeIntervalMs: 1_000 });
    const feedAll = [
      notification('a', 1),
      notification('a', 2),
      notification('a', 2, { type: 'heartbeat', notificationId: 'a-hb' }),
      notification('a', 3),
      notification('b', 1, { tenant: 'north' }),
      notification('b', 2, { tenant: 'north' }),
    ];
    for (const [i, n] of feedAll.entries()) await h.processor.process({ notification: n, offset: String(i) });
    await until(() => h.processor.committableOffset() === '6');
    // a:2 was held; the heartbeat (also event 2) is reported at once, after it.
    expect(results(h).sort()).toEqual(['a:1:delivered', 'a:2:delivered', 'a:2:delivered', 'b:1:delivered']);
    await h.processor.close();
    expect(results(h).slice(4).sort()).toEqual(['a:3:delivered', 'b:2:delivered']);
    expect(h.outcomes.find((o) => o.subscriptionId === 'b' && o.eventNumber === 2)?.tenant).toBe('north');
  });
});
