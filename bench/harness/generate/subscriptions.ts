/**
 * The subscription generator: the matching benchmark's mix of classic R4 criteria (token, reference
 * and date filters, and resource type only), R5 topic subscriptions with filterBy (with the
 * SubscriptionTopic resources they need), and one in ten with a Medplum FHIRPath criteria
 * extension. Every subscription carries the simple filter it was built from, which the oracle
 * evaluates without the engine.
 */
import type { FhirResource } from '../../../processors/index.js';
import { seededRandom, type Random } from './random.js';
import { idAt, RESOURCE_TYPES, type GeneratedType } from './resources.js';
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

/** The filter a generated subscription applies, in a form the oracle evaluates directly. */
export type SimpleFilter =
  | { kind: 'type' }
  | { kind: 'token'; param: 'code' | 'status' | 'gender'; system?: string; code: string }
  | { kind: 'reference'; param: 'subject' | 'patient'; reference: string }
  | { kind: 'date'; param: 'date' | 'onset-date'; comparator: 'ge' | 'lt'; year: number }
  | { kind: 'fhirpath-status'; status: string };

export type Flavor = 'r4-criteria' | 'r5-topic' | 'r4-fhirpath';

export interface ChannelPlan {
  /** Every subscription not given another channel uses rest-hook to this URL. */
  restHookUrl: string;
  /** AMQP endpoint (`amqp://host/exchange` or `channel:queue`) for a share of message-channel subscriptions. */
  message?: { endpoint: string; share: number };
  /** External Kafka topic for a share of kafka-channel subscriptions. */
  kafka?: { topic: string; share: number };
}

export interface GeneratedSubscription {
  id: string;
  flavor: Flavor;
  resourceType: GeneratedType;
  filter: SimpleFilter;
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
  /** Reference filters name one of the `hotPatients` most changed patients, so they fire. */
  hotPatients?: number;
}

/** The SubscriptionTopic of a resource type: fires on create and update, filterable by its search params. */
export function topicFor(type: GeneratedType): FhirResource {
  const id = `loadgen-${type.toLowerCase()}`;
  const filters: Record<GeneratedType, string[]> = {
    Patient: ['gender'],
    Observation: ['code', 'status', 'subject'],
    Encounter: ['status', 'subject'],
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

function pickFilter(r: Random, type: GeneratedType, hotPatients: number, allowDate: boolean): SimpleFilter {
  const patient = `Patient/${idAt('Patient', r.int(0, hotPatients - 1))}`;
  const year = r.int(FIRST_YEAR + 1, LAST_YEAR);
  const dateOn = (param: 'date' | 'onset-date'): (() => SimpleFilter)[] =>
    allowDate ? [() => ({ kind: 'date', param, comparator: r.pick(['ge', 'lt'] as const), year })] : [];
  const choices: Record<GeneratedType, (() => SimpleFilter)[]> = {
    Patient: [
      () => ({ kind: 'type' }),
      () => ({ kind: 'token', param: 'gender', code: r.pick(['female', 'male']) }),
    ],
    Observation: [
      () => ({ kind: 'token', param: 'code', system: SYSTEMS.loinc, code: r.pick(MEASUREMENTS).code }),
      () => ({ kind: 'token', param: 'status', code: r.pick(OBSERVATION_STATUSES) }),
      () => ({ kind: 'reference', param: 'subject', reference: patient }),
      ...dateOn('date'),
    ],
    Encounter: [
      () => ({ kind: 'type' }),
      () => ({ kind: 'reference', param: 'subject', reference: patient }),
      ...dateOn('date'),
    ],
    Condition: [
      () => ({ kind: 'token', param: 'code', system: SYSTEMS.snomed, code: r.pick(CONDITIONS).code }),
      () => ({ kind: 'reference', param: 'patient', reference: patient }),
      ...dateOn('onset-date'),
    ],
  };
  return r.pick(choices[type])();
}

/** The classic R4 criteria string of a filter. */
export function criteriaOf(type: GeneratedType, filter: SimpleFilter): string {
  switch (filter.kind) {
    case 'type':
    case 'fhirpath-status':
      return type;
    case 'token':
      return `${type}?${filter.param}=${filter.system ? `${filter.system}|` : ''}${filter.code}`;
    case 'reference':
      return `${type}?${filter.param}=${filter.reference}`;
    case 'date':
      return `${type}?${filter.param}=${filter.comparator}${filter.year}-01-01`;
  }
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
  filter: SimpleFilter;
  channel: GeneratedSubscription['channel'];
  plan: ChannelPlan;
}

function r4Subscription({ id, type, filter, channel, plan }: Spec): FhirResource {
  return {
    resourceType: 'Subscription',
    id,
    status: 'requested',
    reason: `load: ${criteriaOf(type, filter)}`,
    criteria: criteriaOf(type, filter),
    ...(filter.kind === 'fhirpath-status'
      ? { extension: [{ url: FHIRPATH_CRITERIA_URL, valueString: `%current.status = '${filter.status}'` }] }
      : {}),
    channel: {
      type: channel,
      endpoint: endpointOf(channel, plan),
      payload: 'application/fhir+json',
      header: [`X-Subscription-Id: ${id}`],
    },
  };
}

function r5FilterBy(type: GeneratedType, filter: SimpleFilter): Record<string, string>[] {
  switch (filter.kind) {
    case 'token':
      return [
        {
          resourceType: type,
          filterParameter: filter.param,
          value: `${filter.system ? `${filter.system}|` : ''}${filter.code}`,
        },
      ];
    case 'reference':
      return [{ resourceType: type, filterParameter: filter.param, value: filter.reference }];
    default:
      return [];
  }
}

function r5Subscription({ id, type, filter, channel, plan }: Spec): FhirResource {
  const topic = topicFor(type);
  return {
    resourceType: 'Subscription',
    id,
    status: 'requested',
    reason: `load: ${String(topic.url)} ${criteriaOf(type, filter)}`,
    topic: topic.url,
    filterBy: r5FilterBy(type, filter),
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
  const hotPatients = options.hotPatients ?? 50;
  const subscriptions: GeneratedSubscription[] = [];
  const usedTypes = new Set<GeneratedType>();
  for (let i = 0; i < options.count; i++) {
    const id = `${prefix}-${i}`;
    const channel = channelOf(options.channels, r);
    const slot = i % 10;
    if (slot === 9) {
      const filter: SimpleFilter = { kind: 'fhirpath-status', status: r.pick(OBSERVATION_STATUSES) };
      const resource = r4Subscription({ id, type: 'Observation', filter, channel, plan: options.channels });
      subscriptions.push({
        id,
        flavor: 'r4-fhirpath',
        resourceType: 'Observation',
        filter,
        channel,
        resource,
      });
    } else if (slot < 3) {
      const type = r.pick(RESOURCE_TYPES);
      const filter = pickFilter(r, type, hotPatients, false);
      usedTypes.add(type);
      const resource = r5Subscription({ id, type, filter, channel, plan: options.channels });
      subscriptions.push({ id, flavor: 'r5-topic', resourceType: type, filter, channel, resource });
    } else {
      const type = r.pick(RESOURCE_TYPES);
      const filter = pickFilter(r, type, hotPatients, true);
      const resource = r4Subscription({ id, type, filter, channel, plan: options.channels });
      subscriptions.push({ id, flavor: 'r4-criteria', resourceType: type, filter, channel, resource });
    }
  }
  const topics = RESOURCE_TYPES.filter((t) => usedTypes.has(t)).map(topicFor);
  return { subscriptions, topics };
}
