import { describe, expect, it } from 'vitest';
import { compileCriteria } from '../../processors/index.js';
import { expectRefused, NOW } from './helpers.js';

describe('criteria refused at compile time, naming the offending part', () => {
  it.each([
    ['chained parameters', 'Observation?subject.name=peter', 'subject.name'],
    ['chains with a type', 'Observation?subject:Patient.name=peter', 'subject:Patient.name'],
    ['reverse chaining', 'Patient?_has:Observation:patient:code=1234', '_has'],
    ['_include', 'Observation?_include=Observation:subject', '_include'],
    ['_revinclude', 'Patient?_revinclude=Observation:subject', '_revinclude'],
    ['_filter', 'Observation?_filter=code eq 1', '_filter'],
    ['unknown parameters', 'Observation?colour=blue', "'colour'"],
    ['unknown resource types', 'Spaceship?_id=1', "'Spaceship'"],
    ['R5-only types in R4', 'SubscriptionTopic?_id=1', "'SubscriptionTopic'"],
    [':in needs a terminology service', 'Observation?code:in=http://example.org/vs', ':in'],
    [':not-in needs a terminology service', 'Observation?code:not-in=http://example.org/vs', ':not-in'],
    [
      ':above on a token needs a terminology service',
      'Observation?code:above=http://snomed.info/sct|1',
      ':above',
    ],
    ['unknown modifiers', 'Observation?code:fuzzy=1', ':fuzzy'],
    ['modifiers on dates', 'Observation?date:exact=2024', ':exact'],
    ['malformed dates', 'Observation?date=2024-13-01', '2024-13-01'],
    ['malformed numbers', 'RiskAssessment?probability=high', 'high'],
    ['malformed quantities', 'Observation?value-quantity=5|kg', '5|kg'],
    ['malformed tokens', 'Observation?code=|', "'|'"],
    ['malformed :missing', 'Observation?code:missing=maybe', ':missing'],
    ['malformed references', 'Observation?subject=not a reference', 'not a reference'],
    ['malformed percent-encoding', 'Observation?code=%E0%A4%A', 'percent-encoding'],
    ['a missing value', 'Observation?code=', 'empty value'],
    ['no resource type', 'code=1234', 'not [type]?[parameters]'],
  ])('%s', (_rule, criteria, part) => {
    expectRefused(criteria, part);
  });
});

describe('resource types are those of the subscription version', () => {
  it('R4B knows its own new types (SubscriptionTopic)', () => {
    expect(() =>
      compileCriteria('SubscriptionTopic?_id=1', { version: 'R4B', now: () => NOW }),
    ).not.toThrow();
  });
});
