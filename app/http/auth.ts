import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError } from './operation-outcome.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * Bearer-token check for the admin and ingest routes. Comparing digests keeps the comparison
 * constant-time whatever the length of what the client sent.
 */
export function bearerGuard(token: string | undefined): (authorization: string | undefined) => void {
  if (!token) return () => undefined;
  const expected = digest(token);
  return (authorization) => {
    const match = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
    if (!match?.[1])
      throw new HttpError(401, 'security', 'a bearer token is required (Authorization: Bearer …)');
    if (!timingSafeEqual(digest(match[1].trim()), expected))
      throw new HttpError(403, 'security', 'the bearer token is not valid');
  };
}
