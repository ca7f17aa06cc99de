/**
 * Builders of realistic FHIR R4 resources (Patient, Observation, Encounter, Condition). A
 * resource's identity attributes (subject, code, dates) come from a random source seeded by its id,
 * so they stay the same across its versions; what changes between versions (status, value, notes)
 * comes from the version's random source. A narrative pads each resource to a chosen size.
 */
import type { FhirResource } from '../../../processors/index.js';
import { seededRandom, type Random } from './random.js';
import {
  CITIES,
  CONDITION_CLINICAL,
  CONDITIONS,
  ENCOUNTER_CLASSES,
  ENCOUNTER_STATUSES,
  ENCOUNTER_TYPES,
  FAMILY_NAMES,
  FIRST_YEAR,
  GENDERS,
  GIVEN_NAMES,
  LAST_YEAR,
  MEASUREMENTS,
  OBSERVATION_STATUSES,
  ORGANIZATION,
  PRACTITIONERS,
  SYSTEMS,
} from './vocabulary.js';

export const RESOURCE_TYPES = ['Patient', 'Observation', 'Encounter', 'Condition'] as const;
export type GeneratedType = (typeof RESOURCE_TYPES)[number];

export const ID_PREFIX: Record<GeneratedType, string> = {
  Patient: 'pat',
  Observation: 'obs',
  Encounter: 'enc',
  Condition: 'cond',
};

/** Resource id of the resource of a type at a Zipf rank. */
export function idAt(type: GeneratedType, rank: number): string {
  return `${ID_PREFIX[type]}-${rank}`;
}

export interface BuildContext {
  type: GeneratedType;
  id: string;
  versionId: number;
  /** ISO-8601 placeholder for meta.lastUpdated; the sender overwrites it with the send time. */
  lastUpdated: string;
  /** Random source seeded by the resource's identity: the same for every version. */
  identity: Random;
  /** Random source of this version. */
  version: Random;
  /** The id of a patient for a uniform value in [0, 1) (Zipf over patients). */
  patientAt(u: number): string;
  /** The id of an encounter for a uniform value in [0, 1) (Zipf over encounters). */
  encounterAt(u: number): string;
  /** Size of the serialized resource to aim for, in bytes. */
  targetBytes: number;
}

/** 32-bit FNV-1a: a stable seed from a string. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The medical record number of a generated patient. */
export function mrnOf(patientId: string): string {
  return `MRN-${hashSeed(patientId).toString(16).padStart(8, '0')}`;
}

export function identityRandom(runSeed: number, type: string, id: string): Random {
  return seededRandom(hashSeed(`${runSeed}:${type}/${id}`));
}

