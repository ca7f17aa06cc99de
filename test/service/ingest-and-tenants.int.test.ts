/**
 * HTTP ingest as a FHIR server's rest-hook target (PUT /ingest/fhir/{type}/{id}), and tenant
 * isolation: a subscription registered for one tenant (X-Tenant-Id) sees only that tenant's changes.
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

describe('ingest and tenants', () => {
  it('delivers ingested resources to the subscriptions of their tenant only', async () => {
    const hook = await receiver.start();
    const service = await fixture.start('all', await fixture.config());
    const a = { 'x-tenant-id': 'tenant-a' };
    const b = { 'x-tenant-id': 'tenant-b' };
    expect((await call(service.url, 'PUT', '/fhir/Subscription/s', classicR4(`${hook}/a`), a)).status).toBe(
      201,
    );
    expect((await call(service.url, 'PUT', '/fhir/Subscription/s', classicR4(`${hook}/b`), b)).status).toBe(
      201,
    );
    expect((await call(service.url, 'GET', '/fhir/Subscription/s', undefined, a)).body.channel.endpoint).toBe(
      `${hook}/a`,
    );
    expect((await call(service.url, 'GET', '/fhir/Subscription/s')).status).toBe(404);

    const resource = glucose('from-b').resource;
    expect((await call(service.url, 'PUT', '/ingest/fhir/Observation/from-b', resource, b)).status).toBe(202);
    expect((await call(service.url, 'POST', '/changes', glucose('from-a'), a)).status).toBe(202);
    await waitFor(() => (receiver.accepted.length >= 2 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'both deliveries',
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // room for a leak to show
    expect(receiver.accepted.map((r) => r.url).sort()).toEqual([
      '/a/Observation/from-a',
      '/b/Observation/from-b',
    ]);
  });
});
