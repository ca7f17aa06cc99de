import { describe, expect, it } from 'vitest';
import { selectAdditionalContext } from '../../processors/notify/shape.js';
import type { FhirResource } from '../../processors/index.js';

const encounter: FhirResource = {
  resourceType: 'Encounter',
  id: 'e1',
  subject: { reference: 'Patient/p1' },
  serviceProvider: { reference: 'https://fhir.test/r4/Organization/o1' },
};
const patient: FhirResource = { resourceType: 'Patient', id: 'p1' };
const otherPatient: FhirResource = { resourceType: 'Patient', id: 'p2' };
const organization: FhirResource = { resourceType: 'Organization', id: 'o1' };
const observation: FhirResource = {
  resourceType: 'Observation',
  id: 'x',
  encounter: { reference: 'Encounter/e1' },
};
const unrelated: FhirResource = {
  resourceType: 'Observation',
  id: 'y',
  encounter: { reference: 'Encounter/e9' },
};
const atHand = [patient, otherPatient, organization, observation, unrelated];

describe('notificationShape over the resources at hand', () => {
  it('includes what the focus references through the parameter, absolute references too', () => {
    const shape = {
      include: ['Encounter:patient', 'Encounter:service-provider', 'Encounter:organization'],
      revInclude: [],
    };
    expect(selectAdditionalContext(encounter, atHand, shape)).toEqual([patient, organization]);
  });

  it('honours an include target type and the wildcard', () => {
    expect(
      selectAdditionalContext(encounter, atHand, { include: ['Encounter:subject:Group'], revInclude: [] }),
    ).toEqual([]);
    expect(selectAdditionalContext(encounter, atHand, { include: ['Encounter:*'], revInclude: [] })).toEqual([
      patient,
      organization,
    ]);
  });

  it('revIncludes resources of the named type that reference the focus', () => {
    expect(
      selectAdditionalContext(encounter, atHand, { include: [], revInclude: ['Observation:encounter'] }),
    ).toEqual([observation]);
  });

  it('includes nothing for another focus type, no shape, or nothing at hand', () => {
    expect(
      selectAdditionalContext(patient, atHand, { include: ['Encounter:patient'], revInclude: [] }),
    ).toEqual([]);
    expect(selectAdditionalContext(encounter, atHand, undefined)).toEqual([]);
    expect(
      selectAdditionalContext(encounter, [], { include: ['Encounter:patient'], revInclude: [] }),
    ).toEqual([]);
  });
});
