/**
 * A rest-hook subscription with a signing secret: the sink reads the secret from its replica of
 * the subscriptions table and every request carries an HMAC the subscriber can verify. A tenant's
 * subscription is signed with its own secret, not with that of a subscription of the same id
 * without a tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../connectors/index.js';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const SIGNING = 'https://substream.dev/fhir/StructureDefinition/subscription-signing-secret';

const fixture = new ServiceFixture({ kafka: false });
const receiver = new HttpReceiver();
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

describe('signed rest-hook', () => {
  it.each<{ path: string; secret: string; headers: Record<string, string> }>([
    { path: 'plain', secret: 'whsec-test-signing-secret', headers: {} },
    { path: 'north', secret: 'whsec-test-north-secret', headers: { 'x-tenant-id': 'north' } },
  ])('signs each delivery with the subscription secret ($path)', async ({ path, secret, headers }) => {
    const subscription = {
      ...classicR4(`${hook}/${path}`),
      extension: [{ url: SIGNING, valueString: secret }],
    };
    expect((await call(service.url, 'PUT', '/fhir/Subscription/signed', subscription, headers)).status).toBe(
      201,
    );
    expect((await call(service.url, 'POST', '/changes', glucose(`g-${path}`), headers)).status).toBe(202);
    const delivered = await waitFor(
      () => receiver.accepted.find((r) => r.url === `/${path}/Observation/g-${path}`),
      { timeoutMs: 10_000, what: 'the signed delivery' },
    );
    const signature = {
      timestamp: String(delivered.headers['x-substream-timestamp']),
      signature: String(delivered.headers['x-substream-signature']),
    };
    expect(
      verifySignature(secret, signature, delivered.body, { nowSeconds: Math.floor(Date.now() / 1000) }),
    ).toBe(true);
  });
});
