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

/** An index by resource type, so the oracle costs the subscriptions of one type per change. */
export interface Oracle {
  expected(change: ChangeEvent): GeneratedSubscription[];
}

export function expectedMatchOracle(subscriptions: readonly GeneratedSubscription[]): Oracle {
  const byType = new Map<string, GeneratedSubscription[]>();
  for (const s of subscriptions) {
    const list = byType.get(s.resourceType) ?? [];
    list.push(s);
    byType.set(s.resourceType, list);
  }
  return {
    expected: (change) =>
      (byType.get(change.resourceType) ?? []).filter((s) => subscriptionMatches(s, change)),
  };
}
