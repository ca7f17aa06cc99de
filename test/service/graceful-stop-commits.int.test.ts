/**
 * A graceful stop commits what the sink delivered, so that a restart delivers nothing twice: the
 * delivery stage acknowledges after its batch (its commit barrier moves without new input), and the
 * runtime commits the barrier from its commit-interval tick and again on the clean close.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixtures: ServiceFixture[] = [];
const receivers: HttpReceiver[] = [];

afterAll(async () => {
  await Promise.all(fixtures.map((f) => f.cleanup()));
  await Promise.all(receivers.map((r) => r.stop()));
});

describe.each([
  { mode: 'kafka', kafka: true },
  { mode: 'embedded', kafka: false },
])('graceful stop ($mode)', ({ mode, kafka }) => {
  it('commits what the sink delivered: nothing comes twice after a restart', async () => {
    const fixture = new ServiceFixture({ kafka });
    fixtures.push(fixture);
    const receiver = new HttpReceiver();
    receivers.push(receiver);
    const hook = await receiver.start();
    const path = `/${mode}`;
    const config = await fixture.config();
    let service = await fixture.start('all', config);
    expect((await call(service.url, 'PUT', '/fhir/Subscription/s', classicR4(`${hook}${path}`))).status).toBe(
      201,
    );
    expect((await call(service.url, 'POST', '/changes', glucose('g1'))).status).toBe(202);
    await waitFor(() => receiver.accepted.find((r) => r.url === `${path}/Observation/g1`), {
      timeoutMs: 15_000,
      what: 'the delivery',
    });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several commit intervals, idle
    await service.stop();

    service = await fixture.start('all', config);
    expect((await call(service.url, 'POST', '/changes', glucose('g2'))).status).toBe(202);
    await waitFor(() => receiver.accepted.find((r) => r.url === `${path}/Observation/g2`), {
      timeoutMs: 15_000,
      what: 'the delivery after the restart',
    });
    expect(receiver.accepted.map((r) => r.url).filter((url) => url.startsWith(`${path}/`))).toEqual([
      `${path}/Observation/g1`,
      `${path}/Observation/g2`,
    ]);
  });
});
