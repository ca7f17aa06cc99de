/**
 * The contracts between stages (DESIGN.md section 2). Every stage reads and writes these
 * shapes; the topics carry them as JSON.
 */

/** Any FHIR resource, R4, R4B or R5, as parsed JSON. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: {
    versionId?: string;
    lastUpdated?: string;
    source?: string;
    profile?: string[];
    security?: { system?: string; code?: string; display?: string }[];
    tag?: { system?: string; code?: string; display?: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export type Interaction = 'create' | 'update' | 'delete';

/** The canonical changelog value. */
export interface ChangeEvent {
  interaction: Interaction;
  resourceType: string;
  id: string;
  /** Absent for a delete when the producer does not send the deleted version. */
  resource?: FhirResource;
  versionId?: string;
  /** ISO-8601; when the change happened at the source. */
  occurredAt?: string;
  tenant?: string;
  /** The version before the change, when the producer knows it. */
  previous?: FhirResource;
}

/** A change with its previous version attached by the versions stage. */
export interface VersionedChange {
  change: ChangeEvent;
  /** The state after the change; for a delete, the deleted (last known) version. */
  current?: FhirResource;
  previous?: FhirResource;
  /** Offset of the change in the changelog partition it came from (for tracing). */
  changeOffset?: string;
}

export interface Match {
  subscriptionId: string;
  topicUrl?: string;
  tenant?: string;
  interaction: Interaction;
  focus: { reference: string; versionId?: string };
  resource?: FhirResource;
  previous?: FhirResource;
  occurredAt: string;
  changeOffset?: string;
  /**
   * Resources the matcher had at hand besides the focus (looked up for its criteria); the
   * notificationShape include / revInclude picks among them. Nothing else is fetched.
   */
  context?: FhirResource[];
}

export type ChannelType = 'rest-hook' | 'message' | 'kafka' | 'websocket' | 'email';

export interface NotificationChannel {
  type: ChannelType;
  /** URL for rest-hook; amqp(s) URL or `channel:queue` for message; topic name for kafka. */
  endpoint?: string;
  /** Header lines as the subscription gives them: `Name: value` (split at the first colon). */
  headers: string[];
  payloadMimeType?: string;
}

export type NotificationType = 'handshake' | 'heartbeat' | 'event-notification' | 'query-status';

export interface Notification {
  subscriptionId: string;
  tenant?: string;
  eventNumber: number;
  type: NotificationType;
  channel: NotificationChannel;
  /** The payload, already in the shape the subscription asked for; null for an empty ping. */
  body: string | null;
  contentType: string | null;
  /** Stable across redeliveries: subscribers drop duplicates by it. */
  notificationId: string;
  /** HTTP method and the path appended to the endpoint (classic R4 rest-hook PUTs to [endpoint]/[type]/[id]). */
  method?: 'POST' | 'PUT' | 'DELETE';
  path?: string;
  /**
   * Transport properties: AMQP headers / Kafka record headers (eHealth selector properties,
   * Smile custom headers). A list value is unrolled into one header per element.
   */
  properties?: Record<string, string | string[]>;
  /** When the change happened (for change-to-delivery latency). */
  occurredAt?: string;
  createdAt: string;
  /** Delivery attempts allowed before dead-lettering (Medplum max-attempts); the sink's default otherwise. */
  maxAttempts?: number;
  /** Key for collapsing queued versions (Smile deliver-latest-version): the focus reference. */
  collapseKey?: string;
  /**
   * Topic or queue to publish to when the payload names one (eHealth topic naming by profile,
   * Smile named channel); otherwise the channel endpoint says where.
   */
  destination?: string;
  /** Per-attempt delivery timeout from the subscription (R5 `timeout`, backport-timeout). */
  timeoutMs?: number;
}

export type DeliveryResult = 'delivered' | 'failed' | 'dead-lettered';

/** Written by the sinks to substream-delivery-outcomes; read by notify for status. */
export interface DeliveryOutcome {
  subscriptionId: string;
  /** Copied from the Notification: the status store is keyed by tenant and subscription. */
  tenant?: string;
  notificationId: string;
  eventNumber: number;
  result: DeliveryResult;
  attempts: number;
  error?: string;
  statusCode?: number;
  at: string;
}
