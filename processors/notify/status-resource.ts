import type { FhirResource } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import type { NotificationEvent, SubscriptionStatusRecord } from './model.js';
import type { StatusType } from './payload-context.js';
import { absoluteReference } from './references.js';
import { deliveredId } from './transform.js';

export interface StatusInput {
  sub: NormalizedSubscription;
  record: SubscriptionStatusRecord;
  type: StatusType;
  events: NotificationEvent[];
  baseUrl: string;
  id?: string;
}

/** An absolute reference as delivered (replication may prefix or strip the id). */
function deliveredReference(input: StatusInput, reference: string): string {
  const m = /^([A-Z][A-Za-z]+)\/([^/]+)$/.exec(reference);
  const shaped = m ? `${m[1]}/${deliveredId(m[1]!, m[2]!, input.sub)}` : reference;
  return absoluteReference(input.baseUrl, shaped);
}

function subscriptionReference(input: StatusInput): string {
  return `${input.baseUrl}/Subscription/${input.sub.id}`;
}

/** Focus and context are sent for id-only and full-resource content, never for empty. */
function carriesReferences(input: StatusInput): boolean {
  return input.sub.content !== 'empty';
}

function errors(input: StatusInput): { text: string }[] {
  return input.record.status === 'error' || input.type === 'query-status'
    ? input.record.errors.map((e) => ({ text: e.message }))
    : [];
}

/**
 * SubscriptionStatus for R5 and R4B notifications and `$status`. In R5 the counters are integer64,
 * which JSON carries as strings; in R4B they are strings: both print the number as a string.
 */
export function subscriptionStatusResource(input: StatusInput): FhirResource {
  const refs = carriesReferences(input);
  const errs = errors(input);
  return {
    resourceType: 'SubscriptionStatus',
    ...(input.id ? { id: input.id } : {}),
    status: input.record.status,
    type: input.type,
    eventsSinceSubscriptionStart: String(input.record.eventsSinceSubscriptionStart),
    ...(input.events.length > 0
      ? {
          notificationEvent: input.events.map((e) => ({
            eventNumber: String(e.eventNumber),
            timestamp: e.timestamp,
            ...(refs ? { focus: { reference: deliveredReference(input, e.focus.reference) } } : {}),
            ...(refs && e.additionalContext.length > 0
              ? {
                  additionalContext: e.additionalContext.map((c) => ({
                    reference: deliveredReference(input, `${c.resourceType}/${c.id}`),
                  })),
                }
              : {}),
          })),
        }
      : {}),
    subscription: { reference: subscriptionReference(input) },
    ...(input.sub.topicUrl && input.sub.content !== 'empty' ? { topic: input.sub.topicUrl } : {}),
    ...(errs.length > 0 ? { error: errs } : {}),
  };
}

/** The R4 backport status: a Parameters resource with the backport-subscription-status-r4 profile. */
export function backportStatusParameters(input: StatusInput): FhirResource {
  const refs = carriesReferences(input);
  const parameter: Record<string, unknown>[] = [
    { name: 'subscription', valueReference: { reference: subscriptionReference(input) } },
  ];
  if (input.sub.topicUrl && input.sub.content !== 'empty')
    parameter.push({ name: 'topic', valueCanonical: input.sub.topicUrl });
  parameter.push({ name: 'status', valueCode: input.record.status });
  parameter.push({ name: 'type', valueCode: input.type });
  parameter.push({
    name: 'events-since-subscription-start',
    valueString: String(input.record.eventsSinceSubscriptionStart),
  });
  for (const e of input.events) {
    const part: Record<string, unknown>[] = [
      { name: 'event-number', valueString: String(e.eventNumber) },
      { name: 'timestamp', valueInstant: e.timestamp },
    ];
    if (refs) {
      part.push({
        name: 'focus',
        valueReference: { reference: deliveredReference(input, e.focus.reference) },
      });
      for (const c of e.additionalContext) {
        part.push({
          name: 'additional-context',
          valueReference: { reference: deliveredReference(input, `${c.resourceType}/${c.id}`) },
        });
      }
    }
    parameter.push({ name: 'notification-event', part });
  }
  for (const e of errors(input)) parameter.push({ name: 'error', valueCodeableConcept: e });
  return {
    resourceType: 'Parameters',
    ...(input.id ? { id: input.id } : {}),
    meta: {
      profile: [
        'http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4',
      ],
    },
    parameter,
  };
}

/** The status resource in the subscription's own FHIR shape. */
export function statusResourceFor(input: StatusInput): FhirResource {
  return input.sub.fhirVersion === 'R4' ? backportStatusParameters(input) : subscriptionStatusResource(input);
}

/**
 * What `$status` returns: a searchset Bundle of status resources (SubscriptionStatus, or
 * Parameters for R4), each with type `query-status`.
 */
export function statusSearchBundle(
  items: { sub: NormalizedSubscription; record: SubscriptionStatusRecord; baseUrl: string }[],
): FhirResource {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: items.length,
    entry: items.map((i) => ({
      resource: statusResourceFor({ ...i, type: 'query-status', events: [] }),
      search: { mode: 'match' },
    })),
  };
}
