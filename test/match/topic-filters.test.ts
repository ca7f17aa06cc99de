import { describe, expect, it } from 'vitest';
import { createMatcher, type FhirResource } from '../../processors/index.js';
import { change, NOW, r5Subscription } from './helpers.js';

const URL = 'http://example.org/topic/obs';

const topic: FhirResource = {
  resourceType: 'SubscriptionTopic',
  url: URL,
  status: 'active',
  resourceTrigger: [{ resource: 'Observation', supportedInteraction: ['create', 'update'] }],
  canFilterBy: [
    { resource: 'Observation', filterParameter: 'subject' },
    { resource: 'Observation', filterParameter: 'code', comparator: ['eq', 'ne'], modifier: ['not', 'text'] },
    {
      resource: 'Observation',
      filterParameter: 'value-quantity',
      comparator: ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'],
    },
    {
      resource: 'Observation',
      filterParameter: 'date',
      comparator: ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'],
    },
  ],
};

const obs: FhirResource = {
  resourceType: 'Observation',
  id: 'o',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }], text: 'Glucose' },
  subject: { reference: 'Patient/1' },
  effectiveDateTime: '2024-03-05',
  valueQuantity: { value: 100, system: 'http://unitsofmeasure.org', code: 'mg/dL' },
};

function matches(filterBy: Record<string, unknown>[]): boolean {
  const m = createMatcher({ now: () => NOW });
  m.putTopic(URL, topic);
  const outcome = m.putSubscription('s', r5Subscription('s', URL, filterBy));
  expect(outcome).toEqual({ subscriptionId: 's', status: 'compiled' });
  return m.match(change('create', obs)).length === 1;
}

const f = (filterParameter: string, value: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'Observation',
  filterParameter,
  value,
  ...extra,
});

describe('Subscription.filterBy (R5 Subscription, canFilterBy)', () => {
  it.each([
    ['equality on a reference', [f('subject', 'Patient/1')], true],
    ['equality on a reference (other patient)', [f('subject', 'Patient/2')], false],
    ['comparator eq', [f('value-quantity', '100', { comparator: 'eq' })], true],
    ['comparator ne', [f('value-quantity', '100', { comparator: 'ne' })], false],
    ['comparator gt', [f('value-quantity', '90', { comparator: 'gt' })], true],
    ['comparator lt', [f('value-quantity', '90', { comparator: 'lt' })], false],
    ['comparator ge', [f('value-quantity', '100', { comparator: 'ge' })], true],
    ['comparator le', [f('value-quantity', '99', { comparator: 'le' })], false],
    ['comparator sa', [f('date', '2024-03-04', { comparator: 'sa' })], true],
    ['comparator eb', [f('date', '2024-03-04', { comparator: 'eb' })], false],
    ['comparator ap', [f('value-quantity', '95', { comparator: 'ap' })], true],
    ['modifier not', [f('code', 'http://loinc.org|2339-0', { modifier: 'not' })], false],
    [
      'comparator ne on a token means not equal (holds)',
      [f('code', 'http://loinc.org|1', { comparator: 'ne' })],
      true,
    ],
    [
      'comparator ne on a token means not equal (fails)',
      [f('code', 'http://loinc.org|2339-0', { comparator: 'ne' })],
      false,
    ],
    ['modifier text', [f('code', 'gluc', { modifier: 'text' })], true],
    [
      'several filters AND together (all hold)',
      [f('subject', 'Patient/1'), f('value-quantity', '90', { comparator: 'gt' })],
      true,
    ],
    [
      'several filters AND together (one fails)',
      [f('subject', 'Patient/1'), f('value-quantity', '190', { comparator: 'gt' })],
      false,
    ],
    [
      'resourceType may be a canonical',
      [{ ...f('subject', 'Patient/1'), resourceType: 'http://hl7.org/fhir/StructureDefinition/Observation' }],
      true,
    ],
  ])('%s', (_rule, filters, expected) => {
    expect(matches(filters)).toBe(expected);
  });

  it.each([
    ['a parameter the topic does not allow', [f('status', 'final')], 'canFilterBy'],
    [
      'a comparator the topic does not allow',
      [f('subject', 'Patient/1', { comparator: 'gt' })],
      "comparator 'gt'",
    ],
    [
      'a modifier the topic does not allow',
      [f('subject', '1', { modifier: 'identifier' })],
      "modifier 'identifier'",
    ],
    [
      'a filter on a type the topic never notifies about',
      [{ ...f('subject', 'Patient/1'), resourceType: 'Encounter' }],
      'canFilterBy',
    ],
    ['a malformed value', [f('date', 'yesterday')], 'yesterday'],
  ])('refuses %s', (_rule, filters, part) => {
    const m = createMatcher();
    m.putTopic(URL, topic);
    const outcome = m.putSubscription('s', r5Subscription('s', URL, filters));
    expect(outcome.status).toBe('error');
    expect(outcome.status === 'error' ? outcome.error.message : '').toContain(part);
  });

  it('R4B canFilterBy lists comparators among its modifiers', () => {
    const r4b: FhirResource = {
      ...topic,
      canFilterBy: [{ resource: 'Observation', filterParameter: 'value-quantity', modifier: ['gt', 'lt'] }],
    };
    const m = createMatcher();
    m.putTopic(URL, r4b);
    expect(
      m.putSubscription('s', r5Subscription('s', URL, [f('value-quantity', '90', { comparator: 'gt' })]))
        .status,
    ).toBe('compiled');
    expect(m.match(change('create', obs))).toHaveLength(1);
  });
});
