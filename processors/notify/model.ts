import type { FhirResource } from '../contracts.js';
import type { SubscriptionState } from '../subscription/index.js';

/** An error kept on the status record and shown by `$status`. */
export interface StatusError {
  at: string;
  message: string;
  notificationId?: string;
  statusCode?: number;
}

/**
 * What the `subscription-status` store keeps per subscription (key: `subscriptionStoreKey`).
 * Event numbers live here, so they survive restarts and rebalances with the store's changelog.
 */
export interface SubscriptionStatusRecord {
  subscriptionId: string;
  tenant?: string;
  status: SubscriptionState;
  /** Events generated since the subscription started: the last event number given out. */
  eventsSinceSubscriptionStart: number;
  startedAt: string;
  handshake?: { notificationId: string; sentAt: string; delivered: boolean };
  /** When the last notification of any type was emitted: heartbeats count idleness from it. */
  lastSentAt?: string;
  lastDeliveredEventNumber: number;
  consecutiveFailures: number;
  /** Most recent last, at most MAX_ERRORS. */
  errors: StatusError[];
  /**
   * Recently numbered events (event key → event number): a change reprocessed after a crash
   * gets its old number back, so its notification id is the same and subscribers drop it.
   * Encoded by recent-events.ts.
   */
  recent: string;
  /** meta.versionId (or a digest) of the Subscription last seen: tells a client's change from a replay. */
  subscriptionVersion?: string;
}

/** A status change caused by a delivery outcome or by the subscription's lifecycle. */
export interface StatusTransition {
  subscriptionId: string;
  tenant?: string;
  from: SubscriptionState;
  to: SubscriptionState;
  at: string;
  reason?: string;
}

/** One event inside a notification, before it is put in a payload shape. */
export interface NotificationEvent {
  eventNumber: number;
  timestamp: string;
  interaction: 'create' | 'update' | 'delete';
  focus: { reference: string; versionId?: string };
  /** The resource after the change (for a delete: the deleted version). */
  resource?: FhirResource;
  previous?: FhirResource;
  /** notificationShape include / revInclude resources, already selected. */
  additionalContext: FhirResource[];
}

export const MAX_ERRORS = 10;
