import type { ChannelType, FhirResource, Interaction } from '../contracts.js';

/**
 * One view of a Subscription whatever shape it arrived in. Matching, notification building and
 * delivery read this, never the raw resource's version-specific fields.
 */
export type SubscriptionFlavor =
  /** R4 `criteria = Type?params`, classic rest-hook semantics. */
  | 'r4-classic'
  /** R4 or R4B Subscription carrying the backport IG: criteria holds a topic canonical. */
  | 'backport'
  /** R5 Subscription with `topic`. */
  | 'r5-topic';

export type FhirVersion = 'R4' | 'R4B' | 'R5';

export type PayloadContent = 'empty' | 'id-only' | 'full-resource';

export type SubscriptionState = 'requested' | 'active' | 'error' | 'off' | 'entered-in-error';

/** An R5 filterBy, or an R4B filterBy; backport filter criteria stay strings (`Type?param=value`). */
export interface SubscriptionFilter {
  resourceType?: string;
  filterParameter: string;
  comparator?: string;
  modifier?: string;
  value: string;
}

/** How a message/kafka channel body is shaped, beyond FHIR Bundles. */
export type PayloadFormat =
  | 'fhir'
  | 'smile-resource-modified'
  | 'firely-resources-changed'
  | 'ehealth-simple'
  | 'ehealth-context'
  | 'ehealth-reference';

export interface ReplicationOptions {
  enabled: boolean;
  addIdPrefix?: string;
  addIdPrefixSelector?: string;
  stripIdPrefix?: string;
  stripReferenceBaseUrl?: string;
}

export interface SubscriptionOptions {
  /** HAPI/Smile: classic criteria also match deletes. */
  sendDeleteMessages: boolean;
  stripVersionIds: boolean;
  deliverLatestVersion: boolean;
  /** HAPI/Smile payload search result mode (`Type?_id=${matched_resource_id}&_include=...`). */
  payloadSearchCriteria?: string;
  replication?: ReplicationOptions;
  /** Smile named channel: copy to this external Kafka topic. */
  namedChannel?: string;
  /** Smile custom deliverer class (accepted, reported as unsupported by the sink when used). */
  deliveryClass?: string;
  /** Medplum: interactions the subscription fires on (all when empty). */
  supportedInteractions: Interaction[];
  /** Medplum: FHIRPath with %previous and %current. */
  fhirPathCriteria?: string;
  /** Medplum: delivery attempts before giving up. */
  maxAttempts?: number;
  /** Shared secret for the HMAC signature of rest-hook bodies. */
  signingSecret?: string;
  payloadFormat: PayloadFormat;
}

export interface NormalizedSubscription {
  id: string;
  tenant?: string;
  flavor: SubscriptionFlavor;
  fhirVersion: FhirVersion;
  status: SubscriptionState;
  end?: string;
  reason?: string;
  /** r4-classic: `Type?params` (or a bare `Type`). */
  criteria?: string;
  /** backport / r5-topic: the SubscriptionTopic canonical URL. */
  topicUrl?: string;
  /** r5-topic (and R4B filterBy). */
  filterBy: SubscriptionFilter[];
  /** backport: backport-filter-criteria strings (`Type?param=value`). */
  filterCriteria: string[];
  channel: {
    type: ChannelType;
    /** A custom channel type code (backport-channel-type / R5 Coding) when not one of ours. */
    customType?: string;
    endpoint?: string;
    headers: string[];
    payloadMimeType?: string;
  };
  content: PayloadContent;
  heartbeatPeriodSeconds?: number;
  timeoutSeconds?: number;
  maxCount?: number;
  options: SubscriptionOptions;
  resource: FhirResource;
  /**
   * When this version of the Subscription was written to the subscriptions table (ISO-8601, its
   * record's time), when known: the same on every instance, so the start of its event numbering,
   * and the notification ids derived from it, are too.
   */
  writtenAt?: string;
}
