/**
 * The expected-match oracle: which generated subscriptions a change should fire, computed from the
 * simple filters the subscriptions were generated from, so fault runs know the expected counts
 * without the engine. Only creates and updates are generated, and every generated subscription
 * fires on both.
 */
import type { ChangeEvent, FhirResource } from '../../../processors/index.js';
import type { GeneratedSubscription, SimpleFilter } from './subscriptions.js';

interface Coding {
  system?: string;
  code?: string;
}

function codings(resource: FhirResource): Coding[] {
  const code = resource.code as { coding?: Coding[] } | undefined;
  return code?.coding ?? [];
}

function referenceOf(resource: FhirResource): string | undefined {
  return (resource.subject as { reference?: string } | undefined)?.reference;
}

/**
 * The years a date search parameter reads, per resource type: an instant for Observation and
 * Condition, Encounter.period for Encounter. A period without an end is ongoing (FHIR search reads
 * it as open to the future), so its last year is unbounded.
 */
function clinicalYears(resource: FhirResource): { first: number; last: number } | undefined {
  const year = (value: unknown): number | undefined =>
    typeof value === 'string' ? Number(value.slice(0, 4)) : undefined;
  if (resource.resourceType === 'Encounter') {
    const period = resource.period as { start?: string; end?: string } | undefined;
    const first = year(period?.start);
    if (first === undefined) return undefined;
    return { first, last: year(period?.end) ?? Number.POSITIVE_INFINITY };
  }
  const at = year(
    resource.resourceType === 'Observation'
      ? resource.effectiveDateTime
      : resource.resourceType === 'Condition'
        ? resource.onsetDateTime
        : undefined,
  );
  return at === undefined ? undefined : { first: at, last: at };
}

function identifiers(resource: FhirResource): { system?: string; value?: string }[] {
  return (resource.identifier as { system?: string; value?: string }[] | undefined) ?? [];
}

export function filterMatches(filter: SimpleFilter, resource: FhirResource): boolean {
  switch (filter.kind) {
    case 'fhirpath-status':
      return resource.status === filter.status;
    case 'token':
      if (filter.param === 'code') {
        return codings(resource).some(
          (c) => c.code === filter.code && (!filter.system || c.system === filter.system),
        );
      }
      if (filter.param === 'identifier') {
        return identifiers(resource).some(
          (i) => i.value === filter.code && (!filter.system || i.system === filter.system),
        );
      }
      return resource[filter.param] === filter.code;
    case 'reference':
      return referenceOf(resource) === filter.reference;
    case 'date': {
      // ge/lt match when the resource's range overlaps the range above/below the value.
      const years = clinicalYears(resource);
      if (years === undefined) return false;
      return filter.comparator === 'ge' ? years.last >= filter.year : years.first < filter.year;
    }
  }
}

export function subscriptionMatches(subscription: GeneratedSubscription, change: ChangeEvent): boolean {
  if (change.resourceType !== subscription.resourceType) return false;
  if (change.interaction === 'delete' || change.resource === undefined) return false;
  const resource = change.resource;
  return subscription.filters.every((f) => filterMatches(f, resource));
}

/**
 * The key a subscription is indexed under: its reference or identifier filter when it has one
 * (the most selective), else its first filter's, else the whole type.
 */
function indexKey(filters: readonly SimpleFilter[]): string {
  const filter =
    filters.find((f) => f.kind === 'reference') ??
    filters.find((f) => f.kind === 'token' && f.param === 'identifier') ??
    filters[0];
  if (filter === undefined) return 'type';
  switch (filter.kind) {
    case 'fhirpath-status':
      return `status:${filter.status}`;
    case 'token':
      return `${filter.param}:${filter.system ?? ''}|${filter.code}`;
    case 'reference':
      return `ref:${filter.reference}`;
    case 'date':
      return 'date';
  }
}

/** Every key under which a subscription matching this resource can be indexed. */
function candidateKeys(resource: FhirResource): string[] {
  const keys = ['type', 'date'];
  for (const c of codings(resource)) keys.push(`code:${c.system ?? ''}|${c.code ?? ''}`);
  for (const i of identifiers(resource)) keys.push(`identifier:${i.system ?? ''}|${i.value ?? ''}`);
  if (typeof resource.status === 'string')
    keys.push(`status:|${resource.status}`, `status:${resource.status}`);
  const reference = referenceOf(resource);
  if (reference !== undefined) keys.push(`ref:${reference}`);
  return keys;
}

/**
 * The oracle, indexed by resource type and filter key so that a change costs the few candidate
 * subscriptions, not all of them; each candidate is still checked with filterMatches.
 */
export interface Oracle {
  expected(change: ChangeEvent): GeneratedSubscription[];
}

export function expectedMatchOracle(subscriptions: readonly GeneratedSubscription[]): Oracle {
  const index = new Map<string, GeneratedSubscription[]>();
  for (const s of subscriptions) {
    const key = `${s.resourceType} ${indexKey(s.filters)}`;
    const list = index.get(key) ?? [];
    list.push(s);
    index.set(key, list);
  }
  return {
    expected(change) {
      if (change.interaction === 'delete' || change.resource === undefined) return [];
      const resource = change.resource;
      const found: GeneratedSubscription[] = [];
      for (const key of candidateKeys(resource)) {
        for (const s of index.get(`${change.resourceType} ${key}`) ?? []) {
          if (subscriptionMatches(s, change)) found.push(s);
        }
      }
      return found;
    },
  };
}
