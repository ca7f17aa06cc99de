/** The resources the end-to-end service tests register and the changes they post. */
import { expect } from 'vitest';
import type { Received } from '../fakes/http-receiver.js';
import { waitFor } from '../support/infra.js';
import { call, type Json } from '../support/service.js';

export const LOINC_GLUCOSE = 'http://loinc.org|15074-8';
export const ENCOUNTER_START = 'http://example.org/fhir/SubscriptionTopic/encounter-start';
export const NAMED_CHANNEL =
  'https://smilecdr.com/fhir/ns/StructureDefinition/subscription-named-channel-delivery';

export const encounterStartTopic = {
  resourceType: 'SubscriptionTopic',
  id: 'encounter-start',
  url: ENCOUNTER_START,
  status: 'active',
  resourceTrigger: [
    {
      resource: 'http://hl7.org/fhir/StructureDefinition/Encounter',
      supportedInteraction: ['create', 'update'],
      queryCriteria: { current: 'status=in-progress', resultForCreate: 'test-passes' },
    },
  ],
  canFilterBy: [{ resource: 'Encounter', filterParameter: 'patient' }],
};

/** Classic R4 rest-hook with a payload: the resource is PUT to [endpoint]/[type]/[id]. */
export function classicR4(endpoint: string, criteria = `Observation?code=${LOINC_GLUCOSE}`): Json {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'glucose results',
    criteria,
    channel: { type: 'rest-hook', endpoint, payload: 'application/fhir+json' },
  };
}

/** R5 topic-based subscription delivering full-resource notification Bundles. */
export function r5FullResource(endpoint: string): Json {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    topic: ENCOUNTER_START,
    channelType: {
      system: 'http://terminology.hl7.org/CodeSystem/subscription-channel-type',
      code: 'rest-hook',
    },
    endpoint,
    contentType: 'application/fhir+json',
    content: 'full-resource',
  };
}

/** Puts the encounter-start topic and, for each id, an R5 subscription delivering to `<hook>/<id>`. */
export async function putEncounterSubscriptions(
  url: string,
  hook: string,
  ids: readonly string[],
): Promise<void> {
  expect(
    (await call(url, 'PUT', '/fhir/SubscriptionTopic/encounter-start', encounterStartTopic)).status,
  ).toBe(201);
  for (const id of ids)
    expect((await call(url, 'PUT', `/fhir/Subscription/${id}`, r5FullResource(`${hook}/${id}`))).status).toBe(
      201,
    );
}

/** Classic R4 message subscription on a `channel:<queue>` of the configured RabbitMQ. */
export function amqpMessage(queue: string, criteria = 'Patient?family=Chalmers'): Json {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'patients to a queue',
    criteria,
    channel: { type: 'message', endpoint: `channel:${queue}`, payload: 'application/fhir+json' },
  };
}

/** Smile CDR named-channel delivery: notifications copied to an external Kafka topic. */
export function kafkaNamedChannel(topic: string, criteria = 'Condition?clinical-status=active'): Json {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'conditions to Kafka',
    criteria,
    channel: {
      type: 'message',
      extension: [{ url: NAMED_CHANNEL, valueString: topic }],
      payload: 'application/fhir+json',
    },
  };
}

export function glucose(id: string, value = 100): Json {
  return {
    interaction: 'update',
    resourceType: 'Observation',
    id,
    resource: {
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '15074-8' }] },
      valueQuantity: { value, unit: 'mg/dL' },
    },
  };
}

export function heartRate(id: string): Json {
  return {
    interaction: 'update',
    resourceType: 'Observation',
    id,
    resource: {
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
    },
  };
}

export function encounter(id: string, status = 'in-progress'): Json {
  return {
    interaction: 'update',
    resourceType: 'Encounter',
    id,
    resource: { resourceType: 'Encounter', id, status, subject: { reference: 'Patient/p1' } },
  };
}

export function patient(id: string, family: string): Json {
  return {
    interaction: 'update',
    resourceType: 'Patient',
    id,
    resource: { resourceType: 'Patient', id, name: [{ family }] },
  };
}

export function condition(id: string): Json {
  return {
    interaction: 'update',
    resourceType: 'Condition',
    id,
    resource: {
      resourceType: 'Condition',
      id,
      clinicalStatus: {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
      },
      subject: { reference: 'Patient/p1' },
    },
  };
}

/** The SubscriptionStatus of an R5 notification Bundle. */
export function statusOf(bundle: Json): Json {
  return bundle?.entry?.[0]?.resource;
}

export function json(request: Received): Json {
  return request.body.length > 0 ? JSON.parse(request.body) : undefined;
}

/** The Encounters an R5 subscription delivering to `<hook>/<id>` was notified of, in order. */
export function notifiedEncounters(received: readonly Received[], id: string): string[] {
  return received
    .filter((r) => r.url === `/${id}`)
    .map((r) => json(r)?.entry?.[1]?.resource)
    .filter((resource) => resource?.resourceType === 'Encounter')
    .map((resource) => String(resource.id));
}

export function eventNumber(request: Received): number {
  return Number(request.headers['x-substream-event-number']);
}

export function notificationId(request: Received): string {
  return String(request.headers['x-substream-notification-id']);
}

/**
 * Waits for event numbers 1..n among `received()`, then checks one notification id per number:
 * what a failover delivers twice is a duplicate of the same event, never a new number.
 */
export async function expectEvents(received: () => Received[], n: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(() => (new Set(received().map(eventNumber)).size >= n ? true : undefined), {
    timeoutMs,
    what: `${n} events`,
  });
  const ids = new Map<number, Set<string>>();
  for (const r of received())
    ids.set(eventNumber(r), (ids.get(eventNumber(r)) ?? new Set()).add(notificationId(r)));
  expect([...ids.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  for (const set of ids.values()) expect(set.size).toBe(1);
}

/** Posts a glucose change per id to an instance's POST /changes, which must accept them all. */
export async function postGlucose(serviceUrl: string, ids: string[]): Promise<void> {
  const answer = await call(
    serviceUrl,
    'POST',
    '/changes',
    ids.map((id) => glucose(id)),
  );
  expect(answer.status).toBe(202);
}
