import { describe, expect, it } from 'vitest';
import { classifyFailure, classifyStatus, parseRetryAfter } from '../../../connectors/http/classify.js';
import { AddressRefusedError } from '../../../connectors/index.js';

const now = Date.parse('2026-01-01T00:00:00Z');

describe('HTTP answer classification', () => {
  it('treats 2xx as delivered', () => {
    expect(classifyStatus(204, undefined, now)).toEqual({ kind: 'delivered', statusCode: 204 });
  });

  it('retries 408, 429 and 5xx, with Retry-After when given', () => {
    expect(classifyStatus(408, undefined, now).kind).toBe('retriable');
    expect(classifyStatus(503, undefined, now).kind).toBe('retriable');
    expect(classifyStatus(429, '7', now)).toEqual({
      kind: 'retriable',
      error: 'HTTP 429',
      statusCode: 429,
      retryAfterMs: 7_000,
    });
  });

  it('does not retry other 4xx nor redirects', () => {
    for (const status of [400, 401, 403, 404, 410, 422, 301])
      expect(classifyStatus(status, undefined, now).kind).toBe('permanent');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('retries connection failures but not a refused address', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(classifyFailure(refused)).toEqual({
      kind: 'retriable',
      error: 'ECONNREFUSED: connect ECONNREFUSED',
    });
    expect(classifyFailure(new AddressRefusedError('x', '10.0.0.1')).kind).toBe('permanent');
  });
});
