/**
 * Undeliverable notifications through the admin API (Kafka mode): a subscription whose endpoint
 * refuses for good has its notification in the delivery dead-letter topic, listed by subscription
 * (its tenant and id), and a redrive delivers it once the endpoint takes it. Two tenants each have
 * a subscription of the same id: neither sees nor redrives the other's.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture, type Json } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
let refusing = true;
const receiver = new HttpReceiver((request) => ({
  status: refusing && request.url.startsWith('/north/') ? 410 : 200,
}));

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

const north = { 'x-tenant-id': 'north' };
const south = { 'x-tenant-id': 'south' };

describe('delivery dead letters through the admin API', () => {
  it("lists and redrives one tenant's subscription, not another's of the same id", async () => {
    const hook = await receiver.start();
    const service = await fixture.start('all', await fixture.config());
    for (const [tenant, headers] of [
      ['north', north],
      ['south', south],
    ] as const) {
      const put = await call(
        service.url,
        'PUT',
        '/fhir/Subscription/s',
        classicR4(`${hook}/${tenant}`),
        headers,
      );
      expect(put.status).toBe(201);
      expect((await call(service.url, 'POST', '/changes', glucose(`g-${tenant}`), headers)).status).toBe(202);
    }
    await waitFor(() => receiver.accepted.find((r) => r.url === '/south/Observation/g-south'), {
      timeoutMs: 30_000,
      what: "south's delivery",
    });
    const listed = (headers: Record<string, string>) =>
      call(service.url, 'GET', '/admin/dlq/deliveries?subscription=s', undefined, headers).then(
        (r) => r.body as Json[],
      );
    const letters = await waitFor(
      async () => ((await listed(north)).length > 0 ? listed(north) : undefined),
      {
        timeoutMs: 30_000,
        what: "north's dead letter",
      },
    );
    expect(letters).toHaveLength(1);
    expect(JSON.stringify(letters[0])).toMatch(/410/);
    expect(await listed(south)).toEqual([]);
    expect(await listed({})).toEqual([]);
    const all = (headers: Record<string, string>) =>
      call(service.url, 'GET', '/admin/dlq/deliveries', undefined, headers).then(
        (r) => (r.body as Json[]).length,
      );
    expect(await all(north)).toBe(1);
    expect(await all(south)).toBe(0);
    expect(await all({})).toBe(1); // an operator without a tenant sees every tenant's

    const redrive = (headers: Record<string, string>) =>
      call(service.url, 'POST', '/admin/dlq/deliveries/s/redrive', undefined, headers);
    expect((await redrive(south)).body).toEqual({ redriven: 0 });
    refusing = false;
    expect((await redrive(north)).body).toEqual({ redriven: 1 });
    await waitFor(() => receiver.accepted.find((r) => r.url === '/north/Observation/g-north'), {
      timeoutMs: 30_000,
      what: "north's redriven delivery",
    });
    expect(receiver.accepted.filter((r) => r.url.startsWith('/south/'))).toHaveLength(1);
  });
});