/** A date-time between February and November of a year in range (see vocabulary.ts). */
export function clinicalDateTime(r: Random): string {
  const year = r.int(FIRST_YEAR, LAST_YEAR);
  const month = r.int(2, 11);
  const day = r.int(1, 28);
  const hour = r.int(6, 20);
  const minute = r.int(0, 59);
  return `${year}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00Z`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function meta(ctx: BuildContext): FhirResource['meta'] {
  return {
    versionId: String(ctx.versionId),
    lastUpdated: ctx.lastUpdated,
    source: 'urn:substream:loadgen',
    profile: [`http://hl7.org/fhir/StructureDefinition/${ctx.type}`],
  };
}

function patient(ctx: BuildContext): FhirResource {
  const { identity: r, version: v } = ctx;
  const given = r.pick(GIVEN_NAMES);
  const family = r.pick(FAMILY_NAMES);
  const birthYear = r.int(1930, 2020);
  return {
    resourceType: 'Patient',
    id: ctx.id,
    meta: meta(ctx),
    identifier: [
      {
        use: 'usual',
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
        system: SYSTEMS.mrn,
        value: mrnOf(ctx.id),
      },
    ],
    active: v.next() > 0.05,
    name: [{ use: 'official', family, given: [given] }],
    telecom: [
      { system: 'phone', value: `+45 ${v.int(20000000, 99999999)}`, use: 'mobile' },
      { system: 'email', value: `${given.toLowerCase()}.${family.toLowerCase()}@example.org`, use: 'home' },
    ],
    gender: r.pick(GENDERS),
    birthDate: `${birthYear}-${pad(r.int(1, 12))}-${pad(r.int(1, 28))}`,
    address: [
      {
        use: 'home',
        line: [`${v.int(1, 200)} ${r.pick(FAMILY_NAMES)} Street`],
        city: r.pick(CITIES),
        postalCode: String(v.int(1000, 9999)),
        country: 'DK',
      },
    ],
    managingOrganization: { reference: ORGANIZATION },
  };
}

function observation(ctx: BuildContext): FhirResource {
  const { identity: r, version: v } = ctx;
  const m = r.pick(MEASUREMENTS);
  const value = Math.round((m.low + v.next() * (m.high - m.low)) * 10) / 10;
  const effective = clinicalDateTime(r);
  return {
    resourceType: 'Observation',
    id: ctx.id,
    meta: meta(ctx),
    identifier: [{ system: SYSTEMS.observationNumber, value: `OBS-${hashSeed(ctx.id)}` }],
    status: ctx.versionId === 1 ? 'preliminary' : v.pick(OBSERVATION_STATUSES),
    category: [
      {
        coding: [
          {
            system: SYSTEMS.observationCategory,
            code: m.category,
            display: m.category === 'laboratory' ? 'Laboratory' : 'Vital Signs',
          },
        ],
      },
    ],
    code: { coding: [{ system: SYSTEMS.loinc, code: m.code, display: m.display }], text: m.display },
    subject: { reference: `Patient/${ctx.patientAt(r.next())}` },
    encounter: { reference: `Encounter/${ctx.encounterAt(r.next())}` },
    effectiveDateTime: effective,
    issued: effective.replace(':00Z', ':30Z'),
    performer: [{ reference: r.pick(PRACTITIONERS) }],
    valueQuantity: { value, unit: m.unit, system: SYSTEMS.ucum, code: m.unit },
    interpretation: [
      {
        coding: [
          {
            system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation',
            code: value > (m.low + m.high) / 2 ? 'H' : 'N',
          },
        ],
      },
    ],
  };
}

function encounter(ctx: BuildContext): FhirResource {
  const { identity: r, version: v } = ctx;
  const cls = r.pick(ENCOUNTER_CLASSES);
  const type = r.pick(ENCOUNTER_TYPES);
  const start = clinicalDateTime(r);
  const status = ctx.versionId === 1 ? 'planned' : v.pick(ENCOUNTER_STATUSES);
  return {
    resourceType: 'Encounter',
    id: ctx.id,
    meta: meta(ctx),
    identifier: [{ system: SYSTEMS.encounterNumber, value: `ENC-${hashSeed(ctx.id)}` }],
    status,
    class: { system: SYSTEMS.actCode, code: cls.code, display: cls.display },
    type: [{ coding: [{ system: SYSTEMS.snomed, code: type.code, display: type.display }] }],
    subject: { reference: `Patient/${ctx.patientAt(r.next())}` },
    participant: [{ individual: { reference: r.pick(PRACTITIONERS) } }],
    period: { start, ...(status === 'finished' ? { end: start.replace(/T(\d\d)/, 'T23') } : {}) },
    serviceProvider: { reference: ORGANIZATION },
  };
}

function condition(ctx: BuildContext): FhirResource {
  const { identity: r, version: v } = ctx;
  const concept = r.pick(CONDITIONS);
  const onset = clinicalDateTime(r);
  return {
    resourceType: 'Condition',
    id: ctx.id,
    meta: meta(ctx),
    clinicalStatus: { coding: [{ system: SYSTEMS.conditionClinical, code: v.pick(CONDITION_CLINICAL) }] },
    verificationStatus: {
      coding: [
        { system: SYSTEMS.conditionVerification, code: ctx.versionId === 1 ? 'provisional' : 'confirmed' },
      ],
    },
    category: [{ coding: [{ system: SYSTEMS.conditionCategory, code: 'problem-list-item' }] }],
    code: {
      coding: [{ system: SYSTEMS.snomed, code: concept.code, display: concept.display }],
      text: concept.display,
    },
    subject: { reference: `Patient/${ctx.patientAt(r.next())}` },
    encounter: { reference: `Encounter/${ctx.encounterAt(r.next())}` },
    onsetDateTime: onset,
    recordedDate: onset.slice(0, 10),
    recorder: { reference: r.pick(PRACTITIONERS) },
  };
}

const BUILDERS: Record<GeneratedType, (ctx: BuildContext) => FhirResource> = {
  Patient: patient,
  Observation: observation,
  Encounter: encounter,
  Condition: condition,
};

const NOTE_WORDS = [
  'patient',
  'reports',
  'no',
  'acute',
  'distress',
  'reviewed',
  'history',
  'stable',
  'follow-up',
  'advised',
  'medication',
  'adherence',
  'discussed',
  'plan',
  'unchanged',
  'vitals',
  'within',
  'range',
];

/** Clinical-note text made once; each narrative is a slice of it, which keeps generation cheap. */
const FILLER = (() => {
  const r = seededRandom(20_260_101);
  const words: string[] = [];
  let length = 0;
  while (length < 8_192) {
    const word = r.pick(NOTE_WORDS);
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
})();

const DIV_OPEN = '<div xmlns="http://www.w3.org/1999/xhtml"><p>';
const DIV_CLOSE = '</p></div>';

/** Builds the resource, with a generated narrative that brings it to about `targetBytes`. */
export function buildResource(ctx: BuildContext): FhirResource {
  const { resourceType, id, meta: m, ...rest } = BUILDERS[ctx.type](ctx);
  // The narrative sits after meta, where FHIR servers put it.
  const text = { status: 'generated', div: DIV_OPEN + DIV_CLOSE };
  const resource: FhirResource = { resourceType, id, meta: m, text, ...rest };
  const room = Math.max(
    0,
    Math.min(FILLER.length, ctx.targetBytes - Buffer.byteLength(JSON.stringify(resource))),
  );
  const from = ctx.version.int(0, FILLER.length - room);
  text.div = DIV_OPEN + FILLER.slice(from, from + room) + DIV_CLOSE;
  return resource;
}
