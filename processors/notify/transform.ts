import type { FhirResource } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import { mapReferences } from './references.js';

const TYPED_ID = /^(.*?)([A-Z][A-Za-z]+)\/([^/]+)((?:\/_history\/[^/]+)?)$/;

/**
 * Smile delivery extensions applied to a resource before it is delivered: strip version ids,
 * replication mode (add an ID prefix, optionally only to `Type/id` matching the selector; strip a
 * prefix; strip a base URL from references). Returns the resource unchanged when none apply.
 */
export function applyDeliveryOptions(resource: FhirResource, sub: NormalizedSubscription): FhirResource {
  const { stripVersionIds, replication } = sub.options;
  const rep =
    replication?.enabled || replication?.stripIdPrefix || replication?.stripReferenceBaseUrl
      ? replication
      : undefined;
  if (!stripVersionIds && !rep) return resource;
  const selector =
    rep?.addIdPrefixSelector !== undefined ? new RegExp(`^(?:${rep.addIdPrefixSelector})$`) : undefined;
  const rewriteId = (type: string, id: string): string => {
    let out = id;
    if (rep?.stripIdPrefix && out.startsWith(rep.stripIdPrefix)) out = out.slice(rep.stripIdPrefix.length);
    if (rep?.addIdPrefix && (!selector || selector.test(`${type}/${id}`))) out = `${rep.addIdPrefix}${out}`;
    return out;
  };
  let r: FhirResource = resource;
  if (rep) {
    const base = rep.stripReferenceBaseUrl?.replace(/\/+$/, '');
    r = mapReferences(r, (ref) => {
      let out = ref;
      if (base && out.startsWith(`${base}/`)) out = out.slice(base.length + 1);
      const m = TYPED_ID.exec(out);
      if (!m) return out;
      // Only references to this server (relative ones) name IDs the target knows under prefixes.
      if (m[1] !== '') return out;
      return `${m[2]}/${rewriteId(m[2]!, m[3]!)}${stripVersionIds ? '' : m[4]}`;
    });
    if (typeof r.id === 'string') r = { ...r, id: rewriteId(r.resourceType, r.id) };
  }
  if (stripVersionIds && r.meta?.versionId !== undefined) {
    const { versionId: _dropped, ...meta } = r.meta;
    r = { ...r, meta };
    if (Object.keys(meta).length === 0) delete r.meta;
  }
  return r;
}

/** The id a resource is delivered under (replication may prefix or strip it). */
export function deliveredId(resourceType: string, id: string, sub: NormalizedSubscription): string {
  const shaped = applyDeliveryOptions(
    { resourceType, id },
    { ...sub, options: { ...sub.options, stripVersionIds: false } },
  );
  return shaped.id ?? id;
}
