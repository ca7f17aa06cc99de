/**
 * A graceful stop of an idle service should commit what its sink delivered, so that a restart
 * delivers nothing twice. Skipped because it does not hold reliably: in the embedded restart
 * scenario (two subscriptions) the last notification of each subscription delivered before the
 * stop came again after the restart in every instrumented run (same notification id, so
 * at-least-once holds); in this smaller scenario it happens only sometimes. Likely cause: the
 * runtime hands a stage's committable offset to the consumer only at the end of a batch
 * (topology/runtime/task.ts processBatch → control.markProcessed), while the delivery stage
 * acknowledges asynchronously after its batch; neither the punctuator's commit nor the clean
 * close passes the advanced offset on (both transports commit consumer offsets only in their
 * batch loop: topology/embedded/transport.ts and connectors/kafka/transport.ts).
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

describe('graceful stop', () => {
  it.skip('commits what the sink delivered: nothing comes twice after a restart', async () => {
    const hook = await receiver.start();
    const config = await fixture.config();
    let service = await fixture.start('all', config);
    expect((await call(service.url, 'PUT', '/fhir/Subscription/s', classicR4(`${hook}/r4`))).status).toBe(
      201,
    );
    expect((await call(service.url, 'POST', '/changes', glucose('g1'))).status).toBe(202);
    await waitFor(() => receiver.accepted[0], { timeoutMs: 10_000, what: 'the delivery' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several commit intervals, idle
    await service.stop();

    service = await fixture.start('all', config);
    expect((await call(service.url, 'POST', '/changes', glucose('g2'))).status).toBe(202);
    await waitFor(() => receiver.accepted.find((r) => r.url === '/r4/Observation/g2'), {
      timeoutMs: 10_000,
      what: 'the delivery after the restart',
    });
    expect(receiver.accepted.map((r) => r.url)).toEqual(['/r4/Observation/g1', '/r4/Observation/g2']);
  });
});
