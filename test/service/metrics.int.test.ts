/**
 * /metrics of a running processor: the subscriptions gauge follows the table by compile status,
 * and matches and notifications are counted.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: false });
const receiver = new HttpReceiver();

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

/** The value of one sample line, e.g. `substream_subscriptions{status="compiled"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('counts subscriptions by status, matches and notifications', async () => {
    const hook = await receiver.start();
    const service = await fixture.start('all', await fixture.config());
    expect((await call(service.url, 'PUT', '/fhir/Subscription/a', classicR4(`${hook}/a`))).status).toBe(201);
    expect((await call(service.url, 'PUT', '/fhir/Subscription/b', classicR4(`${hook}/b`))).status).toBe(201);
    expect((await call(service.url, 'POST', '/changes', glucose('g1'))).status).toBe(202);
    await waitFor(() => (receiver.accepted.length >= 2 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'deliveries',
    });

    const text = await waitFor(
      async () => {
        const body = String((await call(service.url, 'GET', '/metrics')).body);
        return sample(body, 'substream_subscriptions{status="compiled"}') === 2 ? body : undefined;
      },
      { timeoutMs: 5_000, what: 'the subscriptions gauge' },
    );
    expect(sample(text, 'substream_matches_total')).toBe(2);
    expect(sample(text, 'substream_notifications_total{channel="rest-hook",type="event-notification"}')).toBe(
      2,
    );
  });
});
