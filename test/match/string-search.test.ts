import { describe, expect, it } from 'vitest';
import type { FhirResource } from '../../processors/index.js';
import { holds } from './helpers.js';

const patient: FhirResource = {
  resourceType: 'Patient',
  id: 'p1',
  name: [{ family: 'Müller-Lüdenscheidt', given: ['Ève', 'Marie'], text: 'Ève Müller' }],
  address: [{ line: ['12 Rue de la Paix'], city: 'Paris', postalCode: '75002', country: 'FR' }],
};

describe('string search (FHIR search: string)', () => {
  it.each([
    ['matches the start of a value', 'Patient?family=Mül', true],
    ['is case-insensitive', 'Patient?family=MÜLLER', true],
    ['is accent-insensitive', 'Patient?family=muller', true],
    ['does not match inside a value', 'Patient?family=Lüden', false],
    ['name covers given names of a HumanName', 'Patient?name=marie', true],
    ['given is accent-insensitive', 'Patient?given=eve', true],
    [
      ':exact needs the whole value, case and accents included',
      'Patient?family:exact=Müller-Lüdenscheidt',
      true,
    ],
    [':exact fails on a prefix', 'Patient?family:exact=Müller', false],
    [':exact fails on other case', 'Patient?family:exact=müller-lüdenscheidt', false],
    [':exact fails without accents', 'Patient?family:exact=Muller-Ludenscheidt', false],
    [':contains matches anywhere, insensitive', 'Patient?family:contains=LUDEN', true],
    ['address covers Address.line', 'Patient?address=12 rue', true],
    ['address-city reads the city', 'Patient?address-city=par', true],
    ['address-postalcode reads the postal code', 'Patient?address-postalcode=750', true],
    ['comma means OR', 'Patient?family=Smith,Mül', true],
    [':missing=true holds for an absent element', 'Patient?phonetic:missing=false', true],
  ])('%s', (_rule, criteria, expected) => {
    expect(holds(criteria, patient)).toBe(expected);
  });

  it('percent-encoded values are decoded', () => {
    expect(holds('Patient?address=12%20Rue', patient)).toBe(true);
  });
});
