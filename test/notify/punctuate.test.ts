import { describe, expect, it } from 'vitest';
import {
  body,
  classicSubscription,
  expectGolden,
  harness,
  match,
  r5Subscription,
  backportSubscription,
  readable,
} from './support.js';
import type { NormalizedSubscription, NotifyProcessor } from '../../processors/index.js';
import { expectR4BackportNotification, expectR5Notification } from './fhir-shapes.js';

/** Handshakes a subscription and reports the handshake delivered: it is then active. */
async function activate(processor: NotifyProcessor, sub: NormalizedSubscription, at: Date): Promise<void> {
  const [hs] = (await processor.subscriptionChanged(sub)).notifications;
  await processor.outcome({
    subscriptionId: sub.id,
    notificationId: hs!.notificationId,
    eventNumber: 0,
    result: 'delivered',
    attempts: 1,
    at: at.toISOString(),
  });
}

describe('punctuate: handshakes, heartbeats and end', () => {
  it('handshakes subscriptions it has not seen, then heartbeats each idle period', async () => {
    const { processor, clock } = harness();
    const r5 = r5Subscription('id-only');
    const first = await processor.punctuate(clock.now(), [r5]);
    expect(first.flatMap((r) => r.notifications.map((n) => n.type))).toEqual(['handshake']);
    await processor.outcome({
      subscriptionId: r5.id,
      notificationId: first[0]!.notifications[0]!.notificationId,
      eventNumber: 0,
      result: 'delivered',
      attempts: 1,
      at: clock.now().toISOString(),
    });
    expect(await processor.punctuate(clock.advance(30_000), [r5])).toEqual([]);
    const beat = await processor.punctuate(clock.advance(30_000), [r5]);
    const n = beat[0]!.notifications[0]!;
    expect(n).toMatchObject({ type: 'heartbeat', eventNumber: 0 });
    expectR5Notification(body(n), 'id-only', 'heartbeat');
    expectGolden('r5-heartbeat', readable(n));
    // Activity resets the idle clock.
    clock.advance(50_000);
    await processor.process(match(r5), r5);
    expect(await processor.punctuate(clock.advance(20_000), [r5])).toEqual([]);
  });

  it('heartbeats an R4 backport subscription with its Parameters status', async () => {
    const { processor, clock } = harness();
    const sub = backportSubscription('R4', 'empty');
    await activate(processor, sub, clock.now());
    const [r] = await processor.punctuate(clock.advance(61_000), [sub]);
    expectR4BackportNotification(body(r!.notifications[0]), 'empty', 'heartbeat', sub.id);
    expectGolden('r4-backport-heartbeat', readable(r!.notifications[0]!));
  });

  it('never heartbeats a subscription without a heartbeat period or without status notifications', async () => {
    const { processor, clock } = harness();
    const subs = [
      r5Subscription('empty', { heartbeatPeriod: undefined }),
      classicSubscription('application/fhir+json'),
    ];
    await processor.punctuate(clock.now(), subs);
    const later = await processor.punctuate(clock.advance(3600_000), subs);
    expect(later.flatMap((r) => r.notifications)).toEqual([]);
  });

  it('switches a subscription off once its end has passed', async () => {
    const { processor, clock } = harness();
    const sub = { ...classicSubscription('application/fhir+json'), end: '2026-01-01T11:00:00Z' };
    await processor.subscriptionChanged(sub);
    const [r] = await processor.punctuate(clock.advance(3600_000), [sub]);
    expect(r!.transition).toMatchObject({ from: 'active', to: 'off' });
    expect(await processor.process(match(sub), sub)).toEqual([]);
  });

  it('can be driven by its own store: ticks what it holds, forgets deleted subscriptions', async () => {
    const { processor, clock, store } = harness();
    const kept = r5Subscription('empty');
    const deleted = { ...r5Subscription('empty'), id: 'deleted' };
    for (const sub of [kept, deleted]) {
      await activate(processor, sub, clock.now());
    }
    const table = new Map([[kept.id, kept]]);
    const results = await processor.punctuateStored(clock.advance(60_000), (id) => table.get(id));
    expect(results.flatMap((r) => r.notifications.map((n) => [n.subscriptionId, n.type]))).toEqual([
      ['r5-sub', 'heartbeat'],
    ]);
    expect(await store.approximateCount()).toBe(1);
  });
});
