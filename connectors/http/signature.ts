/**
 * Optional HMAC-SHA256 signature of a rest-hook request, replay-safe because the timestamp is signed
 * with the body:
 *
 *   X-Substream-Timestamp: <unix seconds>
 *   X-Substream-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * A subscriber recomputes the HMAC over the timestamp header, a dot and the raw body, compares in
 * constant time, and refuses timestamps older than its tolerance (5 minutes is usual).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-substream-timestamp';
export const SIGNATURE_HEADER = 'x-substream-signature';

export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}

/** For subscribers and tests: true when the signature matches and the timestamp is fresh. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string; signature: string },
  body: string,
  options: { nowSeconds: number; toleranceSeconds?: number },
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp)) return false;
  if (Math.abs(options.nowSeconds - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
