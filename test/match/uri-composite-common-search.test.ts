import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { holds } from './helpers.js';

const valueSet: FhirResource = {
  resourceType: 'ValueSet',
  id: 'vs',
  status: 'active',
  url: 'http://acme.org/fhir/ValueSet/123',
};

const bp: FhirResource = {
  resourceType: 'Observation',
  id: 'bp',
  meta: {
    lastUpdated: '2024-03-05T10:00:00Z',
    profile: ['http://hl7.org/fhir/StructureDefinition/bp'],
    tag: [{ system: 'urn:tags', code: 'urgent' }],
    security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }],
    source: 'http://lab.example.org#1',
  },
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
  component: [
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      valueQuantity: { value: 140, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
    {
      code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
      valueQuantity: { value: 90, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    },
  ],
};

describe('uri search (FHIR search: uri)', () => {
  it.each([
    ['exact by default', 'url=http://acme.org/fhir/ValueSet/123', true],
    ['exact: a prefix is not enough', 'url=http://acme.org/fhir', false],
    [':below matches targets under the value', 'url:below=http://acme.org/fhir', true],
    [
      ':above matches targets above the value',
      'url:above=http://acme.org/fhir/ValueSet/123/_history/5',
      true,
    ],
    [':above fails for a target below', 'url:above=http://acme.org', false],
  ])('%s', (_rule, param, expected) => {
    expect(holds(`ValueSet?${param}`, valueSet)).toBe(expected);
  });
});

describe('composite search (FHIR search: composite)', () => {
  it.each([
    [
      'both components hold on one component item',
      'component-code-value-quantity=http://loinc.org|8480-6$gt130',
      true,
    ],
    [
      'components must hold on the same item',
      'component-code-value-quantity=http://loinc.org|8462-4$gt130',
      false,
    ],
    [
      'components with a unit',
      'component-code-value-quantity=8462-4$90|http://unitsofmeasure.org|mm[Hg]',
      true,
    ],
    ['comma ORs whole composite values', 'component-code-value-quantity=8462-4$gt130,8480-6$gt130', true],
  ])('%s', (_rule, param, expected) => {
    expect(holds(`Observation?${param}`, bp)).toBe(expected);
  });
});

describe('common parameters (FHIR search: parameters for all resources)', () => {
  it.each([
    ['_id', '_id=bp', true],
    ['_id mismatch', '_id=other', false],
    ['_tag', '_tag=urn:tags|urgent', true],
    ['_security', '_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R', true],
    ['_profile', '_profile=http://hl7.org/fhir/StructureDefinition/bp', true],
    ['_source', '_source=http://lab.example.org#1', true],
    ['_lastUpdated', '_lastUpdated=2024-03-05', true],
    ['result parameters such as _format do not change the match', '_format=json&_id=bp', true],
  ])('%s', (_rule, param, expected) => {
    expect(holds(`Observation?${param}`, bp)).toBe(expected);
  });

  it('R5 definitions are used for R5 subscriptions', () => {
    expect(holds('Observation?_id=bp&code=85354-9', bp, 'R5')).toBe(true);
  });
});
