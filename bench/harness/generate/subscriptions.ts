/**
 * The subscription generator, with the matching benchmark's mix: 70% classic R4 criteria (token,
 * reference and date parameters), 20% R5 topic subscriptions with filterBy (and the
 * SubscriptionTopic resources they need), 10% with a Medplum FHIRPath criteria extension.
 *
 * Subscriptions are as selective as real ones: nearly all name one patient, drawn uniformly from
 * the patient population, so a change fires about as many subscriptions whatever their number
 * (a clinician follows a patient's heart rate, not every heart rate). A few watch a whole resource
 * type. Each subscription carries the filters it was built from (all must hold), which the oracle
 * evaluates without the engine.
 */
import type { FhirResource } from '../../../processors/index.js';
import { DEFAULT_POPULATION } from './changes.js';
import { seededRandom, type Random } from './random.js';
import { idAt, mrnOf, RESOURCE_TYPES, type GeneratedType } from './resources.js';
import {
  CONDITIONS,
  FIRST_YEAR,
  LAST_YEAR,
  MEASUREMENTS,
  OBSERVATION_STATUSES,
  SYSTEMS,
} from './vocabulary.js';

export const FHIRPATH_CRITERIA_URL =
  'https://medplum.com/fhir/StructureDefinition/fhir-path-criteria-expression';
export const TOPIC_BASE = 'http://substream.example/fhir/SubscriptionTopic';

/** One condition of a generated subscription, in a form the oracle evaluates directly. */
export type SimpleFilter =
  | { kind: 'token'; param: 'code' | 'status' | 'identifier'; system?: string; code: string }
  | { kind: 'reference'; param: 'subject' | 'patient'; reference: string }
  | { kind: 'date'; param: 'date' | 'onset-date'; comparator: 'ge' | 'lt'; year: number }
  | { kind: 'fhirpath-status'; status: string };

export type Flavor = 'r4-criteria' | 'r5-topic' | 'r4-fhirpath';

export interface ChannelPlan {
  /** Every subscription not given another channel uses rest-hook to this URL. */
  restHookUrl: string;
  /** Endpoint (an amqp URL or `channel:queue`) for a share of message-channel subscriptions. */
  message?: { endpoint: string; share: number };
  /** External Kafka topic for a share of kafka-channel subscriptions. */
  kafka?: { topic: string; share: number };
}

export interface GeneratedSubscription {
  id: string;
  flavor: Flavor;
  resourceType: GeneratedType;
  /** All must hold; none means every change of the resource type. */
  filters: SimpleFilter[];
  channel: 'rest-hook' | 'message' | 'kafka';
  resource: FhirResource;
}

export interface SubscriptionSet {
  subscriptions: GeneratedSubscription[];
  topics: FhirResource[];
}

export interface SubscriptionGeneratorOptions {
  count: number;
  channels: ChannelPlan;
  seed?: number;
  idPrefix?: string;
  /** The patients the change generator draws from; filters name one of them. */
  patientPopulation?: number;
  /** Subscriptions to a whole resource type (no filter), the first ones generated. */
  typeOnly?: number;
}

/** The SubscriptionTopic of a resource type: fires on create and update, filterable by its search params. */
export function topicFor(type: GeneratedType): FhirResource {
  const id = `loadgen-${type.toLowerCase()}`;
  const filters: Record<GeneratedType, string[]> = {
    Patient: ['identifier'],
    Observation: ['code', 'status', 'subject'],
    Encounter: ['subject'],
    Condition: ['code', 'patient'],
  };
  return {
    resourceType: 'SubscriptionTopic',
    id,
    url: `${TOPIC_BASE}/${id}`,
    version: '1',
    title: `${type} created or updated`,
    status: 'active',
    description: `Any ${type} created or updated (load generator topic).`,
    resourceTrigger: [
      {
        description: `${type} create or update`,
        resource: `http://hl7.org/fhir/StructureDefinition/${type}`,
        supportedInteraction: ['create', 'update'],
      },
    ],
    canFilterBy: filters[type].map((filterParameter) => ({
      description: `Filter ${type} by ${filterParameter}`,
      resource: type,
      filterParameter,
    })),
    notificationShape: [{ resource: type }],
  };
}

