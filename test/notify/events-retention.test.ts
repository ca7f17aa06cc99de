import { describe, expect, it } from 'vitest';
import {
  EventLog,
  eventsBundle,
  missingEvents,
  NotifyProcessor,
  type RetainedEvent,
  type SubscriptionStatusRecord,
} from '../../processors/index.js';
import { FakeDateClock } from '../fakes/date-clock.js';
import { MemoryStore } from '../fakes/memory-store.js';
import { backportSubscription, BASE, match, r5Subscription } from './support.js';

function retaining(maxEvents: number, maxAgeMs?: number) {
  const clock = new FakeDateClock('2026-01-01T10:00:05.000Z');
  const events = new MemoryStore<RetainedEvent>('subscription-events');
  const log = new EventLog(events, { maxEvents, ...(maxAgeMs !== undefined ? { maxAgeMs } : {}) });
  const processor = new NotifyProcessor({
    store: new MemoryStore<SubscriptionStatusRecord>('subscription-status'),
    now: clock.now,
    baseUrl: BASE,
    events: log,
  });
  return { clock, events, log, processor };
}

/** n matches of distinct versions of one encounter. */
function matches(sub: Parameters<typeof match>[0], n: number, from = 1) {
  return Array.from({ length: n }, (_, i) =>
    match(sub, { focus: { reference: 'Encounter/enc-1', versionId: String(from + i) } }),
  );
}

type Entry = { fullUrl?: string; resource?: Record<string, unknown> };

describe('events retained for $events', () => {
  it('keeps the last N events of a subscription, one write and one tombstone per event', async () => {
    const { processor, events } = retaining(3);
    const sub = r5Subscription('full-resource');
    await processor.process(matches(sub, 5), sub);
    expect(await events.approximateCount()).toBe(3);
    const found = await processor.eventsOf(sub.id, undefined, {});
    expect(found?.events.map((e) => e.eventNumber)).toEqual([3, 4, 5]);
    const ranged = await processor.eventsOf(sub.id, undefined, { since: 4, until: 4 });
    expect(ranged?.events.map((e) => e.eventNumber)).toEqual([4]);
    expect(ranged?.events[0]?.resource?.resourceType).toBe('Encounter');
  });

  it('keeps resources only for full-resource subscriptions', async () => {
    const { processor } = retaining(10);
    const sub = r5Subscription('id-only');
    await processor.process(matches(sub, 1), sub);
    const found = await processor.eventsOf(sub.id, undefined, {});
    expect(found?.events[0]?.resource).toBeUndefined();
    expect(found?.events[0]?.focus.reference).toBe('Encounter/enc-1');
  });

  it('forgets the events of a deleted subscription', async () => {
    const { processor, events } = retaining(10);
    const sub = r5Subscription('empty');
    await processor.process(matches(sub, 2), sub);
    await processor.subscriptionRemoved(sub.id);
    expect(await events.approximateCount()).toBe(0);
  });

  it('drops events past the time bound, a bounded number of entries per pass', async () => {
    const { processor, log, clock, events } = retaining(100, 60_000);
    const sub = r5Subscription('empty');
    await processor.process(matches(sub, 5), sub);
    clock.advance(30_000);
    await processor.process(matches(sub, 2, 6), sub);
    clock.advance(40_000);
    // 7 entries, 3 per pass: the old five go over two passes, the two recent stay.
    let dropped = 0;
    for (let pass = 0; pass < 4; pass++) dropped += await log.prune(clock.now(), 3);
    expect(dropped).toBe(5);
    expect(await events.approximateCount()).toBe(2);
  });
});

describe('$events bundles', () => {
  it('R5: a subscription-notification Bundle whose status has type query-event, content lowered on request', async () => {
    const { processor } = retaining(10);
    const sub = r5Subscription('full-resource');
    await processor.process(matches(sub, 3), sub);
    const found = (await processor.eventsOf(sub.id, undefined, { since: 2 }))!;
    const full = eventsBundle({ sub, ...found, query: { since: 2 }, baseUrl: BASE, now: new Date() });
    expect(full.type).toBe('subscription-notification');
    const [status, ...rest] = full.entry as Entry[];
    expect(status!.resource).toMatchObject({
      resourceType: 'SubscriptionStatus',
      type: 'query-event',
      eventsSinceSubscriptionStart: '3',
      notificationEvent: [
        { eventNumber: '2', focus: { reference: `${BASE}/Encounter/enc-1` } },
        { eventNumber: '3', focus: { reference: `${BASE}/Encounter/enc-1` } },
      ],
    });
    expect(rest[0]!.resource?.resourceType).toBe('Encounter');
    const idOnly = eventsBundle({
      sub,
      ...found,
      query: { since: 2, content: 'id-only' },
      baseUrl: BASE,
      now: new Date(),
    });
    expect((idOnly.entry as Entry[]).slice(1).every((e) => e.resource === undefined)).toBe(true);
    const empty = eventsBundle({
      sub,
      ...found,
      query: { content: 'empty' },
      baseUrl: BASE,
      now: new Date(),
    });
    expect(empty.entry as Entry[]).toHaveLength(1);
    // Content is never raised above what the subscription asked for.
    const idSub = r5Subscription('id-only');
    const raised = eventsBundle({
      sub: idSub,
      ...found,
      query: { content: 'full-resource' },
      baseUrl: BASE,
      now: new Date(),
    });
    expect((raised.entry as Entry[]).slice(1).every((e) => e.resource === undefined)).toBe(true);
  });

  it('R4 backport: a history Bundle with the status Parameters (type query-event) first', async () => {
    const { processor } = retaining(10);
    const sub = backportSubscription('R4', 'id-only');
    await processor.process(matches(sub, 2), sub);
    const found = (await processor.eventsOf(sub.id, undefined, {}))!;
    const bundle = eventsBundle({ sub, ...found, query: {}, baseUrl: BASE, now: new Date() });
    expect(bundle.type).toBe('history');
    const status = (bundle.entry as Entry[])[0]!.resource as { resourceType: string; parameter: unknown[] };
    expect(status.resourceType).toBe('Parameters');
    expect(status.parameter).toContainEqual({ name: 'type', valueCode: 'query-event' });
    expect(
      status.parameter.filter((p) => (p as { name: string }).name === 'notification-event'),
    ).toHaveLength(2);
  });

  it('tells which asked events are no longer retained', async () => {
    const { processor } = retaining(2);
    const sub = r5Subscription('empty');
    await processor.process(matches(sub, 5), sub);
    const found = (await processor.eventsOf(sub.id, undefined, { since: 1 }))!;
    expect(missingEvents({ since: 1 }, 5, found.events)).toEqual({ from: 1, to: 3 });
    expect(missingEvents({ since: 4 }, 5, found.events)).toBeUndefined();
    expect(missingEvents({ since: 6 }, 5, [])).toBeUndefined();
    const gone = (await processor.eventsOf(sub.id, undefined, { until: 2 }))!;
    expect(missingEvents({ until: 2 }, 5, gone.events)).toEqual({ from: 1, to: 2 });
    const bundle = eventsBundle({
      sub,
      ...found,
      query: { since: 1 },
      baseUrl: BASE,
      now: new Date(),
      gap: { from: 1, to: 3 },
    });
    expect(bundle.issues).toMatchObject({
      issue: [{ severity: 'warning', diagnostics: 'events 1 to 3 are no longer retained' }],
    });
  });
});
