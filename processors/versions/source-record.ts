import type { FhirResource } from '../contracts.js';
import type { DecodedChange } from '../decode/index.js';
import { readResource } from '../decode/json.js';

const OPEN_BRACE = 0x7b;

/**
 * The changelog record a decoded change's resource can be stored as: a record that holds one
 * canonical change as a JSON object, without a previous version (which would double what is
 * stored). The versions store keeps those bytes as they are rather than serialising the resource
 * again (most versions are stored and never embedded in a match record, whose text would be
 * reused otherwise). Reading it back parses the record, as reading a stored resource parsed its
 * JSON: JSON.parse of the same text gives the same object as when the change was decoded.
 */
export function sourceRecordOf(decoded: readonly DecodedChange[], value: Buffer | null): Buffer | undefined {
  if (decoded.length !== 1 || value === null || value[0] !== OPEN_BRACE) return undefined;
  const { change, format } = decoded[0]!;
  if (format !== 'canonical' || change.resource === undefined || change.previous !== undefined)
    return undefined;
  return value;
}

/** The resource of a canonical change record (its `resource`, as the decode stage reads it). */
export function resourceOfSourceRecord(record: Buffer): FhirResource | undefined {
  const value = JSON.parse(record.toString('utf8')) as { resource?: unknown } | null;
  if (value === null || typeof value !== 'object') return undefined;
  return readResource(value.resource, 'resource');
}
