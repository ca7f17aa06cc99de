import type { FhirResource } from '../contracts.js';

/** Every `reference` string in a resource, with the top-level element it sits under. */
export function collectReferences(resource: FhirResource): { element: string; reference: string }[] {
  const out: { element: string; reference: string }[] = [];
  const walk = (v: unknown, element: string): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x, element);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string') out.push({ element, reference: x });
        else walk(x, element);
      }
    }
  };
  for (const [k, v] of Object.entries(resource)) {
    if (k !== 'contained' && k !== 'meta' && k !== 'text') walk(v, k);
  }
  return out;
}

/** Rewrites every `reference` string of a resource (returns a copy). */
export function mapReferences(resource: FhirResource, fn: (reference: string) => string): FhirResource {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, k === 'reference' && typeof x === 'string' ? fn(x) : walk(x)]),
      );
    }
    return v;
  };
  return walk(resource) as FhirResource;
}

/** `Type/id` from a relative or absolute reference (versions dropped); undefined for others. */
export function relativeReference(reference: string): string | undefined {
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** An absolute URL for a reference: kept when already absolute, else joined to the base. */
export function absoluteReference(base: string, reference: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(reference)) return reference;
  return `${base.replace(/\/+$/, '')}/${reference}`;
}

/** Type and id of a focus reference, relative or absolute (a version suffix is ignored). */
export function splitReference(reference: string): [string, string] {
  const rel = relativeReference(reference);
  const [type, id] = (rel ?? reference).split('/');
  return [type ?? '', id ?? ''];
}
