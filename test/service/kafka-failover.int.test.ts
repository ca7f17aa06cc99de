/**
 * Kafka mode, one processor of two stopped and started again: the other takes its partitions over,
 * the returning one restores its stores, and event numbers go on without a gap; any duplicate
 * carries the notification id of its first delivery.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../app/service/index.js';
import { HttpReceiver, type Received } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, eventsSinceStart, ServiceFixture } from '../support/service.js';
import { classicR4, expectEvents, postGlucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
const receiver = new HttpReceiver();

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

const deliveries = (): Received[] => receiver.accepted.filter((r) => r.url.startsWith('/r4/'));

const expectDeliveries = (n: number): Promise<void> => expectEvents(deliveries, n);

async function expectStatus(service: RunningService, n: number): Promise<void> {
  await waitFor(
    async () =>
      eventsSinceStart((await call(service.url, 'GET', '/fhir/Subscription/glucose/$status')).body) === n
        ? true
        : undefined,
    { timeoutMs: 15_000, what: `$status ${n}` },
  );
}

describe('Kafka mode failover', () => {
  it('numbers on without a gap when a processor leaves and comes back', async () => {
    const hook = await receiver.start();
    const [c1, c2, cs] = await Promise.all([fixture.config(), fixture.config(), fixture.config()]);
    let p1 = await fixture.start('processor', c1!);
    const p2 = await fixture.start('processor', c2!);
    await fixture.start('http-sink', cs!);
    expect((await call(p1.url, 'PUT', '/fhir/Subscription/glucose', classicR4(`${hook}/r4`))).status).toBe(
      201,
    );

    await postGlucose(p1.url, ['a1', 'a2', 'a3', 'a4']);
    await expectDeliveries(4);

    await p1.stop();
    await postGlucose(p2.url, ['b1', 'b2', 'b3', 'b4']);
    await expectDeliveries(8);
    await expectStatus(p2, 8);

    p1 = await fixture.start('processor', c1!);
    await postGlucose(p1.url, ['c1', 'c2', 'c3', 'c4']);
    await expectDeliveries(12);
    await expectStatus(p1, 12);
    await expectStatus(p2, 12);
  });
});
