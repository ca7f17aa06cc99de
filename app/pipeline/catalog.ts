import type {
  CompileOutcome,
  FhirResource,
  Match,
  Matcher,
  NormalizedSubscription,
  VersionedChange,
} from '../../processors/index.js';
import {
  ChangeDecodeError,
  createMatcher,
  normalizeSubscription,
  parseCanonicalResourceKey,
  subscriptionStoreKey,
} from '../../processors/index.js';
import type { ReadOnlyTable, TableChange } from '../../state/index.js';
import { CompileError } from '../../state/index.js';

export interface CatalogLogger {
  warn(details: object, message: string): void;
}

export interface SubscriptionRef {
  /** The table key: `Subscription/<id>`, tenant-qualified when there is a tenant. */
  key: string;
  id: string;
  tenant?: string;
}

/**
 * The table key of a subscription, and back. Only the canonical spelling is a subscription's key:
 * every later stage keys its status, matches and notifications by `subscriptionStoreKey(id,
 * tenant)`, so a key written by another producer with its tenant encoded otherwise (`a b/…`,
 * `%41cme/…`) would be split over two keys.
 */
export function subscriptionRef(key: string): SubscriptionRef | undefined {
  let parsed: ReturnType<typeof parseCanonicalResourceKey>;
  try {
    parsed = parseCanonicalResourceKey(key);
  } catch (error) {
    if (error instanceof ChangeDecodeError) return undefined; // a tenant that does not decode: not a key
    throw error;
  }
  if (!parsed || parsed.resourceType !== 'Subscription') return undefined;
  if (subscriptionStoreKey(parsed.id, parsed.tenant) !== key) return undefined;
  return { key, id: parsed.id, ...(parsed.tenant !== undefined ? { tenant: parsed.tenant } : {}) };
}

/**
 * The subscriptions and topics tables, compiled: a matcher that follows both global tables, and
 * the normalized form of every subscription for the notify stage. One per process; every task
 * reads it from memory.
 */
export class SubscriptionCatalog {
  readonly matcher: Matcher;
  private readonly normalized = new Map<string, NormalizedSubscription>();
  /** Table key → id and tenant, read once per subscription rather than once per match. */
  private readonly refs = new Map<string, SubscriptionRef | null>();
  private readonly listeners = new Set<(ref: SubscriptionRef) => void>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly subscriptions: ReadOnlyTable<FhirResource>,
    private readonly topics: ReadOnlyTable<FhirResource>,
    private readonly logger?: CatalogLogger,
  ) {
    this.matcher = createMatcher({
      onEvaluationError: (id, error) =>
        this.logger?.warn({ subscription: id, error: error.message }, 'criteria failed on a change'),
    });
  }

  /** Loads what the tables hold and follows their changes (call once the tables caught up). */
  start(): void {
    for (const [url, topic] of this.topics.entries()) this.putTopic(url, topic);
    for (const [key, resource] of this.subscriptions.entries()) this.putSubscription(key, resource);
    this.unsubscribe.push(
      this.topics.onChange((c: TableChange<FhirResource>) => {
        if (c.value === null) this.matcher.deleteTopic(c.key);
        else this.putTopic(c.key, c.value);
        // Subscriptions waiting for this topic may compile now: tell the tasks to look again.
        for (const key of this.normalized.keys()) {
          const ref = subscriptionRef(key);
          if (ref && this.normalized.get(key)?.topicUrl === c.key) this.emit(ref);
        }
      }),
      this.subscriptions.onChange((c: TableChange<FhirResource>) => {
        if (c.value === null) this.removeSubscription(c.key);
        else this.putSubscription(c.key, c.value);
      }),
    );
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /** Called for every subscription added, changed or removed. */
  onSubscriptionChange(listener: (ref: SubscriptionRef) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(key: string): NormalizedSubscription | undefined {
    return this.normalized.get(key);
  }

  keys(): IterableIterator<string> {
    return this.normalized.keys();
  }

  outcome(key: string): CompileOutcome | undefined {
    return this.matcher.outcome(key);
  }

  /** How many subscriptions are compiled, waiting for their topic, or in error. */
  countByStatus(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const key of this.normalized.keys()) {
      const status = this.outcome(key)?.status ?? 'error';
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Matches of a change, with subscription ids as the subscriptions know them (not table keys);
   * `seenAt` as in Matcher.match.
   */
  match(change: VersionedChange, seenAt?: number): Match[] {
    const matches = this.matcher.match(change, seenAt);
    if (matches.length === 0) return matches;
    return matches.map((m) => {
      const ref = this.refOf(m.subscriptionId);
      return ref
        ? { ...m, subscriptionId: ref.id, ...(ref.tenant !== undefined ? { tenant: ref.tenant } : {}) }
        : m;
    });
  }

  private refOf(key: string): SubscriptionRef | undefined {
    let ref = this.refs.get(key);
    if (ref === undefined) {
      ref = subscriptionRef(key) ?? null;
      this.refs.set(key, ref);
    }
    return ref ?? undefined;
  }

  private putTopic(url: string, topic: FhirResource): void {
    const outcome = this.matcher.putTopic(url, topic);
    if ('error' in outcome && outcome.error instanceof CompileError) {
      this.logger?.warn({ topic: url, error: outcome.error.message }, 'subscription topic does not compile');
    }
  }

  private putSubscription(key: string, resource: FhirResource): void {
    const ref = subscriptionRef(key);
    if (!ref) {
      this.logger?.warn(
        { key },
        'subscriptions table key is not Subscription/<id> or <tenant>/Subscription/<id> (tenant percent-encoded); ignored',
      );
      return;
    }
    const options = ref.tenant !== undefined ? { tenant: ref.tenant } : {};
    try {
      const normalized = normalizeSubscription({ ...resource, id: ref.id }, options);
      const writtenAt = this.subscriptions.writtenAt(key);
      if (writtenAt !== undefined) normalized.writtenAt = new Date(writtenAt).toISOString();
      this.normalized.set(key, normalized);
    } catch (error) {
      this.normalized.delete(key);
      this.logger?.warn(
        { subscription: key, error: (error as Error).message },
        'subscription cannot be read',
      );
    }
    // The matcher is keyed by table key (tenants may reuse ids); matches are mapped back in match().
    const outcome = this.matcher.putSubscription(key, { ...resource, id: key }, options);
    if (outcome.status === 'error') {
      this.logger?.warn({ subscription: key, error: outcome.error.message }, 'subscription does not compile');
    }
    this.emit(ref);
  }

  private removeSubscription(key: string): void {
    this.normalized.delete(key);
    this.refs.delete(key);
    this.matcher.deleteSubscription(key);
    const ref = subscriptionRef(key);
    if (ref) this.emit(ref);
  }

  private emit(ref: SubscriptionRef): void {
    for (const listener of this.listeners) listener(ref);
  }
}
