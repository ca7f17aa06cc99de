import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { holds } from './helpers.js';

const observation: FhirResource = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: {
    coding: [
      { system: 'http://loinc.org', code: '15074-8', display: 'Glucose [Moles/volume] in Blood' },
      { code: 'GLU' },
    ],
    text: 'Blood glucose',
  },
  identifier: [
    {
      system: 'urn:lab',
      value: 'A-1',
      type: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'FILL' }],
        text: 'Filler',
      },
    },
  ],
  subject: { reference: 'Patient/p1' },
};

const patient: FhirResource = {
  resourceType: 'Patient',
  id: 'p1',
  active: true,
  gender: 'female',
  telecom: [
    { system: 'phone', value: '555-0100' },
    { system: 'email', value: 'ann@example.org' },
  ],
};

describe('token search (FHIR search: token)', () => {
  it.each([
    ['[code] matches a code in any system', 'Observation?code=15074-8', true],
    ['[system]|[code] matches code and system', 'Observation?code=http://loinc.org|15074-8', true],
    [
      '[system]|[code] does not match another system',
      'Observation?code=http://snomed.info/sct|15074-8',
      false,
    ],
    ['|[code] matches only codes with no system', 'Observation?code=|GLU', true],
    ['|[code] does not match a code that has a system', 'Observation?code=|15074-8', false],
    ['[system]| matches any code of the system', 'Observation?code=http://loinc.org|', true],
    ['[system]| fails for an absent system', 'Observation?code=http://snomed.info/sct|', false],
    ['codes are case-sensitive', 'Observation?code=glu', false],
    ['comma means OR', 'Observation?code=nope,GLU', true],
    ['a repeated parameter means AND', 'Observation?code=GLU&code=nope', false],
    ['Identifier matches system|value', 'Observation?identifier=urn:lab|A-1', true],
    ['Identifier matches value alone', 'Observation?identifier=A-1', true],
    ['a primitive code matches its value', 'Observation?status=final', true],
    [':not matches when no code matches', 'Observation?status:not=amended', true],
    [':not fails when a code matches', 'Observation?code:not=GLU', false],
    [':text matches CodeableConcept.text starts-with, case-insensitive', 'Observation?code:text=blood', true],
    [':text matches Coding.display', 'Observation?code:text=glucose', true],
    [':text does not match mid-word', 'Observation?code:text=lucose', false],
    [
      ':of-type matches identifier type and value',
      'Observation?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|FILL|A-1',
      true,
    ],
    [
      ':of-type fails on another type',
      'Observation?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|A-1',
      false,
    ],
    [':missing=false holds when the element has a value', 'Observation?code:missing=false', true],
    [':missing=true holds when it has none', 'Observation?category:missing=true', true],
  ])('%s', (_rule, criteria, expected) => {
    expect(holds(criteria, observation)).toBe(expected);
  });

  it.each([
    ['boolean tokens match true/false', 'Patient?active=true', true],
    ['boolean tokens do not match the opposite', 'Patient?active=false', false],
    ['ContactPoint matches its value', 'Patient?phone=555-0100', true],
    ['the phone parameter only reads phone contact points', 'Patient?phone=ann@example.org', false],
    ['email matches the email contact point', 'Patient?email=ann@example.org', true],
    [
      'gender (code) with a system compares the code',
      'Patient?gender=http://hl7.org/fhir/administrative-gender|female',
      true,
    ],
  ])('%s', (_rule, criteria, expected) => {
    expect(holds(criteria, patient)).toBe(expected);
  });

  it('escaped separators are literal (FHIR search: escaping)', () => {
    const o = { ...observation, code: { coding: [{ system: 'urn:x', code: 'a,b' }] } };
    expect(holds('Observation?code=urn:x|a\\,b', o)).toBe(true);
    expect(holds('Observation?code=urn:x|a', o)).toBe(false);
  });
});
