/**
 * Reads who a notification is for and which one it is: from the de-duplication headers the sinks
 * send when present, otherwise from the FHIR payload (an R5/R4B notification Bundle with a
 * SubscriptionStatus, an R4 backport Bundle with a Parameters status, or a bare resource). The
 * change time comes from an occurred-at header, else from the focus resource's meta.lastUpdated.
 */
import type { Arrival } from './arrival.js';

/** Header names read, first match wins; both the plain and the substream-prefixed forms. */
export const HEADER_NAMES = {
  notificationId: ['x-notification-id', 'x-substream-notification-id'],
  subscriptionId: ['x-subscription-id', 'x-substream-subscription-id'],
  eventNumber: ['x-event-number', 'x-substream-event-number'],
  occurredAt: ['x-occurred-at', 'x-substream-occurred-at'],
} as const;

export type HeaderLookup = (name: string) => string | undefined;

function first(lookup: HeaderLookup, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = lookup(name);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface BodyFacts {
  subscriptionId?: string;
  eventNumber?: number;
  type?: Arrival['type'];
  focus?: string;
  lastUpdated?: string;
}

function idOfReference(reference: unknown): string | undefined {
  const ref = isObj(reference) ? reference.reference : undefined;
  if (typeof ref !== 'string') return undefined;
  const match = /Subscription\/([^/]+)/.exec(ref);
  return match?.[1];
}

function focusOf(resource: unknown): Pick<BodyFacts, 'focus' | 'lastUpdated'> {
  if (!isObj(resource) || typeof resource.resourceType !== 'string' || typeof resource.id !== 'string')
    return {};
  const meta = isObj(resource.meta) ? resource.meta : {};
  const version = typeof meta.versionId === 'string' ? `/_history/${meta.versionId}` : '';
  return {
    focus: `${resource.resourceType}/${resource.id}${version}`,
    ...(typeof meta.lastUpdated === 'string' ? { lastUpdated: meta.lastUpdated } : {}),
  };
}

function fromSubscriptionStatus(status: Json): BodyFacts {
  const events = Array.isArray(status.notificationEvent) ? status.notificationEvent.filter(isObj) : [];
  const number = events[0]?.eventNumber ?? status.eventsSinceSubscriptionStart;
  const subscriptionId = idOfReference(status.subscription);
  return {
    ...(subscriptionId !== undefined ? { subscriptionId } : {}),
    ...(number !== undefined && Number.isFinite(Number(number)) ? { eventNumber: Number(number) } : {}),
    ...(typeof status.type === 'string' ? { type: status.type as Arrival['type'] } : {}),
  };
}

function fromBackportParameters(params: Json): BodyFacts {
  const parameters = Array.isArray(params.parameter) ? params.parameter.filter(isObj) : [];
  const named = (name: string): Json | undefined => parameters.find((p) => p.name === name);
  const event = named('notification-event');
  const parts = Array.isArray(event?.part) ? event.part.filter(isObj) : [];
  const number = parts.find((p) => p.name === 'event-number');
  const numberValue = number?.valueString ?? number?.valueInteger64 ?? number?.valueUnsignedInt;
  const subscriptionId = idOfReference(named('subscription')?.valueReference);
  const type = named('type')?.valueCode;
  return {
    ...(subscriptionId !== undefined ? { subscriptionId } : {}),
    ...(numberValue !== undefined && Number.isFinite(Number(numberValue))
      ? { eventNumber: Number(numberValue) }
      : {}),
    ...(typeof type === 'string' ? { type: type as Arrival['type'] } : {}),
  };
}

/** Facts from a parsed payload; an empty object for an empty or unreadable one. */
export function factsFromBody(body: unknown): BodyFacts {
  if (!isObj(body)) return {};
  if (body.resourceType !== 'Bundle') return focusOf(body);
  const entries = (Array.isArray(body.entry) ? body.entry.filter(isObj) : []).map((e) => e.resource);
  const [head, ...rest] = entries;
  let facts: BodyFacts = {};
  if (isObj(head) && head.resourceType === 'SubscriptionStatus') facts = fromSubscriptionStatus(head);
  else if (isObj(head) && head.resourceType === 'Parameters') facts = fromBackportParameters(head);
  const focused = rest.map(focusOf).find((f) => f.focus !== undefined);
  return { ...facts, ...focused };
}

export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (an XML or empty-ping payload): the headers alone identify it.
    return undefined;
  }
}

/**
 * An arrival from headers and body, or undefined when nothing names the subscription (the
 * receiver counts those as unidentified).
 */
export function identifyArrival(
  header: HeaderLookup,
  bodyText: string,
  arrivedAt: number,
  channel: Arrival['channel'],
): Arrival | undefined {
  const facts = factsFromBody(parseBody(bodyText));
  const subscriptionId = first(header, HEADER_NAMES.subscriptionId) ?? facts.subscriptionId;
  if (subscriptionId === undefined) return undefined;
  const numberText = first(header, HEADER_NAMES.eventNumber);
  const eventNumber =
    numberText !== undefined && Number.isFinite(Number(numberText)) ? Number(numberText) : facts.eventNumber;
  const notificationId =
    first(header, HEADER_NAMES.notificationId) ??
    (eventNumber !== undefined ? `${subscriptionId}#${eventNumber}` : undefined);
  const occurredAt = first(header, HEADER_NAMES.occurredAt) ?? facts.lastUpdated;
  const occurredMs = occurredAt !== undefined ? Date.parse(occurredAt) : Number.NaN;
  return {
    subscriptionId,
    ...(eventNumber !== undefined ? { eventNumber } : {}),
    ...(notificationId !== undefined ? { notificationId } : {}),
    type: facts.type ?? 'event-notification',
    ...(facts.focus !== undefined ? { focus: facts.focus } : {}),
    arrivedAt,
    ...(Number.isFinite(occurredMs) ? { latencyMs: arrivedAt - occurredMs } : {}),
    channel,
  };
}
