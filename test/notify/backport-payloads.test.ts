import { describe, expect, it } from 'vitest';
import { backportSubscription, body, expectGolden, harness, match, readable } from './support.js';
import { expectR4BackportNotification, expectR4BNotification } from './fhir-shapes.js';

const contents = ['full-resource', 'id-only', 'empty'] as const;

describe('R4B and R4 backport notification bundles', () => {
  it.each(contents)(
    'R4B %s: history Bundle, SubscriptionStatus first, request/response on every entry',
    async (content) => {
      const { processor } = harness();
      const sub = backportSubscription('R4B', content);
      const [handshake, event] = await processor.process(match(sub), sub);
      expectR4BNotification(body(handshake), content, 'handshake', sub.id);
      expectR4BNotification(body(event), content, 'event-notification', sub.id);
      if (content === 'full-resource') expectGolden('r4b-handshake', readable(handshake!));
      expectGolden(`r4b-${content}`, readable(event!));
    },
  );

  it.each(contents)(
    'R4 %s: history Bundle, backport Parameters first, status url ends $status',
    async (content) => {
      const { processor } = harness();
      const sub = backportSubscription('R4', content);
      const [handshake, event] = await processor.process(match(sub), sub);
      expectR4BackportNotification(body(handshake), content, 'handshake', sub.id);
      expectR4BackportNotification(body(event), content, 'event-notification', sub.id);
      if (content === 'full-resource') expectGolden('r4-backport-handshake', readable(handshake!));
      expectGolden(`r4-backport-${content}`, readable(event!));
    },
  );

  it('a delete in full-resource content keeps the request and leaves the resource out', async () => {
    const { processor } = harness();
    const sub = backportSubscription('R4', 'full-resource');
    const out = await processor.process(
      match(sub, {
        interaction: 'delete',
        focus: { reference: 'Encounter/enc-1', versionId: '4' },
        context: [],
      }),
      sub,
    );
    const entry = (body(out[1]).entry as Record<string, unknown>[])[1]!;
    expect(entry).toEqual({
      fullUrl: 'https://fhir.example.org/r4/Encounter/enc-1',
      request: { method: 'DELETE', url: 'Encounter/enc-1' },
      response: { status: '204' },
    });
  });
});