/** Filters for one subscription: a patient, and maybe a code, status or date on top. */
function pickFilters(r: Random, type: GeneratedType, patients: number, classic: boolean): SimpleFilter[] {
  const patientId = idAt('Patient', r.int(0, patients - 1));
  if (type === 'Patient') {
    return [{ kind: 'token', param: 'identifier', system: SYSTEMS.mrn, code: mrnOf(patientId) }];
  }
  const reference: SimpleFilter = {
    kind: 'reference',
    param: type === 'Condition' ? 'patient' : 'subject',
    reference: `Patient/${patientId}`,
  };
  const date = (param: 'date' | 'onset-date'): SimpleFilter => ({
    kind: 'date',
    param,
    comparator: r.pick(['ge', 'lt'] as const),
    year: r.int(FIRST_YEAR + 1, LAST_YEAR),
  });
  const extras: Record<Exclude<GeneratedType, 'Patient'>, (() => SimpleFilter | undefined)[]> = {
    Observation: [
      () => undefined,
      () => ({ kind: 'token', param: 'code', system: SYSTEMS.loinc, code: r.pick(MEASUREMENTS).code }),
      () => ({ kind: 'token', param: 'status', code: r.pick(OBSERVATION_STATUSES) }),
      ...(classic ? [() => date('date')] : []),
    ],
    Encounter: [() => undefined, ...(classic ? [() => date('date')] : [])],
    Condition: [
      () => undefined,
      () => ({ kind: 'token', param: 'code', system: SYSTEMS.snomed, code: r.pick(CONDITIONS).code }),
      ...(classic ? [() => date('onset-date')] : []),
    ],
  };
  const extra = r.pick(extras[type])();
  return extra === undefined ? [reference] : [reference, extra];
}

function tokenValue(filter: Extract<SimpleFilter, { kind: 'token' }>): string {
  return `${filter.system ? `${filter.system}|` : ''}${filter.code}`;
}

function parameterOf(filter: Exclude<SimpleFilter, { kind: 'fhirpath-status' }>): string {
  switch (filter.kind) {
    case 'token':
      return `${filter.param}=${tokenValue(filter)}`;
    case 'reference':
      return `${filter.param}=${filter.reference}`;
    case 'date':
      return `${filter.param}=${filter.comparator}${filter.year}-01-01`;
  }
}

/** The classic R4 criteria string of a subscription's search filters (FHIRPath ones excluded). */
export function criteriaOf(type: GeneratedType, filters: readonly SimpleFilter[]): string {
  const params = filters.flatMap((f) => (f.kind === 'fhirpath-status' ? [] : [parameterOf(f)]));
  return params.length === 0 ? type : `${type}?${params.join('&')}`;
}

function channelOf(plan: ChannelPlan, r: Random): GeneratedSubscription['channel'] {
  const u = r.next();
  if (plan.message && u < plan.message.share) return 'message';
  if (plan.kafka && u < (plan.message?.share ?? 0) + plan.kafka.share) return 'kafka';
  return 'rest-hook';
}

function endpointOf(channel: GeneratedSubscription['channel'], plan: ChannelPlan): string {
  if (channel === 'message') return plan.message?.endpoint ?? '';
  if (channel === 'kafka') return plan.kafka?.topic ?? '';
  return plan.restHookUrl;
}

/** What one subscription is built from. */
interface Spec {
  id: string;
  type: GeneratedType;
  filters: SimpleFilter[];
  channel: GeneratedSubscription['channel'];
  plan: ChannelPlan;
}

