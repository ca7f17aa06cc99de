import { describe, expect, it } from 'vitest';
import type { DeliveryOutcome, NormalizedSubscription, Notification } from '../../processors/index.js';
import { backportSubscription, classicSubscription, harness, match, r5Subscription } from './support.js';

function outcome(
  n: Notification,
  result: DeliveryOutcome['result'],
  extra: Partial<DeliveryOutcome> = {},
): DeliveryOutcome {
  return {
    subscriptionId: n.subscriptionId,
    notificationId: n.notificationId,
    eventNumber: n.eventNumber,
    result,
    attempts: 1,
    at: '2026-01-01T10:01:00.000Z',
    ...extra,
  };
}

/** The same subscription as its client's next version of it. */
function version(sub: NormalizedSubscription, versionId: string): NormalizedSubscription {
  return { ...sub, resource: { ...sub.resource, meta: { versionId } } };
}

describe('subscription status', () => {
  it('requested → active once the handshake is delivered', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    const { notifications, transition } = await processor.subscriptionChanged(sub);
    expect(transition).toBeUndefined();
    expect(notifications.map((n) => n.type)).toEqual(['handshake']);
    expect(await processor.statusOf(sub.id)).toMatchObject({
      status: 'requested',
      handshake: { delivered: false },
    });
    expect(await processor.outcome(outcome(notifications[0]!, 'delivered'))).toMatchObject({
      from: 'requested',
      to: 'active',
    });
    expect(await processor.statusOf(sub.id)).toMatchObject({
      status: 'active',
      handshake: { delivered: true },
    });
  });

  it('does not handshake again when the subscription table replays', async () => {
    const { processor } = harness();
    const sub = backportSubscription('R4', 'empty');
    expect((await processor.subscriptionChanged(sub)).notifications).toHaveLength(1);
    expect((await processor.subscriptionChanged(sub)).notifications).toHaveLength(0);
  });

  it('active → error after repeated failures or a dead letter, active again on success', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    const [hs, ev] = await processor.process(match(sub), sub);
    await processor.outcome(outcome(hs!, 'delivered'));
    expect(
      await processor.outcome(outcome(ev!, 'failed', { error: 'HTTP 503', statusCode: 503 })),
    ).toBeUndefined();
    await processor.outcome(outcome(ev!, 'failed', { error: 'HTTP 503', statusCode: 503 }));
    const toError = await processor.outcome(outcome(ev!, 'failed', { error: 'HTTP 503', statusCode: 503 }));
    expect(toError).toMatchObject({ from: 'active', to: 'error', reason: 'HTTP 503' });
    expect((await processor.statusOf(sub.id))!.errors).toHaveLength(3);
    expect(await processor.outcome(outcome(ev!, 'delivered'))).toMatchObject({ from: 'error', to: 'active' });
    const [next] = await processor.process(
      match(sub, { focus: { reference: 'Encounter/enc-1', versionId: '9' } }),
      sub,
    );
    expect(await processor.outcome(outcome(next!, 'dead-lettered', { error: 'gave up' }))).toMatchObject({
      to: 'error',
    });
  });

  it('off: a subscription switched off by its client gets nothing', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    await processor.process(match(sub), sub);
    const off = version({ ...sub, status: 'off' as const }, '2');
    expect((await processor.subscriptionChanged(off)).transition).toMatchObject({
      from: 'requested',
      to: 'off',
    });
    expect(await processor.process(match(off), off)).toEqual([]);
    // Requested again: a new handshake, the count goes on.
    const again = await processor.subscriptionChanged(version({ ...sub, status: 'requested' }, '3'));
    expect(again.notifications.map((n) => [n.type, n.eventNumber])).toEqual([['handshake', 1]]);
  });

  it('stays in error while the same subscription version replays; a new version tries again', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    const [hs] = await processor.process(match(sub), sub);
    await processor.outcome(outcome(hs!, 'dead-lettered', { error: 'HTTP 404' }));
    const next = match(sub, { focus: { reference: 'Encounter/enc-1', versionId: '4' } });
    expect((await processor.process(next, sub)).map((n) => n.type)).toEqual(['event-notification']);
    expect((await processor.subscriptionChanged(sub)).notifications).toEqual([]);
    expect(await processor.statusOf(sub.id)).toMatchObject({ status: 'error' });
    const fixed = version(
      { ...sub, channel: { ...sub.channel, endpoint: 'https://client.example.org/v2' } },
      '2',
    );
    const retry = await processor.subscriptionChanged(fixed);
    expect(retry.notifications.map((n) => n.type)).toEqual(['handshake']);
    expect(retry.transition).toMatchObject({ from: 'error', to: 'requested' });
  });

  it('a classic subscription is active at once, with no handshake', async () => {
    const { processor } = harness();
    const sub = classicSubscription('application/fhir+json');
    expect(await processor.subscriptionChanged(sub)).toEqual({ notifications: [] });
    expect(await processor.statusOf(sub.id)).toMatchObject({ status: 'active' });
  });

  it('ignores outcomes for unknown subscriptions', async () => {
    const { processor } = harness();
    const n = { subscriptionId: 'nope', notificationId: 'x', eventNumber: 1 } as Notification;
    expect(await processor.outcome(outcome(n, 'failed'))).toBeUndefined();
  });

  it('takes a subscription first seen in error as it is: no handshake', async () => {
    const { processor } = harness();
    const sub = { ...r5Subscription('id-only'), status: 'error' as const };
    expect((await processor.subscriptionChanged(sub)).notifications).toEqual([]);
    expect(await processor.statusOf(sub.id)).toMatchObject({ status: 'error' });
  });
});
