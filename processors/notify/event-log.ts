import type { FhirResource } from '../contracts.js';
import type { KeyValueStore } from '../../state/index.js';
import type { NormalizedSubscription } from '../subscription/index.js';
import type { NotificationEvent } from './model.js';

/**
 * An event as `$events` serves it later: what the notification carried, with resources kept only
 * when the subscription's content is full-resource (`$events` may lower the content, never raise it).
 */
export interface RetainedEvent extends NotificationEvent {
  /** When the event was retained (ISO-8601): the time bound of retention counts from it. */
  retainedAt: string;
}

export interface EventRetention {
  /** Last events kept per subscription; 0 keeps none. */
  maxEvents: number;
  /** Events older than this are dropped by `prune`; undefined: no time bound. */
  maxAgeMs?: number;
}

const DIGITS = 16;

/** Store key of one event: the subscription's status key, then the zero-padded number (keys sort by number). */
export function retainedEventKey(subscriptionKey: string, eventNumber: number): string {
  return `${subscriptionKey}#${String(eventNumber).padStart(DIGITS, '0')}`;
}

function prefixOf(subscriptionKey: string): string {
  return `${subscriptionKey}#`;
}

function stripped(r: FhirResource): FhirResource {
  return { resourceType: r.resourceType, ...(r.id !== undefined ? { id: r.id } : {}) };
}

/** The event as retained for this subscription's content. */
function retainable(e: NotificationEvent, sub: NormalizedSubscription, at: string): RetainedEvent {
  const full = sub.content === 'full-resource';
  return {
    eventNumber: e.eventNumber,
    timestamp: e.timestamp,
    interaction: e.interaction,
    focus: e.focus,
    ...(full && e.resource ? { resource: e.resource } : {}),
    ...(full && e.previous ? { previous: e.previous } : {}),
    additionalContext: full ? e.additionalContext : e.additionalContext.map(stripped),
    retainedAt: at,
  };
}

/**
 * The last events of each subscription, in a store partitioned like the status store (so it is
 * changelogged, restored and moved with the subscription's partition). Keeping the last N costs
 * one write and one tombstone per event: event numbers are gap-free, so event n evicts n - N.
 */
export class EventLog {
  /** Where the time-bound pruning resumes: each pass looks at a bounded number of entries. */
  private cursor: string | undefined;

  constructor(
    private readonly store: KeyValueStore<string, RetainedEvent>,
    readonly retention: EventRetention,
  ) {}

  async append(
    subscriptionKey: string,
    sub: NormalizedSubscription,
    events: readonly NotificationEvent[],
    now: Date,
  ): Promise<void> {
    const max = this.retention.maxEvents;
    if (max <= 0 || events.length === 0) return;
    const at = now.toISOString();
    const entries: { key: string; value: RetainedEvent | null }[] = [];
    for (const e of events) {
      entries.push({ key: retainedEventKey(subscriptionKey, e.eventNumber), value: retainable(e, sub, at) });
      const evicted = e.eventNumber - max;
      if (evicted >= 1) entries.push({ key: retainedEventKey(subscriptionKey, evicted), value: null });
    }
    await this.store.putAll(entries);
  }

  /** Retained events with since ≤ number ≤ until, in number order; the window is enforced on read too. */
  async range(
    subscriptionKey: string,
    query: { since?: number; until?: number; last: number },
  ): Promise<RetainedEvent[]> {
    const lowest = Math.max(1, query.last - this.retention.maxEvents + 1, query.since ?? 1);
    const highest = Math.min(query.last, query.until ?? query.last);
    if (this.retention.maxEvents <= 0 || highest < lowest) return [];
    const out: RetainedEvent[] = [];
    for await (const [, value] of this.store.range({
      gte: retainedEventKey(subscriptionKey, lowest),
      lte: retainedEventKey(subscriptionKey, highest),
    })) {
      out.push(value);
    }
    return out;
  }

  /** Every event of a subscription (deleted, or started again with new numbers). */
  async clear(subscriptionKey: string): Promise<void> {
    const gone: { key: string; value: null }[] = [];
    for await (const [key] of this.store.range({ prefix: prefixOf(subscriptionKey) }))
      gone.push({ key, value: null });
    if (gone.length > 0) await this.store.putAll(gone);
  }

  /**
   * Drops events older than the time bound, looking at no more than `budget` entries: a pass
   * resumes where the previous one stopped, so a large store is swept over several passes.
   * Returns how many were dropped.
   */
  async prune(now: Date, budget = 10_000): Promise<number> {
    const maxAge = this.retention.maxAgeMs;
    if (maxAge === undefined) return 0;
    const cutoff = now.getTime() - maxAge;
    const gone: { key: string; value: null }[] = [];
    let seen = 0;
    let last: string | undefined;
    for await (const [key, value] of this.store.range(this.cursor ? { gt: this.cursor } : {})) {
      if (seen++ >= budget) break;
      last = key;
      if (Date.parse(value.retainedAt) < cutoff) gone.push({ key, value: null });
    }
    // A pass that reached the end starts the next one from the beginning.
    this.cursor = seen > budget ? last : undefined;
    if (gone.length > 0) await this.store.putAll(gone);
    return gone.length;
  }
}
