/**
 * A realistic matching workload: subscriptions across 20 resource types (classic criteria with
 * token, reference and date filters; R5 topics with filterBy; a tenth with FHIRPath) and changes
 * drawn from the same code and patient pools. Pools grow with the subscription count so that a
 * change matches about as many subscriptions at 10,000 as at 100,000.
 */
import { searchParameters, type FhirResource, type VersionedChange } from '../../processors/index.js';

interface TypeSpec {
  type: string;
  token: { param: string; path: string; kind: 'cc' | 'cc[]' | 'code'; codes?: string[] };
  reference: { param: string; path: string };
  date: { param: string; path: string; kind: 'dateTime' | 'period' };
}

const t = (
  type: string,
  token: TypeSpec['token'],
  reference: [string, string],
  date: [string, string, 'dateTime' | 'period'],
): TypeSpec => ({
  type,
  token,
  reference: { param: reference[0], path: reference[1] },
  date: { param: date[0], path: date[1], kind: date[2] },
});

export const TYPES: TypeSpec[] = [
  t(
    'Observation',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'subject'],
    ['date', 'effectiveDateTime', 'dateTime'],
  ),
  t(
    'Condition',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'subject'],
    ['onset-date', 'onsetDateTime', 'dateTime'],
  ),
  t(
    'Encounter',
    { param: 'type', path: 'type', kind: 'cc[]' },
    ['subject', 'subject'],
    ['date', 'period', 'period'],
  ),
  t(
    'Procedure',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'subject'],
    ['date', 'performedDateTime', 'dateTime'],
  ),
  t(
    'MedicationRequest',
    { param: 'code', path: 'medicationCodeableConcept', kind: 'cc' },
    ['subject', 'subject'],
    ['authoredon', 'authoredOn', 'dateTime'],
  ),
  t(
    'DiagnosticReport',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'subject'],
    ['date', 'effectiveDateTime', 'dateTime'],
  ),
  t(
    'Immunization',
    { param: 'vaccine-code', path: 'vaccineCode', kind: 'cc' },
    ['patient', 'patient'],
    ['date', 'occurrenceDateTime', 'dateTime'],
  ),
  t(
    'AllergyIntolerance',
    { param: 'code', path: 'code', kind: 'cc' },
    ['patient', 'patient'],
    ['date', 'recordedDate', 'dateTime'],
  ),
  t(
    'CarePlan',
    { param: 'category', path: 'category', kind: 'cc[]' },
    ['subject', 'subject'],
    ['date', 'period', 'period'],
  ),
  t(
    'ServiceRequest',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'subject'],
    ['authored', 'authoredOn', 'dateTime'],
  ),
  t(
    'Claim',
    { param: 'use', path: 'use', kind: 'code', codes: ['claim', 'preauthorization', 'predetermination'] },
    ['patient', 'patient'],
    ['created', 'created', 'dateTime'],
  ),
  t(
    'DocumentReference',
    { param: 'type', path: 'type', kind: 'cc' },
    ['subject', 'subject'],
    ['date', 'date', 'dateTime'],
  ),
  t(
    'Goal',
    {
      param: 'lifecycle-status',
      path: 'lifecycleStatus',
      kind: 'code',
      codes: ['proposed', 'planned', 'accepted', 'active', 'completed'],
    },
    ['subject', 'subject'],
    ['start-date', 'startDate', 'dateTime'],
  ),
  t(
    'Specimen',
    { param: 'type', path: 'type', kind: 'cc' },
    ['subject', 'subject'],
    ['collected', 'collection.collectedDateTime', 'dateTime'],
  ),
  t(
    'CareTeam',
    { param: 'category', path: 'category', kind: 'cc[]' },
    ['subject', 'subject'],
    ['date', 'period', 'period'],
  ),
  t(
    'Communication',
    { param: 'category', path: 'category', kind: 'cc[]' },
    ['subject', 'subject'],
    ['sent', 'sent', 'dateTime'],
  ),
  t(
    'Task',
    { param: 'code', path: 'code', kind: 'cc' },
    ['subject', 'for'],
    ['authored-on', 'authoredOn', 'dateTime'],
  ),
  t(
    'EpisodeOfCare',
    { param: 'type', path: 'type', kind: 'cc[]' },
    ['patient', 'patient'],
    ['date', 'period', 'period'],
  ),
  t(
    'MedicationAdministration',
    { param: 'code', path: 'medicationCodeableConcept', kind: 'cc' },
    ['subject', 'subject'],
    ['effective-time', 'effectiveDateTime', 'dateTime'],
  ),
  t(
    'Consent',
    { param: 'category', path: 'category', kind: 'cc[]' },
    ['patient', 'patient'],
    ['date', 'dateTime', 'dateTime'],
  ),
];

const SYSTEM = 'http://loinc.org';

