/**
 * Embedded mode (no Kafka): a classic R4 rest-hook and an R5 full-resource subscription are
 * delivered to a loopback receiver, and after a stop and a start on the same DATA_DIR the event
 * numbers go on without a gap; any duplicate carries the notification id of its first delivery.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpReceiver, type Received } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, eventsSinceStart, ServiceFixture } from '../support/service.js';
import {
  classicR4,
  encounter,
  encounterStartTopic,
  eventNumber,
  glucose,
  json,
  notificationId,
  r5FullResource,
  statusOf,
} from './scenario.js';

const fixture = new ServiceFixture({ kafka: false });
const receiver = new HttpReceiver();

afterEach(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

function classicPuts(): Received[] {
  return receiver.accepted.filter((r) => r.method === 'PUT' && r.url.startsWith('/r4/Observation/'));
}

function r5Events(): Received[] {
  return receiver.accepted.filter((r) => r.url === '/r5' && statusOf(json(r))?.type === 'event-notification');
}

/** Every event number once or more, numbered 1..n without a gap, one notification id per number. */
function expectGaplessOnceEach(requests: Received[], n: number): void {
  const ids = new Map<number, Set<string>>();
  for (const r of requests)
    ids.set(eventNumber(r), (ids.get(eventNumber(r)) ?? new Set()).add(notificationId(r)));
  expect([...ids.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  for (const [, set] of ids) expect(set.size).toBe(1);
}

async function statusCount(url: string, id: string, atLeast: number): Promise<number> {
  return waitFor(
    async () => {
      const n = eventsSinceStart((await call(url, 'GET', `/fhir/Subscription/${id}/$status`)).body);
      return n !== undefined && n >= atLeast ? n : undefined;
    },
    { timeoutMs: 10_000, what: `$status of ${id} to reach ${atLeast}` },
  );
}

describe('embedded mode', () => {
  it('delivers classic R4 and R5 notifications and numbers on across a restart', async () => {
    const hook = await receiver.start();
    const config = await fixture.config();
    let service = await fixture.start('all', config);

    expect(
      (await call(service.url, 'PUT', '/fhir/SubscriptionTopic/encounter-start', encounterStartTopic)).status,
    ).toBe(201);
    expect(
      (await call(service.url, 'PUT', '/fhir/Subscription/classic', classicR4(`${hook}/r4`))).status,
    ).toBe(201);
    expect(
      (await call(service.url, 'PUT', '/fhir/Subscription/r5', r5FullResource(`${hook}/r5`))).status,
    ).toBe(201);

    // R5: the handshake comes before any event.
    const handshake = await waitFor(
      () => receiver.accepted.find((r) => r.url === '/r5' && statusOf(json(r))?.type === 'handshake'),
      { timeoutMs: 10_000, what: 'the R5 handshake' },
    );

    const posted = await call(service.url, 'POST', '/changes', [glucose('g1'), encounter('e1')]);
    expect(posted.status).toBe(202);
    await waitFor(() => (classicPuts().length >= 1 && r5Events().length >= 1 ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the first notifications',
    });
    expect(receiver.accepted.indexOf(handshake)).toBeLessThan(receiver.accepted.indexOf(r5Events()[0]!));
    expect(json(classicPuts()[0]!)).toMatchObject({ resourceType: 'Observation', id: 'g1' });
    const bundle = json(r5Events()[0]!);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'subscription-notification' });
    expect(
      bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType),
    ).toContain('Encounter');
    expect(await statusCount(service.url, 'classic', 1)).toBe(1);
    expect(await statusCount(service.url, 'r5', 1)).toBe(1);

    await service.stop();
    service = await fixture.start('all', config);

    expect((await call(service.url, 'POST', '/changes', [glucose('g2', 200), encounter('e2')])).status).toBe(
      202,
    );
    await waitFor(
      () =>
        classicPuts().some((r) => eventNumber(r) === 2) && r5Events().some((r) => eventNumber(r) === 2)
          ? true
          : undefined,
      { timeoutMs: 15_000, what: 'notifications after the restart' },
    );
    expectGaplessOnceEach(classicPuts(), 2);
    expectGaplessOnceEach(r5Events(), 2);
    expect(classicPuts().map((r) => r.url)).toContain('/r4/Observation/g2');
    expect(await statusCount(service.url, 'classic', 2)).toBe(2);
    expect(await statusCount(service.url, 'r5', 2)).toBe(2);
    // $events: the event retained before the restart is still there, with the one after it.
    const events = await call(service.url, 'GET', '/fhir/Subscription/r5/$events');
    expect(events.status).toBe(200);
    expect(
      events.body.entry[0].resource.notificationEvent.map((e: { eventNumber: string }) => e.eventNumber),
    ).toEqual(['1', '2']);
    expect(events.body.entry.slice(1).map((e: { resource: { id: string } }) => e.resource.id)).toEqual([
      'e1',
      'e2',
    ]);
    // The handshake and deliveries were acknowledged: the R5 subscription is active.
    await waitFor(
      async () =>
        (await call(service.url, 'GET', '/fhir/Subscription/r5/$status')).body.entry[0].resource.status ===
        'active'
          ? true
          : undefined,
      { timeoutMs: 5_000, what: 'the R5 subscription active' },
    );
    // A read shows the status the stage gave it, as a FHIR server's does; the list too.
    expect((await call(service.url, 'GET', '/fhir/Subscription/r5')).body.status).toBe('active');
    const list = await call(service.url, 'GET', '/fhir/Subscription');
    expect(
      list.body.entry.find((e: { resource: { id: string } }) => e.resource.id === 'r5').resource.status,
    ).toBe('active');
  });
});
