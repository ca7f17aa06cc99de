/**
 * A process running one sink (Kafka mode) serves health, readiness and metrics, and answers the
 * admin and ingest routes with an OperationOutcome saying to use a processor instance.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });

afterAll(() => fixture.cleanup());

describe('a sink-only process', () => {
  it('serves ops routes and refuses admin writes and changes with an OperationOutcome', async () => {
    const service = await fixture.start('http-sink', await fixture.config());
    expect((await call(service.url, 'GET', '/healthz')).status).toBe(200);
    await waitFor(
      async () => ((await call(service.url, 'GET', '/readyz')).status === 200 ? true : undefined),
      {
        timeoutMs: 10_000,
        what: 'readiness',
      },
    );
    const metrics = await call(service.url, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/text\/plain/);

    const put = await call(service.url, 'PUT', '/fhir/Subscription/s1', classicR4('http://127.0.0.1:1/x'));
    expect(put.status).toBe(409);
    expect(put.body.issue[0].diagnostics).toMatch(/processor/);

    const changes = await call(service.url, 'POST', '/changes', glucose('g1'));
    expect(changes.status).toBe(409);
    expect(changes.body.resourceType).toBe('OperationOutcome');
    expect(changes.body.issue[0].diagnostics).toMatch(/processor/);
  });
});
