import { describe, expect, it } from 'vitest';
import { buildHttpServer } from '../../app/http/index.js';
import { fakePorts } from './fake-ports.js';

const token = 'a-long-enough-admin-token';

describe('authentication and operational routes', () => {
  it('requires the bearer token on admin and ingest routes when one is set', async () => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20, adminToken: token });
    expect((await app.inject({ method: 'GET', url: '/fhir/Subscription' })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'GET',
      url: '/fhir/Subscription',
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'security' }] });
    const ok = await app.inject({
      method: 'GET',
      url: '/fhir/Subscription',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/changes', payload: {} })).statusCode).toBe(401);
  });

  it('leaves health, readiness and metrics open', async () => {
    const app = buildHttpServer({ ports: fakePorts(), bodyLimit: 1 << 20, adminToken: token });
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
  });

  it('validates $events parameters', async () => {
    const ports = fakePorts();
    ports.subscriptionsFake.items.set('s', { resourceType: 'Subscription', id: 's' });
    const app = buildHttpServer({ ports, bodyLimit: 1 << 20 });
    expect((await app.inject({ method: 'GET', url: '/fhir/Subscription/s/$status' })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/fhir/Subscription/s/$events?eventsSinceNumber=3' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/fhir/Subscription/s/$events?eventsSinceNumber=x' }))
        .statusCode,
    ).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/fhir/Subscription/nope/$status' })).statusCode).toBe(
      404,
    );
  });
});
