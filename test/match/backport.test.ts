import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change } from './helpers.js';

const fixture = (name: string): FhirResource =>
  JSON.parse(readFileSync(new URL(`../fixtures/match/${name}`, import.meta.url), 'utf8')) as FhirResource;

const topic = fixture('encounter-start-topic.json');
const subscription = fixture('encounter-start-subscription-backport.json');
const inProgress = fixture('encounter-in-progress.json');
const planned = fixture('encounter-planned.json');
const TOPIC = topic.url as string;
const FILTER = 'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria';

function withFilters(...criteria: string[]): FhirResource {
  return {
    ...subscription,
    _criteria: { extension: criteria.map((valueString) => ({ url: FILTER, valueString })) },
  };
}

describe('R4 subscriptions backport (criteria = topic canonical, backport-filter-criteria)', () => {
  it('Subscription.criteria names the topic whose trigger decides', () => {
    const m = createMatcher();
    m.putTopic(TOPIC, topic);
    expect(m.putSubscription(subscription.id!, subscription).status).toBe('compiled');
    const matches = m.match(change('update', inProgress, planned));
    expect(matches.map((x) => [x.subscriptionId, x.topicUrl])).toEqual([[subscription.id, TOPIC]]);
    expect(m.match(change('update', inProgress, inProgress))).toEqual([]);
  });

  it('backport-filter-criteria filter the focus (another patient does not match)', () => {
    const m = createMatcher();
    m.putTopic(TOPIC, topic);
    m.putSubscription('b', { ...withFilters('Encounter?patient=Patient/999'), id: 'b' });
    expect(m.match(change('update', inProgress, planned))).toEqual([]);
  });

  it('several filter criteria AND together', () => {
    const m = createMatcher();
    m.putTopic(TOPIC, topic);
    m.putSubscription('b', {
      ...withFilters('Encounter?patient=Patient/123', 'Encounter?class:not=EMER'),
      id: 'b',
    });
    expect(m.match(change('update', inProgress, planned))).toHaveLength(1);
    m.putSubscription('b', {
      ...withFilters('Encounter?patient=Patient/123', 'Encounter?class:not=AMB'),
      id: 'b',
    });
    expect(m.match(change('update', inProgress, planned))).toEqual([]);
  });

  it('a filter the topic does not allow is refused (canFilterBy)', () => {
    const m = createMatcher();
    m.putTopic(TOPIC, topic);
    const outcome = m.putSubscription('b', { ...withFilters('Encounter?status=finished'), id: 'b' });
    expect(outcome.status).toBe('error');
  });

  it('the topic is evaluated with the R4 search parameters for an R4 subscription', () => {
    const m = createMatcher();
    m.putTopic(TOPIC, topic);
    m.putSubscription(subscription.id!, subscription, { fhirVersion: 'R4' });
    m.putSubscription('r4b', { ...subscription, id: 'r4b' }, { fhirVersion: 'R4B' });
    const ids = m.match(change('update', inProgress, planned)).map((x) => x.subscriptionId);
    expect(ids.sort()).toEqual([subscription.id, 'r4b'].sort());
  });
});
