/**
 * Kafka mode end to end: two processor instances in one consumer group and the three sinks as
 * their own services. A classic R4 rest-hook, an R5 full-resource subscription, an AMQP message
 * channel and a Smile named Kafka channel are delivered; subscriptions created, changed and deleted
 * while running take effect; `$status` asked of either processor gives the same counters, and
 * `$events` asked of either gives the retained events (routed to the owner of the subscription).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../app/service/index.js';
import { TestQueue } from '../fakes/amqp-queue.js';
import { HttpReceiver, type Received } from '../fakes/http-receiver.js';
import { TestTopic } from '../fakes/kafka-topic.js';
import { uniqueName, waitFor } from '../support/infra.js';
import { call, eventsSinceStart, ServiceFixture } from '../support/service.js';
import {
  amqpMessage,
  classicR4,
  condition,
  encounter,
  encounterStartTopic,
  glucose,
  heartRate,
  json,
  kafkaNamedChannel,
  patient,
  r5FullResource,
  statusOf,
} from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
const receiver = new HttpReceiver();
const queue = new TestQueue(uniqueName('svc-queue'));
const named = new TestTopic(uniqueName('svc-named'));

afterAll(async () => {
  await fixture.cleanup();
  await Promise.all([receiver.stop(), queue.stop(), named.stop()]);
});

const classicPuts = (): Received[] => receiver.accepted.filter((r) => r.url.startsWith('/r4/'));
const r5Events = (): Received[] =>
  receiver.accepted.filter((r) => r.url === '/r5' && statusOf(json(r))?.type === 'event-notification');

async function counters(service: RunningService, ids: readonly string[]): Promise<(number | undefined)[]> {
  return Promise.all(
    ids.map(async (id) =>
      eventsSinceStart((await call(service.url, 'GET', `/fhir/Subscription/${id}/$status`)).body),
    ),
  );
}

/** Waits until both processors report `expected` for the subscriptions, and returns what they said. */
async function sameCountersOnBoth(
  processors: readonly RunningService[],
  expected: Record<string, number>,
): Promise<void> {
  const ids = Object.keys(expected);
  const answers = await waitFor(
    async () => {
      const all = await Promise.all(processors.map((p) => counters(p, ids)));
      return all.every((a) => a.every((n, i) => n === expected[ids[i]!])) ? all : undefined;
    },
    { timeoutMs: 15_000, what: `$status counters ${JSON.stringify(expected)} on both processors` },
  );
  expect(answers[0]).toEqual(answers[1]);
}

