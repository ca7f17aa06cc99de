import { describe, expect, it } from 'vitest';
import { body, expectGolden, harness, match, r5Subscription, readable } from './support.js';
import { expectR5Notification } from './fhir-shapes.js';

describe('R5 notification bundles', () => {
  it('sends a handshake first, then numbered event notifications (full-resource, include shape)', async () => {
    const { processor } = harness();
    const sub = r5Subscription('full-resource');
    const [handshake, event] = await processor.process(match(sub), sub);
    expect(handshake!.type).toBe('handshake');
    expectR5Notification(body(handshake), 'full-resource', 'handshake');
    expect(event!.type).toBe('event-notification');
    expect(event!.eventNumber).toBe(1);
    expect(event!.timeoutMs).toBe(30_000);
    const b = body(event);
    expectR5Notification(b, 'full-resource', 'event-notification');
    // The Patient the topic's notificationShape includes travels as additional context.
    expect((b.entry as { fullUrl: string }[]).map((e) => e.fullUrl)).toEqual([
      expect.stringMatching(/^urn:uuid:/),
      'https://fhir.example.org/r4/Encounter/enc-1',
      'https://fhir.example.org/r4/Patient/p1',
    ]);
    expectGolden('r5-handshake', readable(handshake!));
    expectGolden('r5-full-resource', readable(event!));
  });

  it('id-only: focus references and entries without resources', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only');
    const [, event] = await processor.process(match(sub), sub);
    expectR5Notification(body(event), 'id-only', 'event-notification');
    expectGolden('r5-id-only', readable(event!));
  });

  it('empty: event number and timestamp only', async () => {
    const { processor } = harness();
    const sub = r5Subscription('empty');
    const [, event] = await processor.process(match(sub), sub);
    expectR5Notification(body(event), 'empty', 'event-notification');
    expectGolden('r5-empty', readable(event!));
  });

  it('combines up to maxCount events in one notification', async () => {
    const { processor } = harness();
    const sub = r5Subscription('id-only', { maxCount: 2 });
    const matches = ['1', '2', '3'].map((v) =>
      match(sub, {
        focus: { reference: 'Encounter/enc-1', versionId: v },
        occurredAt: `2026-01-01T10:00:0${v}Z`,
      }),
    );
    const out = await processor.process(matches, sub);
    const events = out.filter((n) => n.type === 'event-notification');
    expect(events.map((n) => n.eventNumber)).toEqual([2, 3]);
    const first = body(events[0]).entry as { resource?: { notificationEvent?: unknown[] } }[];
    expect(first[0]!.resource!.notificationEvent).toHaveLength(2);
  });
});
