import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { expectRefused, holds } from './helpers.js';

const observation: FhirResource = {
  resourceType: 'Observation',
  id: 'o1',
  status: 'final',
  code: { text: 'x' },
  subject: { reference: 'Patient/123', display: 'Ann Smith' },
  performer: [
    { reference: 'https://other.example.org/fhir/Practitioner/9' },
    { reference: 'Organization/org-1/_history/3' },
    { type: 'Practitioner', identifier: { system: 'urn:npi', value: '1234567890' } },
  ],
};

describe('reference search (FHIR search: reference)', () => {
  it.each([
    ['[type]/[id] matches a relative reference', 'subject=Patient/123', true],
    ['[type]/[id] does not match another type', 'subject=Group/123', false],
    ['[id] alone matches any type with that id', 'subject=123', true],
    [':[type] with an id', 'subject:Patient=123', true],
    [':[type] must be the reference type', 'subject:Group=123', false],
    ['resolve() is Patient is decided from the reference type (patient param)', 'patient=Patient/123', true],
    [
      'an absolute URL matches the same absolute reference',
      'performer=https://other.example.org/fhir/Practitioner/9',
      true,
    ],
    [
      'an absolute URL does not match a relative reference of the same type/id',
      'subject=https://example.org/fhir/Patient/123',
      false,
    ],
    ['a versioned reference matches the unversioned search', 'performer=Organization/org-1', true],
    ['a versioned search needs that version', 'performer=Organization/org-1/_history/3', true],
    ['a versioned search fails on another version', 'performer=Organization/org-1/_history/2', false],
    [':identifier matches Reference.identifier as a token', 'performer:identifier=urn:npi|1234567890', true],
    [':identifier fails on another value', 'performer:identifier=urn:npi|0', false],
    [':missing=false', 'subject:missing=false', true],
    [':missing=true', 'specimen:missing=true', true],
    ['comma means OR', 'subject=Patient/1,Patient/123', true],
  ])('%s', (_rule, param, expected) => {
    expect(holds(`Observation?${param}`, observation)).toBe(expected);
  });

  it('resolve() is Patient excludes references of other types', () => {
    const grouped = { ...observation, subject: { reference: 'Group/123' } };
    expect(holds('Observation?patient=123', grouped)).toBe(false);
    expect(holds('Observation?subject=123', grouped)).toBe(true);
  });

  it('canonical targets compare url and optional |version', () => {
    const q: FhirResource = {
      resourceType: 'QuestionnaireResponse',
      id: 'q',
      status: 'completed',
      questionnaire: 'http://example.org/Questionnaire/phq9|2.0',
    };
    expect(holds('QuestionnaireResponse?questionnaire=http://example.org/Questionnaire/phq9', q)).toBe(true);
    expect(holds('QuestionnaireResponse?questionnaire=http://example.org/Questionnaire/phq9|2.0', q)).toBe(
      true,
    );
    expect(holds('QuestionnaireResponse?questionnaire=http://example.org/Questionnaire/phq9|1.0', q)).toBe(
      false,
    );
  });

  it('a type modifier that is not a target of the parameter is refused', () => {
    expectRefused('Observation?subject:Medication=1', ':Medication');
  });
});