function r4Subscription({ id, type, filters, channel, plan }: Spec): FhirResource {
  const fhirpath = filters.find((f) => f.kind === 'fhirpath-status');
  return {
    resourceType: 'Subscription',
    id,
    status: 'requested',
    reason: `load: ${criteriaOf(type, filters)}`,
    criteria: criteriaOf(type, filters),
    ...(fhirpath !== undefined
      ? { extension: [{ url: FHIRPATH_CRITERIA_URL, valueString: `%current.status = '${fhirpath.status}'` }] }
      : {}),
    channel: {
      type: channel,
      endpoint: endpointOf(channel, plan),
      payload: 'application/fhir+json',
      header: [`X-Subscription-Id: ${id}`],
    },
  };
}

function r5Subscription({ id, type, filters, channel, plan }: Spec): FhirResource {
  const topic = topicFor(type);
  return {
    resourceType: 'Subscription',
    id,
    status: 'requested',
    reason: `load: ${String(topic.url)} ${criteriaOf(type, filters)}`,
    topic: topic.url,
    filterBy: filters.flatMap((f): Record<string, string>[] =>
      f.kind === 'token'
        ? [{ resourceType: type, filterParameter: f.param, value: tokenValue(f) }]
        : f.kind === 'reference'
          ? [{ resourceType: type, filterParameter: f.param, value: f.reference }]
          : [],
    ),
    channelType: { system: 'http://terminology.hl7.org/CodeSystem/subscription-channel-type', code: channel },
    endpoint: endpointOf(channel, plan),
    parameter: [{ name: 'X-Subscription-Id', value: id }],
    contentType: 'application/fhir+json',
    content: 'full-resource',
  };
}

export function generateSubscriptions(options: SubscriptionGeneratorOptions): SubscriptionSet {
  const r = seededRandom(options.seed ?? 7);
  const prefix = options.idPrefix ?? 'load-sub';
  const patients = options.patientPopulation ?? DEFAULT_POPULATION.Patient;
  const typeOnly = options.typeOnly ?? 2;
  const subscriptions: GeneratedSubscription[] = [];
  const usedTypes = new Set<GeneratedType>();
  for (let i = 0; i < options.count; i++) {
    const id = `${prefix}-${i}`;
    const channel = channelOf(options.channels, r);
    const plan = options.channels;
    const slot = i % 10;
    if (i < typeOnly) {
      // The less frequent types, so that a whole-type subscription does not dominate delivery.
      const type = i % 2 === 0 ? 'Encounter' : 'Condition';
      const resource = r4Subscription({ id, type, filters: [], channel, plan });
      subscriptions.push({ id, flavor: 'r4-criteria', resourceType: type, filters: [], channel, resource });
    } else if (slot === 9) {
      const filters: SimpleFilter[] = [
        ...pickFilters(r, 'Observation', patients, true).slice(0, 1),
        { kind: 'fhirpath-status', status: r.pick(OBSERVATION_STATUSES) },
      ];
      const resource = r4Subscription({ id, type: 'Observation', filters, channel, plan });
      subscriptions.push({
        id,
        flavor: 'r4-fhirpath',
        resourceType: 'Observation',
        filters,
        channel,
        resource,
      });
    } else if (slot < 2) {
      const type = r.pick(RESOURCE_TYPES);
      const filters = pickFilters(r, type, patients, false);
      usedTypes.add(type);
      const resource = r5Subscription({ id, type, filters, channel, plan });
      subscriptions.push({ id, flavor: 'r5-topic', resourceType: type, filters, channel, resource });
    } else {
      const type = r.pick(RESOURCE_TYPES);
      const filters = pickFilters(r, type, patients, true);
      const resource = r4Subscription({ id, type, filters, channel, plan });
      subscriptions.push({ id, flavor: 'r4-criteria', resourceType: type, filters, channel, resource });
    }
  }
  const topics = RESOURCE_TYPES.filter((t) => usedTypes.has(t)).map(topicFor);
  return { subscriptions, topics };
}
