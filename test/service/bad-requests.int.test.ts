/**
 * Every route answers a bad request with an OperationOutcome and the right status: unknown search
 * parameters and unknown topics are refused before anything is written, an invalid /changes
 * request is refused whole, unknown routes are 404, and ADMIN_TOKEN guards admin and ingest routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../app/service/index.js';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture, type Json } from '../support/service.js';
import { classicR4, glucose, r5FullResource } from './scenario.js';

const TOKEN = 'a-test-admin-token-of-some-length';
const AUTH = { authorization: `Bearer ${TOKEN}` };

const fixture = new ServiceFixture({ kafka: false, settings: { ADMIN_TOKEN: TOKEN } });
const receiver = new HttpReceiver();
let service: RunningService;
let hook: string;

beforeAll(async () => {
  hook = await receiver.start();
  service = await fixture.start('all', await fixture.config());
});

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(service.url, method, path, body, { ...AUTH, ...headers });

/** The answer is an OperationOutcome with this status, whose diagnostics match `reason`. */
function expectOutcome(answer: { status: number; body: Json }, status: number, reason?: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.body?.resourceType).toBe('OperationOutcome');
  expect(answer.body.issue[0].severity).toBe('error');
  if (reason) expect(answer.body.issue[0].diagnostics).toMatch(reason);
}

describe('bad requests', () => {
  it('refuses a subscription with an unknown search parameter with 422 and the reason', async () => {
    const answer = await api(
      'PUT',
      '/fhir/Subscription/bad-param',
      classicR4(`${hook}/x`, 'Observation?flavour=sweet'),
    );
    expectOutcome(answer, 422, /flavour/);
    expectOutcome(await api('GET', '/fhir/Subscription/bad-param'), 404);
  });

  it('refuses a topic-based subscription whose topic does not exist with 422', async () => {
    const body = { ...r5FullResource(`${hook}/x`), topic: 'http://example.org/fhir/SubscriptionTopic/none' };
    expectOutcome(await api('PUT', '/fhir/Subscription/no-topic', body), 422, /SubscriptionTopic\/none/);
    expectOutcome(await api('POST', '/fhir/Subscription', body), 422);
  });

  it('refuses malformed admin writes and unknown ids', async () => {
    expectOutcome(
      await api('PUT', '/fhir/Subscription/x', '{not json', { 'content-type': 'application/json' }),
      400,
      /JSON/,
    );
    expectOutcome(await api('PUT', '/fhir/Subscription/x', { resourceType: 'Patient' }), 400, /resourceType/);
    expectOutcome(
      await api('PUT', '/fhir/Subscription/x', { ...classicR4(`${hook}/x`), id: 'y' }),
      400,
      /differs/,
    );
    expectOutcome(
      await api('PUT', '/fhir/Subscription/bad_id!', classicR4(`${hook}/x`)),
      400,
      /not a FHIR id/,
    );
    expectOutcome(
      await api('PUT', '/fhir/SubscriptionTopic/t', { resourceType: 'SubscriptionTopic' }),
      422,
      /url/,
    );
    expectOutcome(await api('GET', '/fhir/Subscription/missing'), 404, /not known/);
    expectOutcome(await api('DELETE', '/fhir/Subscription/missing'), 404);
    expectOutcome(await api('GET', '/fhir/SubscriptionTopic/missing'), 404);
    expectOutcome(await api('GET', '/fhir/Subscription/missing/$status'), 404);
    expectOutcome(
      await api('GET', '/fhir/Subscription/missing/$events?eventsSinceNumber=-1'),
      400,
      /eventsSinceNumber/,
    );
    expectOutcome(await api('PUT', '/ingest/fhir/Patient/p1', [1, 2]), 400);
  });

  it('refuses an invalid /changes request whole and accepts nothing of it', async () => {
    expect((await api('PUT', '/fhir/Subscription/glucose', classicR4(`${hook}/r4`))).status).toBe(201);
    expectOutcome(
      await api('POST', '/changes', [
        glucose('refused-1'),
        { interaction: 'explode', resourceType: 'Observation', id: 'x' },
      ]),
      400,
      /change 2/,
    );
    expectOutcome(
      await api('POST', '/changes', [
        glucose('refused-2'),
        { interaction: 'update', resourceType: 'Observation' },
      ]),
      400,
    );
    expectOutcome(
      await api('POST', '/changes', `${JSON.stringify(glucose('refused-3'))}\n{oops`, {
        'content-type': 'application/x-ndjson',
      }),
      400,
      /line 2/,
    );
    expectOutcome(await api('POST', '/changes', '', { 'content-type': 'application/json' }), 400);
    expectOutcome(await api('POST', '/changes', []), 400);

    // Changes are processed in order: the first notification is the accepted change's, numbered 1.
    expect((await api('POST', '/changes', glucose('accepted'))).status).toBe(202);
    const first = await waitFor(() => receiver.accepted.find((r) => r.url.startsWith('/r4/')), {
      timeoutMs: 10_000,
      what: 'the accepted change',
    });
    expect(first.url).toBe('/r4/Observation/accepted');
    expect(first.headers['x-substream-event-number']).toBe('1');
    expect(receiver.received.filter((r) => r.url.includes('refused'))).toEqual([]);
  });

  it('answers an unknown route with 404', async () => {
    expectOutcome(await api('GET', '/fhir/Patient/p1'), 404, /no route/);
    expectOutcome(await api('POST', '/nowhere', {}), 404);
  });

  it('asks for the admin token: 401 without it, 403 with a wrong one', async () => {
    for (const [method, path] of [
      ['GET', '/fhir/Subscription'],
      ['POST', '/changes'],
      ['PUT', '/ingest/fhir/Patient/p1'],
      ['GET', '/fhir/Subscription/glucose/$status'],
    ] as const) {
      const body = method === 'GET' ? undefined : {};
      expectOutcome(await call(service.url, method, path, body), 401, /bearer/i);
      expectOutcome(
        await call(service.url, method, path, body, { authorization: 'Bearer wrong-token-value' }),
        403,
      );
    }
    expect((await call(service.url, 'GET', '/healthz')).status).toBe(200);
    expect((await api('GET', '/fhir/Subscription')).status).toBe(200);
  });
});
