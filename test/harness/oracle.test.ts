import { describe, expect, it } from 'vitest';
import {
  changeGenerator,
  criteriaOf,
  expectedMatchOracle,
  FHIRPATH_CRITERIA_URL,
  generateSubscriptions,
  subscriptionMatches,
} from '../../bench/harness/index.js';
import type { ChangeEvent, FhirResource } from '../../processors/index.js';

const channels = { restHookUrl: 'http://127.0.0.1:9/hook' };

function change(resource: FhirResource): ChangeEvent {
  return {
    interaction: 'update',
    resourceType: resource.resourceType,
    id: String(resource.id),
    resource,
    versionId: '2',
  };
}

describe('the subscription generator', () => {
  const { subscriptions, topics } = generateSubscriptions({ count: 1_000, channels, seed: 1 });

  it('makes the matching mix: R4 criteria, R5 topics with filterBy, and one in ten with FHIRPath', () => {
    const flavors = new Map<string, number>();
    for (const s of subscriptions) flavors.set(s.flavor, (flavors.get(s.flavor) ?? 0) + 1);
    expect(flavors.get('r4-fhirpath')).toBe(100);
    expect(flavors.get('r5-topic')).toBe(300);
    expect(flavors.get('r4-criteria')).toBe(600);
    const kinds = new Set(subscriptions.map((s) => s.filter.kind));
    expect([...kinds].sort()).toEqual(['date', 'fhirpath-status', 'reference', 'token', 'type']);
    const fhirpath = subscriptions.find((s) => s.flavor === 'r4-fhirpath')!.resource;
    expect((fhirpath.extension as { url: string }[])[0]!.url).toBe(FHIRPATH_CRITERIA_URL);
  });

  it('gives every R5 subscription a SubscriptionTopic with a resourceTrigger and its filters', () => {
    const urls = new Map(topics.map((t) => [t.url, t]));
    for (const s of subscriptions.filter((x) => x.flavor === 'r5-topic')) {
      const topic = urls.get(s.resource.topic as string)!;
      expect(topic.resourceType).toBe('SubscriptionTopic');
      const trigger = (topic.resourceTrigger as { resource: string; supportedInteraction: string[] }[])[0]!;
      expect(trigger.resource).toBe(`http://hl7.org/fhir/StructureDefinition/${s.resourceType}`);
      expect(trigger.supportedInteraction).toEqual(['create', 'update']);
      const allowed = (topic.canFilterBy as { filterParameter: string }[]).map((f) => f.filterParameter);
      for (const f of s.resource.filterBy as { filterParameter: string }[])
        expect(allowed).toContain(f.filterParameter);
      expect(s.resource.endpoint).toBe(channels.restHookUrl);
    }
  });

  it('writes criteria a FHIR server would read', () => {
    expect(
      criteriaOf('Observation', { kind: 'token', param: 'code', system: 'http://loinc.org', code: '8867-4' }),
    ).toBe('Observation?code=http://loinc.org|8867-4');
    expect(criteriaOf('Condition', { kind: 'reference', param: 'patient', reference: 'Patient/pat-1' })).toBe(
      'Condition?patient=Patient/pat-1',
    );
    expect(criteriaOf('Encounter', { kind: 'date', param: 'date', comparator: 'ge', year: 2020 })).toBe(
      'Encounter?date=ge2020-01-01',
    );
  });
});

describe('the expected-match oracle', () => {
  const base: FhirResource = {
    resourceType: 'Observation',
    id: 'obs-1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: 'Patient/pat-3' },
    effectiveDateTime: '2021-05-04T10:00:00Z',
  };
  const make = (
    filter: Parameters<typeof criteriaOf>[1],
    resourceType: 'Observation' | 'Patient' = 'Observation',
  ) => ({
    id: 's',
    flavor: 'r4-criteria' as const,
    resourceType,
    filter,
    channel: 'rest-hook' as const,
    resource: { resourceType: 'Subscription' },
  });

  it.each([
    [make({ kind: 'type' }), true],
    [make({ kind: 'type' }, 'Patient'), false],
    [make({ kind: 'token', param: 'code', system: 'http://loinc.org', code: '8867-4' }), true],
    [make({ kind: 'token', param: 'code', system: 'http://snomed.info/sct', code: '8867-4' }), false],
    [make({ kind: 'token', param: 'code', system: 'http://loinc.org', code: '718-7' }), false],
    [make({ kind: 'token', param: 'status', code: 'final' }), true],
    [make({ kind: 'token', param: 'status', code: 'amended' }), false],
    [make({ kind: 'reference', param: 'subject', reference: 'Patient/pat-3' }), true],
    [make({ kind: 'reference', param: 'subject', reference: 'Patient/pat-30' }), false],
    [make({ kind: 'date', param: 'date', comparator: 'ge', year: 2021 }), true],
    [make({ kind: 'date', param: 'date', comparator: 'lt', year: 2021 }), false],
    [make({ kind: 'date', param: 'date', comparator: 'lt', year: 2022 }), true],
    [make({ kind: 'fhirpath-status', status: 'final' }), true],
    [make({ kind: 'fhirpath-status', status: 'preliminary' }), false],
  ])('%# %j fires: %s', (subscription, fires) => {
    expect(expectedMatchOracle([subscription]).expected(change(base)).length).toBe(fires ? 1 : 0);
  });

  it('never fires on a delete', () => {
    const oracle = expectedMatchOracle([make({ kind: 'type' })]);
    expect(oracle.expected({ interaction: 'delete', resourceType: 'Observation', id: 'obs-1' })).toEqual([]);
  });

  it('finds matches in generated traffic for most kinds of filter', () => {
    const { subscriptions } = generateSubscriptions({ count: 200, channels, seed: 2 });
    const oracle = expectedMatchOracle(subscriptions);
    const generator = changeGenerator({ seed: 2 });
    const fired = new Set<string>();
    for (let i = 0; i < 5_000; i++) for (const s of oracle.expected(generator.next().value)) fired.add(s.id);
    // Hot patients and common codes make most subscriptions fire within a few thousand changes.
    expect(fired.size).toBeGreaterThan(subscriptions.length * 0.6);
  });
});

describe('the indexed oracle', () => {
  it('agrees with checking every subscription on generated traffic', () => {
    const { subscriptions } = generateSubscriptions({ count: 500, channels, seed: 4 });
    const oracle = expectedMatchOracle(subscriptions);
    const generator = changeGenerator({ seed: 4 });
    for (let i = 0; i < 2_000; i++) {
      const { value } = generator.next();
      const indexed = oracle
        .expected(value)
        .map((s) => s.id)
        .sort();
      const scanned = subscriptions
        .filter((s) => subscriptionMatches(s, value))
        .map((s) => s.id)
        .sort();
      expect(indexed).toEqual(scanned);
    }
  });
});
