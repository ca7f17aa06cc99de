import type { ChangeDecodeError } from './errors.js';
import type { ChangelogRecord } from './types.js';

/** A record for `fhir.changelog.dlq`: the original key and bytes, the reason in headers. */
export interface DeadLetterRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string | Buffer | (string | Buffer)[]>;
}

export const DLQ_HEADER = {
  reason: 'substream.dlq.reason',
  message: 'substream.dlq.message',
  topic: 'substream.dlq.topic',
  partition: 'substream.dlq.partition',
  offset: 'substream.dlq.offset',
} as const;

/**
 * Wraps a record that could not be decoded for the dead-letter topic: value and key untouched
 * (so it can be replayed once fixed), its own headers kept, and where it came from and why it
 * failed added as `substream.dlq.*` headers.
 */
export function deadLetterFor(record: ChangelogRecord, error: ChangeDecodeError): DeadLetterRecord {
  const headers: DeadLetterRecord['headers'] = {};
  for (const [k, v] of Object.entries(record.headers ?? {})) if (v !== undefined) headers[k] = v;
  headers[DLQ_HEADER.reason] = error.reason;
  headers[DLQ_HEADER.message] = error.message;
  headers[DLQ_HEADER.topic] = record.topic;
  if (record.partition !== undefined) headers[DLQ_HEADER.partition] = String(record.partition);
  if (record.offset !== undefined) headers[DLQ_HEADER.offset] = record.offset;
  return { key: record.key, value: record.value, headers };
}
