/**
 * Ports and records of the delivery stage. The stage is pure: the sink, the clock, the outputs and
 * the metrics are injected; the queue of parked notifications lives in a KeyValueStore that the
 * runtime backs with LevelDB and a changelog topic.
 */
import type { KeyValueStore } from '../../state/index.js';
import type { DeliveryOutcome, DeliveryResult, Notification } from '../contracts.js';
import type { BackoffOptions } from './backoff.js';

/** What one delivery attempt achieved, as a sink classifies it. */
export type AttemptResult =
  | { kind: 'delivered'; statusCode?: number }
  | { kind: 'retriable'; error: string; statusCode?: number; retryAfterMs?: number }
  | { kind: 'permanent'; error: string; statusCode?: number }
  /**
   * The sink did not try (the endpoint's circuit breaker is open, its local queue is full): no
   * attempt is counted, only the time budget runs. `retryAfterMs`: when trying again makes sense.
   */
  | { kind: 'deferred'; error: string; retryAfterMs?: number };

/**
 * The sink as the stage sees it. `write` throws a retriable TransportError when the transport is
 * not connected: that is our failure, not the subscriber's, and does not use up its attempts.
 */
export interface DeliverySink {
  readonly name: string;
  /**
   * How many writes of one subscription, issued one after the other without waiting, the sink
   * delivers in the order issued (one connection or channel per subscription). Unset: 1, the stage
   * then waits for each answer before the next write.
   */
  readonly orderedWindow?: number;
  write(notification: Notification): Promise<AttemptResult>;
}

/** A notification that will not be delivered without an operator's redrive, with the whole context. */
export interface DeadLetter {
  notification: Notification;
  sink: string;
  attempts: number;
  error: string;
  statusCode?: number;
  /** ISO-8601 of the first failed attempt, when there was one before the last. */
  firstFailedAt?: string;
  deadLetteredAt: string;
  /** Offset of the notification in the sink's input partition. */
  sourceOffset?: string;
}

/** A parked notification waiting for its subscription's queue to drain. */
export interface QueuedEntry {
  kind: 'entry';
  notification: Notification;
  sourceOffset?: string;
  parkedAt: number;
}

/** The retry state of one subscription's parked queue (about its head entry). */
export interface QueueState {
  kind: 'queue';
  /** Failed attempts of the head entry that count against its subscription's budget. */
  headAttempts: number;
  /** Consecutive failures of our own transport (not connected), not counted against the subscriber. */
  transportFailures: number;
  nextAttemptAt: number;
  firstFailedAt?: number;
  lastError?: string;
  lastStatusCode?: number;
}

export interface StoredDeadLetter extends DeadLetter {
  kind: 'dead-letter';
}

export type DeliveryStoreValue = QueuedEntry | QueueState | StoredDeadLetter;
export type DeliveryStore = KeyValueStore<string, DeliveryStoreValue>;

export type AttemptKind = AttemptResult['kind'] | 'not-connected';

/** Metrics port; the prom-client implementation lives with the connectors. */
export interface DeliveryMetrics {
  attempt(kind: AttemptKind): void;
  outcome(result: DeliveryResult): void;
  /** Seconds from the change (Notification.occurredAt) to the subscriber's acknowledgement. */
  latency(seconds: number): void;
  parkedSubscriptions(count: number): void;
}

export interface DeliveryDeps {
  store: DeliveryStore;
  sink: DeliverySink;
  clock: { now(): number };
  /** Written to substream-delivery-outcomes keyed by subscription id; resolves once acknowledged. */
  emitOutcome(outcome: DeliveryOutcome): Promise<void>;
  emitDeadLetter(deadLetter: DeadLetter): Promise<void>;
  metrics?: DeliveryMetrics;
  /** [0, 1); for back-off jitter. */
  random?: () => number;
}

export interface DeliveryOptions {
  /**
   * Attempts per notification when the subscription does not set maxAttempts; undefined: no cap on
   * attempts, only the time budget (`maxRetryDurationMs`).
   */
  defaultMaxAttempts?: number | undefined;
  /**
   * How long a notification is retried, from when it was first held back (its first failed attempt,
   * or its queueing behind a failing one), before it is dead-lettered.
   */
  maxRetryDurationMs: number;
  backoff: BackoffOptions;
  /** Back-off while our own transport is not connected. */
  transportBackoff: BackoffOptions;
  /** Longest Retry-After honoured; longer answers are capped. */
  maxRetryAfterMs: number;
  /**
   * Records accepted but not yet safe (memory bound). When reached, `process` waits; if one
   * subscription holds a tenth of them or more, its backlog is parked so the others go on.
   */
  maxPendingRecords: number;
  /** Deliveries in flight at once across all subscriptions of the task. */
  maxConcurrency: number;
  /**
   * Deliveries of one subscription in flight at once, when its sink keeps them in order (1 = the
   * next one is sent only after the previous one is acknowledged).
   */
  laneWindow: number;
  /**
   * A `delivered` outcome of an event notification that follows a `delivered` one of the same
   * subscription is held back for up to this long, and only the latest held one is reported then:
   * a repeat changes nothing in the subscription's status but its last delivered event number, and
   * an outcome record per delivery is a record each for the sink to produce, the broker to keep and
   * the processor to read and apply. Every other outcome
   * (a failure, the first success after one, a handshake or heartbeat) is reported at once, after
   * any held one. 0 reports every outcome.
   */
  outcomeIntervalMs: number;
}

export const defaultDeliveryOptions: DeliveryOptions = {
  maxRetryDurationMs: 24 * 3_600_000,
  backoff: { initialMs: 1_000, maxMs: 60_000, multiplier: 2 },
  transportBackoff: { initialMs: 500, maxMs: 30_000, multiplier: 2 },
  maxRetryAfterMs: 3_600_000,
  maxPendingRecords: 10_000,
  maxConcurrency: 512,
  laneWindow: 8,
  outcomeIntervalMs: 1_000,
};

export interface DeliveryRecord {
  notification: Notification;
  /** Offset in the input partition (kafkajs string form). */
  offset: string;
}
