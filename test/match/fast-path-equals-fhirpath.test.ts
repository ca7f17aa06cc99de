import { describe, expect, it } from 'vitest';
import { searchParameters, type FhirResource, type FhirVersion } from '../../processors/index.js';
import { compileFhirPath, expressionFor, splitUnion } from '../../processors/match/expression.js';
import { compilePathReader } from '../../processors/match/fast-path.js';
import { buildWorkload } from '../../bench/match/workload.js';

const examples: FhirResource[] = [
  {
    resourceType: 'Patient',
    id: 'p',
    meta: { lastUpdated: '2024-01-01T00:00:00Z', tag: [{ system: 's', code: 't' }], profile: ['http://p'] },
    active: true,
    gender: 'female',
    birthDate: '1970-01-01',
    name: [{ family: 'Smith', given: ['Ann', 'B'] }],
    telecom: [
      { system: 'phone', value: '1' },
      { system: 'email', value: 'a@b' },
    ],
    address: [{ city: 'Paris', line: ['1 rue'] }],
    identifier: [{ system: 'urn:x', value: '1' }],
    generalPractitioner: [{ reference: 'Practitioner/1' }, { reference: 'Organization/2' }],
    managingOrganization: { reference: 'Organization/2' },
    deceasedBoolean: false,
  },
  {
    resourceType: 'Observation',
    id: 'o',
    status: 'final',
    category: [{ coding: [{ system: 'c', code: 'vital-signs' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '1' }] },
    subject: { reference: 'Patient/p' },
    encounter: { reference: 'Encounter/e' },
    effectivePeriod: { start: '2024-01-01', end: '2024-01-02' },
    valueQuantity: { value: 1, system: 'http://unitsofmeasure.org', code: 'mg' },
    performer: [{ reference: 'Practitioner/1' }, { reference: 'Patient/p' }],
    component: [{ code: { text: 'x' }, valueString: 'y' }],
  },
  {
    resourceType: 'Encounter',
    id: 'e',
    status: 'in-progress',
    class: { code: 'AMB' },
    subject: { reference: 'Patient/p' },
    period: { start: '2024-01-01' },
    participant: [{ individual: { reference: 'Practitioner/1' } }],
  },
  {
    resourceType: 'Condition',
    id: 'c',
    code: { text: 'x' },
    subject: { reference: 'Group/g' },
    onsetDateTime: '2024-01-01',
    clinicalStatus: { coding: [{ code: 'active' }] },
  },
];

function viaFhirpath(version: FhirVersion, expression: string, resource: FhirResource) {
  const fn = compileFhirPath(expression, version, 'test');
  return fn(structuredClone(resource)).map((node) => {
    const n = node as { data: unknown; fhirNodeDataType?: string };
    return { type: n.fhirNodeDataType, value: n.data };
  });
}

describe('the plain-path reader gives what fhirpath gives', () => {
  const workload = buildWorkload({ subscriptions: 10, changes: 60 }).changes.map((c) => c.current!);
  const resources = [...examples, ...workload];
  for (const version of ['R4', 'R5'] as const) {
    it(`for every ${version} search parameter of the example resources`, () => {
      const registry = searchParameters(version);
      let compared = 0;
      for (const resource of resources) {
        const type = resource.resourceType;
        const codes = new Set<string>();
        for (const code of [
          '_id',
          '_lastUpdated',
          '_tag',
          '_profile',
          'identifier',
          'code',
          'subject',
          'patient',
          'date',
          'status',
          'category',
          'name',
          'family',
          'given',
          'telecom',
          'phone',
          'email',
          'gender',
          'active',
          'birthdate',
          'address',
          'address-city',
          'general-practitioner',
          'organization',
          'performer',
          'encounter',
          'value-quantity',
          'onset-date',
          'clinical-status',
          'class',
          'participant',
          'type',
          'vaccine-code',
          'authoredon',
          'use',
          'lifecycle-status',
          'collected',
          'sent',
          'authored-on',
          'start-date',
        ]) {
          codes.add(code);
        }
        for (const code of codes) {
          const def = registry.get(type, code);
          if (!def?.expression) continue;
          const own = expressionFor(def.expression, type);
          const path = compilePathReader(splitUnion(own), version, type);
          if (!path) continue;
          expect({ code, type, values: path.read(resource) }).toEqual({
            code,
            type,
            values: viaFhirpath(version, own, resource),
          });
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(100);
    });
  }
});
