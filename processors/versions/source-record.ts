import type { FhirResource } from '../contracts.js';
import type { DecodedChange } from '../decode/index.js';
import { readResource } from '../decode/json.js';

/**
 * The changelog record a resource was read from, when that record is one canonical change in
 * JSON: the versions store keeps those bytes as they are rather than serialising the resource
 * again (most versions are stored and never embedded in a match record, whose text would be
 * reused otherwise). Reading the resource back parses the record, as reading a stored resource
 * parsed its JSON; JSON.parse of the same text gives the same object as when it was decoded.
 */
const sources = new WeakMap<object, Buffer>();

const OPEN_BRACE = 0x7b;

/**
 * Remembers the record of a decoded change for its resource. Only a record that holds one
 * canonical change as a JSON object, and no previous version (which would double what is
 * stored), qualifies; the others are serialised as before.
 */
export function rememberSourceRecord(decoded: readonly DecodedChange[], value: Buffer | null): void {
  if (decoded.length !== 1 || value === null || value[0] !== OPEN_BRACE) return;
  const { change, format } = decoded[0]!;
  if (format !== 'canonical' || change.resource === undefined || change.previous !== undefined) return;
  sources.set(change.resource, value);
}

/** The changelog record a resource was read from, if remembered. */
export function sourceRecordOf(resource: FhirResource): Buffer | undefined {
  return sources.get(resource);
}

/** The resource of a canonical change record (its `resource`, as the decode stage reads it). */
export function resourceOfSourceRecord(record: Buffer): FhirResource | undefined {
  const value = JSON.parse(record.toString('utf8')) as { resource?: unknown } | null;
  if (value === null || typeof value !== 'object') return undefined;
  return readResource(value.resource, 'resource');
}
