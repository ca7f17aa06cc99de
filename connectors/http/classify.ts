/**
 * What an HTTP answer or failure means for delivery: delivered (2xx), retriable (connection
 * errors, timeouts, 408, 429, 5xx; Retry-After honoured) or permanent (any other status).
 */
import type { SinkResult } from '../sink.js';
import { describeError } from '../sink.js';
import { AddressRefusedError } from './address-guard.js';

export function classifyStatus(statusCode: number, retryAfter: string | undefined, now: number): SinkResult {
  if (statusCode >= 200 && statusCode < 300) return { kind: 'delivered', statusCode };
  const error = `HTTP ${statusCode}`;
  if (statusCode === 408 || statusCode === 429 || statusCode >= 500) {
    const retryAfterMs = retryAfter === undefined ? undefined : parseRetryAfter(retryAfter, now);
    return retryAfterMs === undefined
      ? { kind: 'retriable', error, statusCode }
      : { kind: 'retriable', error, statusCode, retryAfterMs };
  }
  // 1xx/3xx are not followed: a subscriber endpoint that redirects is misconfigured.
  return { kind: 'permanent', error, statusCode };
}

/** Retry-After as delay-seconds or an HTTP-date; undefined when it is neither. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function classifyFailure(err: unknown): SinkResult {
  if (err instanceof AddressRefusedError) return { kind: 'permanent', error: err.message };
  // Connection refused/reset, DNS failure, timeouts, a socket closed mid-answer: all may pass.
  return { kind: 'retriable', error: describeError(err) };
}
