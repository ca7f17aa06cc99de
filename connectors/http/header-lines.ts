/**
 * Subscription header lines (`channel.header`, `Name: value`). A line is split at its FIRST colon
 * only, so values such as URLs, times or `Bearer a:b` survive whole.
 */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers the sink owns: a subscription may not set them. */
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'keep-alive',
  'te',
]);
export const RESERVED_PREFIX = 'x-substream-';

export interface ParsedHeaders {
  headers: Record<string, string>;
  /** Lines that were ignored, with why (never their values: they may hold credentials). */
  rejected: { name: string; reason: string }[];
}

export function parseHeaderLines(lines: readonly string[]): ParsedHeaders {
  const headers: Record<string, string> = {};
  const rejected: ParsedHeaders['rejected'] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) {
      rejected.push({ name: line.slice(0, 40), reason: 'no colon' });
      continue;
    }
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) rejected.push({ name, reason: 'not a header name' });
    else if (/[\r\n\0]/.test(value)) rejected.push({ name, reason: 'control character in value' });
    else if (RESERVED.has(lower) || lower.startsWith(RESERVED_PREFIX))
      rejected.push({ name, reason: 'set by the sink' });
    else headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  return { headers, rejected };
}
