/**
 * A rest-hook subscription with a signing secret: the sink reads the secret from its replica of
 * the subscriptions table and every request carries an HMAC the subscriber can verify.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { verifySignature } from '../../connectors/index.js';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const SECRET = 'whsec-test-signing-secret';
const SIGNING = 'https://substream.dev/fhir/StructureDefinition/subscription-signing-secret';

const fixture = new ServiceFixture({ kafka: false });
const receiver = new HttpReceiver();

afterAll(async () => {
  await fixture.cleanup();
  await receiver.stop();
});

describe('signed rest-hook', () => {
  it('signs each delivery with the subscription secret', async () => {
    const hook = await receiver.start();
    const service = await fixture.start('all', await fixture.config());
    const subscription = { ...classicR4(`${hook}/r4`), extension: [{ url: SIGNING, valueString: SECRET }] };
    expect((await call(service.url, 'PUT', '/fhir/Subscription/signed', subscription)).status).toBe(201);
    expect((await call(service.url, 'POST', '/changes', glucose('g1'))).status).toBe(202);
    const delivered = await waitFor(() => receiver.accepted.find((r) => r.url === '/r4/Observation/g1'), {
      timeoutMs: 10_000,
      what: 'the signed delivery',
    });
    const headers = {
      timestamp: String(delivered.headers['x-substream-timestamp']),
      signature: String(delivered.headers['x-substream-signature']),
    };
    expect(
      verifySignature(SECRET, headers, delivered.body, { nowSeconds: Math.floor(Date.now() / 1000) }),
    ).toBe(true);
  });
});
