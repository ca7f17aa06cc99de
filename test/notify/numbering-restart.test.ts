import { describe, expect, it } from 'vitest';
import type { SubscriptionStatusRecord } from '../../processors/index.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { harness, match, r5Subscription } from './support.js';

const version = (v: number) => ({
  focus: { reference: 'Encounter/enc-1', versionId: String(v) },
  occurredAt: `2026-01-01T10:00:${String(v).padStart(2, '0')}Z`,
});

describe('event numbering lives in the store', () => {
  it('numbers events gap-free across a restart: store kept, processor recreated', async () => {
    const store = new MemoryStore<SubscriptionStatusRecord>('subscription-status');
    const sub = r5Subscription('id-only');
    const first = harness(undefined, store).processor;
    const a = await first.process([match(sub, version(1)), match(sub, version(2))], sub);
    expect(a.map((n) => [n.type, n.eventNumber])).toEqual([
      ['handshake', 0],
      ['event-notification', 1],
      ['event-notification', 2],
    ]);
    // A new instance takes the partition over with the restored store.
    const second = harness(undefined, store).processor;
    const b = await second.process(match(sub, version(3)), sub);
    expect(b.map((n) => [n.type, n.eventNumber])).toEqual([['event-notification', 3]]);
    expect((await second.statusOf(sub.id))!.eventsSinceSubscriptionStart).toBe(3);
  });

  it('goes on from the restored store after a rebalance to another instance', async () => {
    const sub = r5Subscription('empty');
    const owner = harness();
    await owner.processor.process([match(sub, version(1)), match(sub, version(2))], sub);
    // The new owner restores the partition's store from its changelog: the same entries.
    const restored = new MemoryStore<SubscriptionStatusRecord>('subscription-status');
    for await (const [k, v] of owner.store.range()) await restored.put(k, v);
    const next = harness('2026-01-01T12:00:00.000Z', restored).processor;
    const out = await next.process(match(sub, version(3)), sub);
    expect(out.map((n) => [n.type, n.eventNumber])).toEqual([['event-notification', 3]]);
  });

  it('gives a reprocessed match its old number and notification id back', async () => {
    const store = new MemoryStore<SubscriptionStatusRecord>('subscription-status');
    const sub = r5Subscription('id-only');
    const { processor } = harness(undefined, store);
    const [, once] = await processor.process(match(sub, version(1)), sub);
    await processor.process(match(sub, version(2)), sub);
    // The changelog replays version 1 after a crash that lost the output but kept the store.
    const again = await harness('2026-01-01T11:00:00.000Z', store).processor.process(
      match(sub, version(1)),
      sub,
    );
    expect(again).toHaveLength(1);
    expect(again[0]!.eventNumber).toBe(once!.eventNumber);
    expect(again[0]!.notificationId).toBe(once!.notificationId);
    expect((await processor.statusOf(sub.id))!.eventsSinceSubscriptionStart).toBe(2);
  });

  it('gives replayed events their ids back when the crash lost the status record too', async () => {
    // The subscription as every instance's table holds it: the time its record was written.
    const sub = { ...r5Subscription('id-only'), writtenAt: '2026-01-01T09:00:00.000Z' };
    const first = await harness('2026-01-01T10:00:00.000Z').processor.process(
      [match(sub, version(1)), match(sub, version(2))],
      sub,
    );
    // Killed before its first commit: the successor starts from an empty store, at another time.
    const replay = await harness('2026-01-01T10:00:42.000Z').processor.process(
      [match(sub, version(1)), match(sub, version(2))],
      sub,
    );
    const ids = (ns: typeof first) => ns.map((n) => [n.type, n.eventNumber, n.notificationId]);
    expect(ids(replay)).toEqual(ids(first));
    // Deleted and made again: a new record, so new ids for the new event 1.
    const again = { ...sub, writtenAt: '2026-01-02T09:00:00.000Z' };
    const recreated = await harness('2026-01-02T10:00:00.000Z').processor.process(
      match(again, version(1)),
      again,
    );
    expect(recreated.at(-1)!.eventNumber).toBe(1);
    expect(recreated.at(-1)!.notificationId).not.toBe(first.at(1)!.notificationId);
  });

  it('numbers subscriptions independently, and tenants apart', async () => {
    const { processor } = harness();
    const a = r5Subscription('empty');
    const b = { ...r5Subscription('empty'), id: 'other' };
    const t = { ...r5Subscription('empty'), tenant: 'north' };
    await processor.process(match(a, version(1)), a);
    await processor.process(match(a, version(2)), a);
    const [, nb] = await processor.process(match(b, version(1)), b);
    const [, nt] = await processor.process(match(t, version(1)), t);
    expect(nb!.eventNumber).toBe(1);
    expect(nt).toMatchObject({ eventNumber: 1, tenant: 'north' });
    expect(await processor.statusOf('r5-sub', 'north')).toMatchObject({ eventsSinceSubscriptionStart: 1 });
    expect(await processor.statusOf('r5-sub')).toMatchObject({ eventsSinceSubscriptionStart: 2 });
  });
});
