import { describe, expect, it } from 'vitest';
import { buildRequest, InvalidEndpointError } from '../../../connectors/http/request.js';
import { notification } from '../../fixtures/notifications.js';

const options = { userAgent: 'substream', nowSeconds: 1000 };

describe('buildRequest', () => {
  it('appends the path for classic R4 PUTs and sets content type and de-duplication headers', () => {
    const n = notification('s1', 4, {
      method: 'PUT',
      path: 'Patient/123',
      channel: {
        type: 'rest-hook',
        endpoint: 'https://hooks.example/fhir/',
        headers: ['Authorization: Bearer x:y'],
      },
    });
    const request = buildRequest(n, options);
    expect(request.method).toBe('PUT');
    expect(request.url.href).toBe('https://hooks.example/fhir/Patient/123');
    expect(request.headers).toMatchObject({
      authorization: 'Bearer x:y',
      'content-type': 'application/fhir+json',
      'x-substream-notification-id': 's1-4',
      'x-substream-subscription-id': 's1',
      'x-substream-event-number': '4',
    });
    expect(request.headers['x-substream-signature']).toBeUndefined();
    expect(request.headers['x-substream-tenant']).toBeUndefined();
  });

  it("names a tenant's subscription's tenant", () => {
    const request = buildRequest(notification('s1', 4, { tenant: 'north' }), options);
    expect(request.headers).toMatchObject({
      'x-substream-subscription-id': 's1',
      'x-substream-tenant': 'north',
    });
  });

  it('sends an empty ping without content type, and signs when a secret is given', () => {
    const request = buildRequest(notification('s1', 1, { body: null, contentType: null }), {
      ...options,
      secret: 'k',
    });
    expect(request.body).toBe('');
    expect(request.headers['content-type']).toBeUndefined();
    expect(request.headers['x-substream-timestamp']).toBe('1000');
    expect(request.headers['x-substream-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
  });

  it('refuses endpoints that are missing, not http(s), or carry credentials', () => {
    for (const endpoint of [undefined, 'not a url', 'ftp://x/y', 'https://user:pw@x/y']) {
      const n = notification('s', 1, {
        channel: { type: 'rest-hook', headers: [], ...(endpoint ? { endpoint } : {}) },
      });
      expect(() => buildRequest(n, options)).toThrow(InvalidEndpointError);
    }
  });
});
