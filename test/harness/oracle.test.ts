import { describe, expect, it } from 'vitest';
import {
  changeGenerator,
  criteriaOf,
  expectedMatchOracle,
  FHIRPATH_CRITERIA_URL,
  generateSubscriptions,
  subscriptionMatches,
  type GeneratedSubscription,
  type SimpleFilter,
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

  it('makes the matching mix: 70% R4 criteria, 20% R5 topics with filterBy, 10% with FHIRPath', () => {
    const flavors = new Map<string, number>();
    for (const s of subscriptions) flavors.set(s.flavor, (flavors.get(s.flavor) ?? 0) + 1);
    expect(flavors.get('r4-fhirpath')).toBe(100);
    expect(flavors.get('r5-topic')).toBe(198);
    expect(flavors.get('r4-criteria')).toBe(702);
    const kinds = new Set(subscriptions.flatMap((s) => s.filters.map((f) => f.kind)));
    expect([...kinds].sort()).toEqual(['date', 'fhirpath-status', 'reference', 'token']);
    expect(subscriptions.filter((s) => s.filters.length === 0).length).toBe(2);
    const fhirpath = subscriptions.find((s) => s.flavor === 'r4-fhirpath')!.resource;
    expect((fhirpath.extension as { url: string }[])[0]!.url).toBe(FHIRPATH_CRITERIA_URL);
    expect(fhirpath.criteria).toMatch(/^Observation\?subject=Patient\/pat-\d+$/);
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
      const filterBy = s.resource.filterBy as { filterParameter: string }[];
      expect(filterBy.length).toBe(s.filters.length);
      for (const f of filterBy) expect(allowed).toContain(f.filterParameter);
      expect(s.resource.endpoint).toBe(channels.restHookUrl);
    }
  });

  it('writes criteria a FHIR server would read', () => {
    const code: SimpleFilter = { kind: 'token', param: 'code', system: 'http://loinc.org', code: '8867-4' };
    const subject: SimpleFilter = { kind: 'reference', param: 'subject', reference: 'Patient/pat-1' };
    expect(criteriaOf('Observation', [subject, code])).toBe(
      'Observation?subject=Patient/pat-1&code=http://loinc.org|8867-4',
    );
    expect(criteriaOf('Encounter', [{ kind: 'date', param: 'date', comparator: 'ge', year: 2020 }])).toBe(
      'Encounter?date=ge2020-01-01',
    );
    expect(criteriaOf('Condition', [])).toBe('Condition');
  });
});