/** A small deterministic PRNG so that runs compare. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  topics: { url: string; resource: FhirResource }[];
  subscriptions: { id: string; resource: FhirResource; tenant: string }[];
  changes: VersionedChange[];
}

export interface WorkloadOptions {
  subscriptions: number;
  changes: number;
  seed?: number;
}

const TENANTS = ['north', 'south'];

export function buildWorkload(options: WorkloadOptions): Workload {
  const rnd = random(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const scale = options.subscriptions / 10_000;
  const patients = Math.round(1_500 * scale);
  const codes = Math.round(150 * scale);
  const patient = () => `Patient/p${Math.floor(rnd() * patients)}`;
  const code = (spec: TypeSpec) =>
    spec.token.codes ? pick(spec.token.codes) : `c${Math.floor(rnd() * codes)}`;
  const month = () => `2024-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}`;

  const topics = TYPES.map((spec) => ({
    url: `http://example.org/SubscriptionTopic/${spec.type}-changed`,
    resource: {
      resourceType: 'SubscriptionTopic',
      url: `http://example.org/SubscriptionTopic/${spec.type}-changed`,
      status: 'active',
      resourceTrigger: [{ resource: spec.type, supportedInteraction: ['create', 'update'] }],
      canFilterBy: [
        { resource: spec.type, filterParameter: spec.reference.param },
        { resource: spec.type, filterParameter: spec.token.param },
      ],
    } as FhirResource,
  }));

  const tokenQuery = (spec: TypeSpec) =>
    spec.token.kind === 'code' ? code(spec) : `${SYSTEM}|${code(spec)}`;
  const channel = {
    type: 'rest-hook',
    endpoint: 'https://example.org/hook',
    payload: 'application/fhir+json',
  };
  const subscriptions: Workload['subscriptions'] = [];
  for (let i = 0; i < options.subscriptions; i++) {
    const spec = pick(TYPES);
    const id = `s${i}`;
    const tenant = pick(TENANTS);
    const roll = rnd();
    let resource: FhirResource;
    if (roll < 0.2) {
      const filterBy = [{ resourceType: spec.type, filterParameter: spec.reference.param, value: patient() }];
      // R5 renamed a few parameters (ServiceRequest code is code-concept): filter only by those R5 has.
      const tokenInR5 = searchParameters('R5').get(spec.type, spec.token.param) !== undefined;
      if (tokenInR5 && rnd() < 0.5) {
        filterBy.push({
          resourceType: spec.type,
          filterParameter: spec.token.param,
          value: tokenQuery(spec),
        });
      }
      resource = {
        resourceType: 'Subscription',
        id,
        status: 'active',
        topic: topics[TYPES.indexOf(spec)]!.url,
        filterBy,
        channelType: { code: 'rest-hook' },
        endpoint: 'https://example.org/hook',
        content: 'id-only',
      };
    } else {
      const params: string[] = [];
      const shape = rnd();
      if (shape < 0.4)
        params.push(`${spec.token.param}=${tokenQuery(spec)}`, `${spec.reference.param}=${patient()}`);
      else if (shape < 0.7)
        params.push(`${spec.reference.param}=${patient()}`, `${spec.date.param}=ge${month()}`);
      else if (spec.token.kind === 'code') {
        // A status-like code has a handful of values: alone it would select a share of all changes.
        params.push(`${spec.token.param}=${tokenQuery(spec)}`, `${spec.reference.param}=${patient()}`);
      } else params.push(`${spec.token.param}=${tokenQuery(spec)}`, `${spec.date.param}=lt${month()}`);
      const fhirPath = roll >= 0.9;
      resource = {
        resourceType: 'Subscription',
        id,
        status: 'active',
        criteria: `${spec.type}?${params.join('&')}`,
        channel,
        ...(fhirPath
          ? {
              extension: [
                {
                  url: 'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression',
                  valueString: '%previous.empty() or %current.meta.versionId != %previous.meta.versionId',
                },
              ],
            }
          : {}),
      };
    }
    subscriptions.push({ id, resource, tenant });
  }

  const changes: VersionedChange[] = [];
  for (let i = 0; i < options.changes; i++) {
    const spec = pick(TYPES);
    const c = code(spec);
    const day = `${month()}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    const current = resourceOf(spec, `r${i}`, c, patient(), day, '2');
    const previous = resourceOf(spec, `r${i}`, c, patient(), day, '1');
    const update = rnd() < 0.7;
    changes.push({
      change: {
        interaction: update ? 'update' : 'create',
        resourceType: spec.type,
        id: `r${i}`,
        tenant: pick(TENANTS),
        occurredAt: '2024-06-01T00:00:00Z',
      },
      current,
      ...(update ? { previous } : {}),
    });
  }
  return { topics, subscriptions, changes };
}

function set(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]!] = value;
}

function resourceOf(
  spec: TypeSpec,
  id: string,
  code: string,
  subject: string,
  day: string,
  versionId: string,
): FhirResource {
  const r: Record<string, unknown> = {
    resourceType: spec.type,
    id,
    meta: { versionId, lastUpdated: `${day}T10:00:00Z` },
    status: 'active',
  };
  const concept = { coding: [{ system: SYSTEM, code, display: `Code ${code}` }], text: `Code ${code}` };
  set(
    r,
    spec.token.path,
    spec.token.kind === 'code' ? code : spec.token.kind === 'cc[]' ? [concept] : concept,
  );
  set(r, spec.reference.path, { reference: subject });
  set(
    r,
    spec.date.path,
    spec.date.kind === 'period' ? { start: `${day}T08:00:00Z`, end: `${day}T09:00:00Z` } : `${day}T08:00:00Z`,
  );
  return r as FhirResource;
}
