import { ChangeDecodeError } from './errors.js';
import { isObj, readResource, type Obj } from './json.js';
import type { RawChange } from './types.js';

/**
 * Smile CDR / HAPI `ResourceModifiedMessage`: `{headers, payload: {operationType, payload, payloadId,
 * partitionId}}`, or the inner payload alone. `payload` is the resource as a JSON string;
 * `payloadId` is `[base/]Type/id[/_history/version]`.
 */
export function isSmile(value: unknown): value is Obj {
  if (!isObj(value)) return false;
  const inner = isObj(value.payload) ? value.payload : value;
  return 'operationType' in inner && ('payloadId' in inner || 'payload' in inner);
}

const OPERATIONS: Record<string, string> = {
  CREATE: 'create',
  UPDATE: 'update',
  DELETE: 'delete',
  // A manual trigger re-announces the current version: subscribers see it as an update.
  MANUALLY_TRIGGERED: 'update',
};

export function parsePayloadId(
  payloadId: string,
): { resourceType: string; id: string; versionId?: string } | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/([^/]+))?$/.exec(payloadId);
  if (!m) return undefined;
  return { resourceType: m[1]!, id: m[2]!, ...(m[3] !== undefined ? { versionId: m[3] } : {}) };
}

function partitionTenant(partitionId: unknown): string | undefined {
  if (!isObj(partitionId) || partitionId.allPartitions === true) return undefined;
  const names = partitionId.partitionNames;
  if (Array.isArray(names) && typeof names[0] === 'string' && names[0] !== 'DEFAULT') return names[0];
  return undefined;
}

export function readSmile(value: Obj): RawChange[] {
  const inner = isObj(value.payload) ? value.payload : value;
  const op =
    typeof inner.operationType === 'string' ? OPERATIONS[inner.operationType.toUpperCase()] : undefined;
  const payloadId = typeof inner.payloadId === 'string' ? inner.payloadId : undefined;
  const parsed = payloadId !== undefined ? parsePayloadId(payloadId) : undefined;
  if (payloadId !== undefined && !parsed) {
    throw new ChangeDecodeError('missing-id', `payloadId '${payloadId}' is not Type/id[/_history/version]`);
  }
  return [
    {
      interaction: op ?? inner.operationType,
      resourceType: parsed?.resourceType,
      id: parsed?.id,
      versionId: parsed?.versionId,
      resource: readResource(inner.payload, 'payload.payload'),
      tenant: partitionTenant(inner.partitionId),
    },
  ];
}
