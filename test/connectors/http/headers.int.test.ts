import { afterEach, describe, expect, it } from 'vitest';
import { HttpSink, verifySignature } from '../../../connectors/index.js';
import { HttpReceiver } from '../../fakes/http-receiver.js';
import { notification } from '../../fixtures/notifications.js';

describe('rest-hook: headers reach the subscriber intact', () => {
  const receiver = new HttpReceiver();
  const sink = new HttpSink({
    config: { endpointAllowlist: ['127.0.0.1'] },
    secretFor: (id) => (id === 'signed' ? 'k3y' : undefined),
  });

  afterEach(async () => {
    await sink.close();
    await receiver.stop();
  });

  it('keeps a header value containing colons whole, and signs the body when asked', async () => {
    const endpoint = await receiver.start();
    await sink.connect();
    const n = notification('signed', 3, {
      method: 'PUT',
      path: 'Patient/p1',
      channel: {
        type: 'rest-hook',
        endpoint: `${endpoint}/fhir`,
        headers: ['Authorization: Bearer abc:def', 'X-Callback: http://cb.example:8080/a?at=12:30:00'],
      },
    });
    expect(await sink.write(n)).toEqual({ kind: 'delivered', statusCode: 200 });
    const [request] = receiver.received;
    expect(request).toMatchObject({ method: 'PUT', url: '/fhir/Patient/p1', body: n.body });
    expect(request!.headers).toMatchObject({
      authorization: 'Bearer abc:def',
      'x-callback': 'http://cb.example:8080/a?at=12:30:00',
      'content-type': 'application/fhir+json',
      'x-substream-notification-id': 'signed-3',
      'x-substream-subscription-id': 'signed',
      'x-substream-event-number': '3',
    });
    const signed = {
      timestamp: String(request!.headers['x-substream-timestamp']),
      signature: String(request!.headers['x-substream-signature']),
    };
    expect(verifySignature('k3y', signed, request!.body, { nowSeconds: Math.floor(Date.now() / 1000) })).toBe(
      true,
    );
  });
});
