import type { FhirResource, NotificationType } from '../contracts.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import { stringifyWithKnown } from './known-json.js';
import type { NotificationEvent, SubscriptionStatusRecord } from './model.js';

/** The status types of a notification bundle: those sent, and `query-event` for `$events` answers. */
export type StatusType = NotificationType | 'query-event';

/** Everything a payload builder reads; builders are pure functions of it. */
export interface PayloadContext {
  sub: NormalizedSubscription;
  /** The status record after this notification was numbered. */
  record: SubscriptionStatusRecord;
  type: StatusType;
  events: NotificationEvent[];
  notificationId: string;
  /** ISO-8601 instant the notification is built at. */
  now: string;
  /** FHIR base URL of the subscription's tenant, no trailing slash. */
  baseUrl: string;
}

/** One message of a payload shape (eHealth shapes may give several per event). */
export interface Payload {
  body: string | null;
  contentType: string | null;
  method?: 'POST' | 'PUT' | 'DELETE';
  path?: string;
  properties?: Record<string, string | string[]>;
  /** Topic or queue named by the payload (eHealth topic naming, Smile named channel). */
  destination?: string;
  /** Distinguishes several payloads of one notification in their ids. */
  part?: string;
}

export const FHIR_JSON = 'application/fhir+json';

export function fhirJsonType(sub: NormalizedSubscription): string {
  const mime = sub.channel.payloadMimeType;
  return mime && /json/i.test(mime) ? mime : FHIR_JSON;
}

/** A payload's JSON: resources read from a match record are spliced in, not serialised again. */
export function json(resource: FhirResource | Record<string, unknown>): string {
  return stringifyWithKnown(resource);
}
