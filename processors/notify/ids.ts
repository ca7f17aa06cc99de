import { hash } from 'node:crypto';

/**
 * A UUID-shaped id derived from its parts (name-based, like UUID v5 but over SHA-256): the same
 * subscription, type and event numbers give the same id on every redelivery and every instance.
 */
export function stableId(...parts: (string | number | undefined)[]): string {
  // The one-shot digest: a Hash object per id cost four times as much.
  const h = hash('sha256', parts.map((p) => (p === undefined ? '' : String(p))).join('\u0000'), 'hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
