import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { holds } from './helpers.js';

const risk = (probability: number): FhirResource => ({
  resourceType: 'RiskAssessment',
  id: 'r',
  status: 'final',
  subject: { reference: 'Patient/p' },
  prediction: [{ probabilityDecimal: probability }],
});

const weight = (value: number, code = 'kg', unit = 'kg'): FhirResource => ({
  resourceType: 'Observation',
  id: 'w',
  status: 'final',
  code: { text: 'weight' },
  valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code },
});

describe('number search (FHIR search: number, precision)', () => {
  it.each([
    ['eq uses the precision of the value: 0.8 covers [0.75, 0.85)', 'probability=0.8', 0.84, true],
    ['eq: outside the precision range', 'probability=0.8', 0.86, false],
    ['eq: more digits narrow the range', 'probability=0.80', 0.803, true],
    ['eq: more digits narrow the range (outside)', 'probability=0.80', 0.81, false],
    ['exponent form: 1e-1 covers [0.05, 0.15)', 'probability=1e-1', 0.14, true],
    ['ne', 'probability=ne0.8', 0.9, true],
    ['gt', 'probability=gt0.8', 0.81, true],
    ['gt is exclusive', 'probability=gt0.8', 0.8, false],
    ['lt', 'probability=lt0.8', 0.79, true],
    ['ge is inclusive', 'probability=ge0.8', 0.8, true],
    ['le is inclusive', 'probability=le0.8', 0.8, true],
    ['sa (as gt for numbers)', 'probability=sa0.5', 0.6, true],
    ['eb (as lt for numbers)', 'probability=eb0.5', 0.6, false],
    ['ap: within 10%', 'probability=ap0.8', 0.85, true],
    ['ap: not beyond 10%', 'probability=ap0.8', 0.9, false],
  ])('%s', (_rule, param, value, expected) => {
    expect(holds(`RiskAssessment?${param}`, risk(value))).toBe(expected);
  });
});

describe('quantity search (FHIR search: quantity)', () => {
  it.each([
    ['number alone ignores units', 'value-quantity=70', weight(70), true],
    ['number|system|code', 'value-quantity=70|http://unitsofmeasure.org|kg', weight(70), true],
    ['another system fails', 'value-quantity=70|http://example.org|kg', weight(70), false],
    ['number||code matches the code', 'value-quantity=70||kg', weight(70), true],
    ['number||code matches the unit too', 'value-quantity=70||kilo', weight(70, 'kg', 'kilo'), true],
    ['precision: 70 covers 70.4', 'value-quantity=70||kg', weight(70.4), true],
    ['precision: 70.0 does not cover 70.4', 'value-quantity=70.0||kg', weight(70.4), false],
    ['prefixes: gt', 'value-quantity=gt60|http://unitsofmeasure.org|kg', weight(70), true],
    ['prefixes: lt', 'value-quantity=lt60||kg', weight(70), false],
    ['UCUM: 70 kg answers 70000 g', 'value-quantity=70000|http://unitsofmeasure.org|g', weight(70), true],
    ['UCUM: 70 kg is gt 60000 g', 'value-quantity=gt60000|http://unitsofmeasure.org|g', weight(70), true],
    [
      'UCUM: incompatible units do not match',
      'value-quantity=70|http://unitsofmeasure.org|m',
      weight(70),
      false,
    ],
  ])('%s', (_rule, param, resource, expected) => {
    expect(holds(`Observation?${param}`, resource)).toBe(expected);
  });
});
