/**
 * A rest-hook endpoint that keeps failing (embedded mode): the sink's outcomes reach the notify
 * stage, `$status` turns to error with the reason, and no attempt is made beyond the configured
 * DELIVERY_MAX_ATTEMPTS. The same for a tenant's subscription, whose status record is keyed by
 * its tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture, type Json } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: false, settings: { DELIVERY_MAX_ATTEMPTS: 2 } });
const receiver = new HttpReceiver(() => ({ status: 500 }));
let hook: string;
let service: Awaited<ReturnType<ServiceFixture['start']>>;

beforeAll(async () => {
  hook = await receiver.start();
  service = await fixture.start('all', await fixture.config());
});

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

function statusCode(bundle: Json): string | undefined {
  const resource = bundle?.entry?.[0]?.resource;
  if (resource?.resourceType === 'SubscriptionStatus') return resource.status;
  return resource?.parameter?.find((p: Json) => p.name === 'status')?.valueCode;
}

describe('a failing rest-hook endpoint', () => {
  it.each<{ id: string; headers: Record<string, string> }>([
    { id: 'failing', headers: {} },
    { id: 'failing-north', headers: { 'x-tenant-id': 'north' } },
  ])('sets the status of $id to error after its attempts', async ({ id, headers }) => {
    const attempts = () => receiver.received.filter((r) => r.url.startsWith(`/${id}/`)).length;
    const subscription = classicR4(`${hook}/${id}`);
    expect((await call(service.url, 'PUT', `/fhir/Subscription/${id}`, subscription, headers)).status).toBe(
      201,
    );
    expect((await call(service.url, 'POST', '/changes', glucose(`g-${id}`), headers)).status).toBe(202);
    await waitFor(() => (attempts() >= 2 ? true : undefined), { timeoutMs: 10_000, what: 'two attempts' });
    const status = await waitFor(
      async () => {
        const body = (await call(service.url, 'GET', `/fhir/Subscription/${id}/$status`, undefined, headers))
          .body;
        return statusCode(body) === 'error' ? body : undefined;
      },
      { timeoutMs: 10_000, what: '$status error' },
    );
    expect(JSON.stringify(status)).toMatch(/500/);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(attempts()).toBe(2); // no attempt beyond DELIVERY_MAX_ATTEMPTS
  });
});
