import { describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../app/http/index.js';
import { fakePorts } from './fake-ports.js';

const subscription = {
  resourceType: 'Subscription',
  status: 'requested',
  criteria: 'Patient?',
  channel: { type: 'rest-hook' },
};

describe('FHIR admin routes', () => {
  it('creates, reads, lists, updates and deletes a Subscription', async () => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20 });
    const created = await app.inject({ method: 'POST', url: '/fhir/Subscription', payload: subscription });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    expect(created.headers.location).toBe(`/fhir/Subscription/${id}`);
    expect((await app.inject({ method: 'GET', url: `/fhir/Subscription/${id}` })).json()).toMatchObject({
      id,
    });
    expect((await app.inject({ method: 'GET', url: '/fhir/Subscription' })).json()).toMatchObject({
      total: 1,
    });
    const put = await app.inject({
      method: 'PUT',
      url: `/fhir/Subscription/${id}`,
      payload: { ...subscription, id, status: 'off' },
    });
    expect(put.statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/fhir/Subscription/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/fhir/Subscription/${id}` })).statusCode).toBe(404);
  });

  it('answers a subscription that does not compile with 422 and the reason', async () => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20 });
    const res = await app.inject({
      method: 'PUT',
      url: '/fhir/Subscription/x',
      payload: { ...subscription, invalid: true },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ diagnostics: 'criteria: unknown search parameter' }],
    });
  });

  it.each([
    ['a body of the wrong type', 'PUT', '/fhir/Subscription/x', { resourceType: 'Patient' }, 400],
    ['an id that differs from the URL', 'PUT', '/fhir/Subscription/x', { ...subscription, id: 'y' }, 400],
    ['an id that is not a FHIR id', 'GET', '/fhir/Subscription/a_b', undefined, 400],
    ['an unknown topic', 'GET', '/fhir/SubscriptionTopic/nope', undefined, 404],
    ['an unknown route', 'GET', '/fhir/Patient', undefined, 404],
  ])('refuses %s with an OperationOutcome', async (_what, method, url, payload, status) => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20 });
    const res = await app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('refuses malformed JSON with 400', async () => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20 });
    const res = await app.inject({
      method: 'POST',
      url: '/fhir/Subscription',
      headers: { 'content-type': 'application/fhir+json' },
      payload: '{nope',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ issue: { diagnostics: string }[] }>().issue[0]?.diagnostics).toMatch(/not valid JSON/);
  });
});
