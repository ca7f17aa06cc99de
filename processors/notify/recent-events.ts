/**
 * The event digests a subscription numbered recently, kept as one compact string
 * (`digest=number;` repeated, oldest first) so the status record stays cheap to copy and to
 * write to its changelog on every event. Digests are base64url: they contain no `=` or `;`.
 */
export function findRecent(recent: string, digest: string): number | undefined {
  const at = recent.indexOf(`${digest}=`);
  if (at < 0) return undefined;
  const start = at + digest.length + 1;
  return Number(recent.slice(start, recent.indexOf(';', start)));
}

/** Appends an entry; past twice the limit, keeps the newest `limit` entries (amortised cost). */
export function rememberRecent(recent: string, digest: string, eventNumber: number, limit: number): string {
  if (limit <= 0) return '';
  const next = `${recent}${digest}=${eventNumber};`;
  // An entry is at most 16 + 1 + 16 + 1 characters; trim only when well past the limit.
  if (next.length <= limit * 2 * 34) return next;
  const entries = next.split(';').filter(Boolean);
  return entries.length > limit ? `${entries.slice(-limit).join(';')};` : next;
}
