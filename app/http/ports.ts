import type { ChangeEvent, FhirResource } from '../../processors/index.js';

/** What the HTTP layer needs from the engine; the service wires real implementations in. */

export type WriteResult =
  | { ok: true; resource: FhirResource; created: boolean }
  | { ok: false; status: 400 | 409 | 422; reason: string };

/** Administration of one table (Subscription or SubscriptionTopic). */
export interface ResourceRegistry {
  readonly resourceType: 'Subscription' | 'SubscriptionTopic';
  get(id: string, tenant?: string): Promise<FhirResource | undefined>;
  list(tenant?: string): Promise<FhirResource[]>;
  /** Compiles the resource first; writes it to its table only when it compiles. */
  put(resource: FhirResource, tenant?: string): Promise<WriteResult>;
  delete(id: string, tenant?: string): Promise<boolean>;
}

export type EventsContent = 'empty' | 'id-only' | 'full-resource';

/** How a `$events` request reached this instance. */
export interface EventsRequest {
  /** Path and query string, as received. */
  url: string;
  authorization?: string;
  /** Routed here by another instance: answer from local state or fail, never route again. */
  forwarded: boolean;
}

export interface StatusService {
  /** SubscriptionStatus (R4B/R5) or the backport Parameters (R4); undefined when unknown. */
  status(subscriptionId: string, tenant?: string): Promise<FhirResource | undefined>;
  /**
   * The $events Bundle, or undefined when the subscription is unknown. `request` lets the answer
   * be routed to the instance that holds the subscription's events (with the caller's credentials).
   */
  events(
    subscriptionId: string,
    query: { eventsSinceNumber?: number; eventsUntilNumber?: number; content?: EventsContent },
    tenant?: string,
    request?: EventsRequest,
  ): Promise<FhirResource | undefined>;
}

export interface ChangeIntake {
  /** Validates one change; rejects with a DecodeError giving the reason. */
  validate(value: unknown, tenant?: string): Promise<ChangeEvent>;
  /** Appends validated changes to the changelog; resolves once they are durable. */
  submit(changes: readonly ChangeEvent[]): Promise<void>;
}

export interface Readiness {
  ready(): { ready: boolean; reason?: string };
}

export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

export interface DeadLetterEntry {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  reason?: string;
  stage?: string;
  /** The original value when it is JSON, else its text. */
  value: unknown;
}

/** The two dead-letter topics: changes that could not be decoded, notifications that could not be delivered. */
export interface DeadLetterService {
  list(
    source: 'changes' | 'deliveries',
    /**
     * `subscriptionId` with `tenant` (none: a subscription without a tenant) names one subscription;
     * `tenant` alone keeps that tenant's delivery dead letters.
     */
    filter: { subscriptionId?: string; tenant?: string; limit: number },
  ): Promise<DeadLetterEntry[]>;
  /** Sends a subscription's undelivered notifications to its sink again; resolves to how many. */
  redrive(subscriptionId: string, tenant?: string): Promise<number>;
}

export interface HttpPorts {
  subscriptions: ResourceRegistry;
  topics: ResourceRegistry;
  status: StatusService;
  intake: ChangeIntake;
  readiness: Readiness;
  metrics: MetricsSource;
  deadLetters?: DeadLetterService;
}
