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

/** The year of the clinical date a date search parameter reads, per resource type. */
function clinicalYear(resource: FhirResource): number | undefined {
  const value =
    resource.resourceType === 'Observation'
      ? resource.effectiveDateTime
      : resource.resourceType === 'Encounter'
        ? (resource.period as { start?: string } | undefined)?.start
        : resource.resourceType === 'Condition'
          ? resource.onsetDateTime
          : undefined;
  return typeof value === 'string' ? Number(value.slice(0, 4)) : undefined;
}

export function filterMatches(filter: SimpleFilter, resource: FhirResource): boolean {
  switch (filter.kind) {
    case 'type':
      return true;
    case 'fhirpath-status':
      return resource.status === filter.status;
    case 'token':
      if (filter.param === 'code') {
        return codings(resource).some(
          (c) => c.code === filter.code && (!filter.system || c.system === filter.system),
        );
      }
      return resource[filter.param] === filter.code;
    case 'reference':
      return referenceOf(resource) === filter.reference;
    case 'date': {
      const year = clinicalYear(resource);
      if (year === undefined) return false;
      return filter.comparator === 'ge' ? year >= filter.year : year < filter.year;
    }
  }
}

export function subscriptionMatches(subscription: GeneratedSubscription, change: ChangeEvent): boolean {
  if (change.resourceType !== subscription.resourceType) return false;
  if (change.interaction === 'delete' || change.resource === undefined) return false;
  return filterMatches(subscription.filter, change.resource);
}

/** The lookup key a filter is indexed under; filters without an equality key share one per kind. */
function filterKey(filter: SimpleFilter): string {
  switch (filter.kind) {
    case 'type':
      return 'type';
    case 'fhirpath-status':
      return `fhirpath:${filter.status}`;
    case 'token':
      return filter.param === 'code'
        ? `code:${filter.system ?? ''}|${filter.code}`
        : `${filter.param}:${filter.code}`;
    case 'reference':
      return `ref:${filter.reference}`;
    case 'date':
      return 'date';
  }
}

/** Every key under which a filter matching this resource can be indexed. */
function candidateKeys(resource: FhirResource): string[] {
  const keys = ['type', 'date'];
  for (const c of codings(resource)) keys.push(`code:${c.system ?? ''}|${c.code ?? ''}`);
  if (typeof resource.status === 'string')
    keys.push(`status:${resource.status}`, `fhirpath:${resource.status}`);
  if (typeof resource.gender === 'string') keys.push(`gender:${resource.gender}`);
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
    const key = `${s.resourceType} ${filterKey(s.filter)}`;
    const list = index.get(key) ?? [];
    list.push(s);
    index.set(key, list);
  }
  return {
    expected(change) {
      if (change.interaction === 'delete' || change.resource === undefined) return [];
      const resource = change.resource;
      const found: GeneratedSubscription[] = [];
      for (const key of new Set(candidateKeys(resource))) {
        for (const s of index.get(`${change.resourceType} ${key}`) ?? []) {
          if (subscriptionMatches(s, change)) found.push(s);
        }
      }
      return found;
    },
  };
}