describe('the expected-match oracle', () => {
  const observation: FhirResource = {
    resourceType: 'Observation',
    id: 'obs-1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    subject: { reference: 'Patient/pat-3' },
    effectiveDateTime: '2021-05-04T10:00:00Z',
  };
  const patient: FhirResource = {
    resourceType: 'Patient',
    id: 'pat-3',
    identifier: [{ system: 'http://hospital.example.org/fhir/identifiers/mrn', value: 'MRN-1' }],
  };
  const make = (
    filters: SimpleFilter[],
    resourceType: 'Observation' | 'Patient' = 'Observation',
  ): GeneratedSubscription => ({
    id: 's',
    flavor: 'r4-criteria',
    resourceType,
    filters,
    channel: 'rest-hook',
    resource: { resourceType: 'Subscription' },
  });
  const subject = (reference: string): SimpleFilter => ({ kind: 'reference', param: 'subject', reference });

  it.each([
    [make([]), observation, true],
    [make([], 'Patient'), observation, false],
    [make([subject('Patient/pat-3')]), observation, true],
    [make([subject('Patient/pat-30')]), observation, false],
    [
      make([
        subject('Patient/pat-3'),
        { kind: 'token', param: 'code', system: 'http://loinc.org', code: '8867-4' },
      ]),
      observation,
      true,
    ],
    [
      make([
        subject('Patient/pat-3'),
        { kind: 'token', param: 'code', system: 'http://snomed.info/sct', code: '8867-4' },
      ]),
      observation,
      false,
    ],
    [
      make([
        subject('Patient/pat-3'),
        { kind: 'token', param: 'code', system: 'http://loinc.org', code: '718-7' },
      ]),
      observation,
      false,
    ],
    [make([subject('Patient/pat-3'), { kind: 'token', param: 'status', code: 'final' }]), observation, true],
    [
      make([subject('Patient/pat-3'), { kind: 'token', param: 'status', code: 'amended' }]),
      observation,
      false,
    ],
    [
      make([subject('Patient/pat-3'), { kind: 'date', param: 'date', comparator: 'ge', year: 2021 }]),
      observation,
      true,
    ],
    [
      make([subject('Patient/pat-3'), { kind: 'date', param: 'date', comparator: 'lt', year: 2021 }]),
      observation,
      false,
    ],
    [
      make([subject('Patient/pat-3'), { kind: 'date', param: 'date', comparator: 'lt', year: 2022 }]),
      observation,
      true,
    ],
    [make([subject('Patient/pat-3'), { kind: 'fhirpath-status', status: 'final' }]), observation, true],
    [
      make([subject('Patient/pat-3'), { kind: 'fhirpath-status', status: 'preliminary' }]),
      observation,
      false,
    ],
    [
      make(
        [
          {
            kind: 'token',
            param: 'identifier',
            system: 'http://hospital.example.org/fhir/identifiers/mrn',
            code: 'MRN-1',
          },
        ],
        'Patient',
      ),
      patient,
      true,
    ],
    [
      make(
        [
          {
            kind: 'token',
            param: 'identifier',
            system: 'http://hospital.example.org/fhir/identifiers/mrn',
            code: 'MRN-2',
          },
        ],
        'Patient',
      ),
      patient,
      false,
    ],
  ])('%# fires: %j', (subscription, resource, fires) => {
    expect(expectedMatchOracle([subscription]).expected(change(resource)).length).toBe(fires ? 1 : 0);
  });

  it('reads an Encounter period without an end as ongoing, as FHIR date search does', () => {
    const encounter = (end?: string): FhirResource => ({
      resourceType: 'Encounter',
      id: 'enc-1',
      subject: { reference: 'Patient/pat-3' },
      period: { start: '2017-07-06T09:06:00Z', ...(end !== undefined ? { end } : {}) },
    });
    const dated = (comparator: 'ge' | 'lt', year: number): GeneratedSubscription => ({
      ...make([subject('Patient/pat-3'), { kind: 'date', param: 'date', comparator, year }]),
      resourceType: 'Encounter',
    });
    const fires = (s: GeneratedSubscription, r: FhirResource): number =>
      expectedMatchOracle([s]).expected(change(r)).length;
    expect(fires(dated('ge', 2018), encounter())).toBe(1);
    expect(fires(dated('ge', 2018), encounter('2017-07-06T23:06:00Z'))).toBe(0);
    expect(fires(dated('lt', 2018), encounter())).toBe(1);
    expect(fires(dated('lt', 2017), encounter())).toBe(0);
  });

  it('never fires on a delete', () => {
    const oracle = expectedMatchOracle([make([])]);
    expect(oracle.expected({ interaction: 'delete', resourceType: 'Observation', id: 'obs-1' })).toEqual([]);
  });

  it('fires most generated subscriptions when the patients are few', () => {
    const population = { Patient: 20, Observation: 400, Encounter: 100, Condition: 100 };
    const { subscriptions } = generateSubscriptions({ count: 200, channels, seed: 2, patientPopulation: 20 });
    const oracle = expectedMatchOracle(subscriptions);
    const generator = changeGenerator({ seed: 2, population });
    const fired = new Set<string>();
    for (let i = 0; i < 5_000; i++) for (const s of oracle.expected(generator.next().value)) fired.add(s.id);
    expect(fired.size).toBeGreaterThan(subscriptions.length * 0.6);
  });

  it('fires about one subscription per change or less at the default populations', () => {
    const { subscriptions } = generateSubscriptions({ count: 1_000, channels, seed: 3 });
    const oracle = expectedMatchOracle(subscriptions);
    const generator = changeGenerator({ seed: 3 });
    let matches = 0;
    for (let i = 0; i < 5_000; i++) matches += oracle.expected(generator.next().value).length;
    expect(matches / 5_000).toBeGreaterThan(0.1);
    expect(matches / 5_000).toBeLessThan(2);
  });
});

describe('the indexed oracle', () => {
  it('agrees with checking every subscription on generated traffic', () => {
    const population = { Patient: 30, Observation: 300, Encounter: 100, Condition: 100 };
    const { subscriptions } = generateSubscriptions({ count: 500, channels, seed: 4, patientPopulation: 30 });
    const oracle = expectedMatchOracle(subscriptions);
    const generator = changeGenerator({ seed: 4, population });
    let matches = 0;
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
      matches += indexed.length;
    }
    expect(matches).toBeGreaterThan(1_000);
  });
});