describe('Kafka mode with two processors and the sinks', () => {
  it('delivers on every channel and follows subscriptions created, changed and deleted', async () => {
    const hook = await receiver.start();
    await Promise.all([queue.start(), named.start()]);
    const [c1, c2, ch, ca, ck] = await Promise.all([
      fixture.config(),
      fixture.config(),
      fixture.config(),
      fixture.config(),
      fixture.config(),
    ]);
    const processors = await Promise.all([fixture.start('processor', c1!), fixture.start('processor', c2!)]);
    await Promise.all([
      fixture.start('http-sink', ch!),
      fixture.start('amqp-sink', ca!),
      fixture.start('kafka-sink', ck!),
    ]);
    const [p1, p2] = processors as [RunningService, RunningService];

    expect(
      (await call(p1.url, 'PUT', '/fhir/SubscriptionTopic/encounter-start', encounterStartTopic)).status,
    ).toBe(201);
    expect((await call(p1.url, 'PUT', '/fhir/Subscription/classic', classicR4(`${hook}/r4`))).status).toBe(
      201,
    );
    expect((await call(p2.url, 'PUT', '/fhir/Subscription/r5', r5FullResource(`${hook}/r5`))).status).toBe(
      201,
    );
    expect((await call(p1.url, 'PUT', '/fhir/Subscription/amqp', amqpMessage(queue.name))).status).toBe(201);
    expect(
      (await call(p2.url, 'PUT', '/fhir/Subscription/named', kafkaNamedChannel(named.name))).status,
    ).toBe(201);
    await waitFor(
      () => receiver.accepted.find((r) => r.url === '/r5' && statusOf(json(r))?.type === 'handshake'),
      {
        timeoutMs: 20_000,
        what: 'the R5 handshake',
      },
    );

    // Changes posted to either processor.
    expect(
      (await call(p1.url, 'POST', '/changes', [glucose('g1'), encounter('e1'), patient('pt1', 'Chalmers')]))
        .status,
    ).toBe(202);
    expect((await call(p2.url, 'POST', '/changes', [glucose('g2'), condition('c1')])).status).toBe(202);
    await waitFor(
      () =>
        classicPuts().length >= 2 &&
        r5Events().length >= 1 &&
        queue.messages.length >= 1 &&
        named.messages.length >= 1
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'a notification on every channel' },
    );
    expect(new Set(classicPuts().map((r) => r.url))).toEqual(
      new Set(['/r4/Observation/g1', '/r4/Observation/g2']),
    );
    expect(json(classicPuts()[0]!)).toMatchObject({ resourceType: 'Observation' });
    const bundle = json(r5Events()[0]!);
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'subscription-notification' });
    expect(JSON.stringify(bundle)).toContain('"Encounter"');
    expect(queue.events()).toEqual([1]);
    expect(queue.messages[0]!.content.toString()).toContain('pt1');
    expect(named.messages[0]!.value?.toString()).toContain('c1');
    await sameCountersOnBoth(processors, { classic: 2, r5: 1, amqp: 1, named: 1 });

    // $events from either processor: one of them holds the events, the other routes to it.
    const fromEach = await Promise.all(
      processors.map((p) => call(p.url, 'GET', '/fhir/Subscription/r5/$events?eventsSinceNumber=1')),
    );
    for (const answer of fromEach) {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ resourceType: 'Bundle', type: 'subscription-notification' });
      expect(answer.body.entry[0].resource).toMatchObject({
        resourceType: 'SubscriptionStatus',
        type: 'query-event',
        notificationEvent: [{ eventNumber: '1' }],
      });
      expect(answer.body.entry[1].resource).toMatchObject({ resourceType: 'Encounter', id: 'e1' });
    }
    const idOnly = await call(p2.url, 'GET', '/fhir/Subscription/r5/$events?content=id-only');
    expect(idOnly.body.entry[1].resource).toBeUndefined();
    const classicEvents = await call(p1.url, 'GET', '/fhir/Subscription/classic/$events?eventsUntilNumber=2');
    expect(classicEvents.body).toMatchObject({ resourceType: 'Bundle', type: 'history' });

    // While running: classic now follows heart rates, the AMQP subscription is deleted, one more is created.
    expect(
      (
        await call(
          p2.url,
          'PUT',
          '/fhir/Subscription/classic',
          classicR4(`${hook}/r4`, 'Observation?code=http://loinc.org|8867-4'),
        )
      ).status,
    ).toBe(200);
    expect((await call(p1.url, 'DELETE', '/fhir/Subscription/amqp')).status).toBe(204);
    expect(
      (
        await call(
          p1.url,
          'PUT',
          '/fhir/Subscription/late',
          classicR4(`${hook}/late`, 'Patient?family=Chalmers'),
        )
      ).status,
    ).toBe(201);
    for (const p of processors) {
      await waitFor(
        async () => ((await call(p.url, 'GET', '/fhir/Subscription/amqp')).status === 404 ? true : undefined),
        {
          what: 'the deletion on every processor',
        },
      );
    }
    expect(
      (
        await call(p1.url, 'POST', '/changes', [
          glucose('g3'),
          heartRate('hr1'),
          patient('pt2', 'Chalmers'),
          condition('c2'),
        ])
      ).status,
    ).toBe(202);
    await waitFor(
      () =>
        classicPuts().some((r) => r.url === '/r4/Observation/hr1') &&
        receiver.accepted.some((r) => r.url === '/late/Patient/pt2') &&
        named.messages.length >= 2
          ? true
          : undefined,
      { timeoutMs: 30_000, what: 'notifications after the changes' },
    );
    await new Promise((resolve) => setTimeout(resolve, 1000)); // room for anything that should not come
    expect(classicPuts().map((r) => r.url)).not.toContain('/r4/Observation/g3');
    expect(queue.messages).toHaveLength(1);
    expect(named.messages[1]!.value?.toString()).toContain('c2');
    await sameCountersOnBoth(processors, { classic: 3, r5: 1, named: 2, late: 1 });
    expect((await call(p2.url, 'GET', '/fhir/Subscription/amqp/$status')).status).toBe(404);
  });
});
