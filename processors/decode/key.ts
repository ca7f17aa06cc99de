import { ChangeDecodeError } from './errors.js';

/**
 * The canonical record key of a resource: `ResourceType/id`, or `tenant/ResourceType/id` when
 * the change belongs to a tenant. The tenant is percent-encoded (encodeURIComponent), so it never
 * contains `/`: a key has two segments without a tenant and three with one, and cannot be read
 * two ways. It mirrors the multi-tenant base URL form `[base]/tenant/Type/id`.
 */
export function canonicalResourceKey(resourceType: string, id: string, tenant?: string): string {
  const ref = `${resourceType}/${id}`;
  return tenant === undefined || tenant === '' ? ref : `${encodeURIComponent(tenant)}/${ref}`;
}

export interface ParsedCanonicalResourceKey {
  resourceType: string;
  id: string;
  tenant?: string;
}

/** Reads a canonical key back; undefined when the key is not in the canonical form. */
export function parseCanonicalResourceKey(key: string): ParsedCanonicalResourceKey | undefined {
  const parts = key.split('/');
  if (parts.length === 2 && RESOURCE_TYPE.test(parts[0]!) && FHIR_ID.test(parts[1]!)) {
    return { resourceType: parts[0]!, id: parts[1]! };
  }
  if (parts.length === 3 && parts[0] !== '' && RESOURCE_TYPE.test(parts[1]!) && FHIR_ID.test(parts[2]!)) {
    try {
      return { tenant: decodeURIComponent(parts[0]!), resourceType: parts[1]!, id: parts[2]! };
    } catch (cause) {
      throw new ChangeDecodeError('invalid-tenant', `record key '${key}' has a badly encoded tenant`, {
        cause,
      });
    }
  }
  return undefined;
}

/** FHIR resource type names: an upper-case letter then letters. */
export const RESOURCE_TYPE = /^[A-Z][A-Za-z]{1,63}$/;
/** FHIR id: 1 to 64 of [A-Za-z0-9-.]. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
