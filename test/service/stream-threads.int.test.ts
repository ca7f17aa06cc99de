/**
 * One processor instance with two stream threads (PROCESSOR_THREADS=2) on the real broker: both
 * threads run tasks of the group, every subscription is notified whichever thread runs its
 * partition, `$events` is answered for subscriptions of either thread, `/metrics` adds up both
 * threads' counters, and the instance is ready only with both threads running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { encounter, json, putEncounterSubscriptions, statusOf } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true, settings: { PARTITIONS: 4 } });
const receiver = new HttpReceiver();

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

const SUBSCRIPTIONS = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? Number.NaN : Number(line.split(' ')[1]);
}

describe('a processor with two stream threads', () => {
  it('splits the partitions between its threads and answers for both', async () => {
    const hook = await receiver.start();
    const processor = await fixture.start('processor', await fixture.config({ PROCESSOR_THREADS: 2 }));
    await fixture.start('http-sink', await fixture.config());

    // Half of the tasks (4 partitions × 2 sub-topologies) run on the other thread.
    const own = processor.streams[0]!.localTasks();
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThan(8);
    expect((await call(processor.url, 'GET', '/readyz')).status).toBe(200);

    await putEncounterSubscriptions(processor.url, hook, SUBSCRIPTIONS);
    const events = (id: string) =>
      receiver.accepted.filter((r) => r.url === `/${id}` && statusOf(json(r))?.type === 'event-notification');
    await waitFor(
      () =>
        SUBSCRIPTIONS.every((id) => receiver.accepted.some((r) => r.url === `/${id}`)) ? true : undefined,
      { timeoutMs: 30_000, what: 'every handshake' },
    );

    const changes = Array.from({ length: 12 }, (_, i) => encounter(`e${i}`));
    expect((await call(processor.url, 'POST', '/changes', changes)).status).toBe(202);
    await waitFor(() => (SUBSCRIPTIONS.every((id) => events(id).length >= 12) ? true : undefined), {
      timeoutMs: 30_000,
      what: '12 events for every subscription',
    });

    // $events of every subscription: the ones of the other thread's partitions are asked of it.
    for (const id of SUBSCRIPTIONS) {
      const answer = await call(
        processor.url,
        'GET',
        `/fhir/Subscription/${id}/$events?eventsSinceNumber=12`,
      );
      expect(answer.status, id).toBe(200);
      expect(answer.body.entry[0].resource).toMatchObject({
        resourceType: 'SubscriptionStatus',
        type: 'query-event',
        notificationEvent: [{ eventNumber: '12' }],
      });
      expect(answer.body.entry[1].resource).toMatchObject({ resourceType: 'Encounter' });
    }

    // Counters of both threads, added up: every change was consumed once.
    const metrics = await waitFor(
      async () => {
        const text = (await call(processor.url, 'GET', '/metrics')).body as string;
        return metricValue(text, 'substream_changes_consumed_total') === 12 ? text : undefined;
      },
      { timeoutMs: 10_000, what: 'both threads counted in /metrics' },
    );
    expect(metricValue(metrics, 'substream_matches_total')).toBe(12 * SUBSCRIPTIONS.length);
    // The subscription count is the table's, not once per thread.
    expect(metrics).toContain(`substream_subscriptions{status="compiled"} ${SUBSCRIPTIONS.length}`);
    // Process metrics once.
    expect(metrics.match(/^substream_process_process_cpu_seconds_total /gm)).toHaveLength(1);
  });
});
