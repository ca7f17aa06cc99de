/**
 * The sink port every delivery connector satisfies (`connect / write / close`). A sink delivers one
 * notification per `write` and classifies the answer; it never retries by itself. When it has no
 * usable connection it throws `NotConnectedError` (retriable) and the engine reconnects with back-off.
 */
import { TransportError } from '../state/index.js';

/** The fields of a notification a sink needs (structurally the same as the Notification contract). */
export interface SinkNotification {
  subscriptionId: string;
  /** The subscription's tenant, when it has one: a subscription is named by its tenant and id. */
  tenant?: string;
  eventNumber: number;
  type: string;
  channel: { type: string; endpoint?: string; headers: string[]; payloadMimeType?: string };
  body: string | null;
  contentType: string | null;
  notificationId: string;
  method?: 'POST' | 'PUT' | 'DELETE';
  path?: string;
  properties?: Record<string, string | string[]>;
  occurredAt?: string;
  createdAt: string;
  collapseKey?: string;
}

/** What one write achieved. */
export type SinkResult =
  | { kind: 'delivered'; statusCode?: number }
  | { kind: 'retriable'; error: string; statusCode?: number; retryAfterMs?: number }
  | { kind: 'permanent'; error: string; statusCode?: number }
  /** Not tried (circuit breaker open, local queue full): counts no attempt against the subscriber. */
  | { kind: 'deferred'; error: string; retryAfterMs?: number };

export interface Sink {
  /** A short name for metrics and logs: `http`, `amqp`, `kafka`. */
  readonly name: string;
  /** Opens connections; rejects with a retriable TransportError when the transport cannot be reached. */
  connect(): Promise<void>;
  isConnected(): boolean;
  /** Writes of one subscription issued together that the sink delivers in the order issued (default 1). */
  readonly orderedWindow?: number;
  /** Delivers one notification; throws NotConnectedError when not connected. */
  write(notification: SinkNotification): Promise<SinkResult>;
  /** Idempotent: concurrent and repeated calls share one promise. */
  close(): Promise<void>;
}

/** The sink has no usable connection; the engine should reconnect it and try again. */
export class NotConnectedError extends TransportError {
  constructor(sink: string, cause?: unknown) {
    super(`${sink} sink is not connected`, { retriable: true, cause, context: { sink } });
  }
}

/** Shorthands that keep classification code readable. */
export const delivered = (statusCode?: number): SinkResult =>
  statusCode === undefined ? { kind: 'delivered' } : { kind: 'delivered', statusCode };

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
