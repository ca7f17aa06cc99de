import type { FhirResource, Matcher } from '../../processors/index.js';
import { createMatcher, subscriptionStoreKey } from '../../processors/index.js';
import type { ReadOnlyTable } from '../../state/index.js';
import type { ResourceRegistry, WriteResult } from '../http/index.js';
import { subscriptionRef } from '../pipeline/catalog.js';
import type { TableWriter } from './table-writer.js';

function withMeta(resource: FhirResource, previous: FhirResource | undefined): FhirResource {
  const version = Number(previous?.meta?.versionId ?? 0);
  return {
    ...resource,
    meta: {
      ...resource.meta,
      versionId: String(Number.isFinite(version) ? version + 1 : 1),
      lastUpdated: new Date().toISOString(),
    },
  };
}

/** The notify stage's current status of a subscription (by store key), when it has one. */
export type LiveStatus = (key: string) => string | undefined;

/**
 * What a read shows: the stored resource with the status the notify stage gave it once it is
 * active or in error, as a FHIR server sets those itself. A client's own `off` stays, and so does
 * what it wrote while the stage has not caught up (a stage still saying `off` after it turned the
 * subscription on again is not shown).
 */
function withLiveStatus(resource: FhirResource, live: string | undefined): FhirResource {
  if (live !== 'active' && live !== 'error') return resource;
  if (resource.status === 'off' || resource.status === live) return resource;
  return { ...resource, status: live };
}

/** Subscriptions: compiled against the current topics before anything is written. */
export class SubscriptionRegistry implements ResourceRegistry {
  readonly resourceType = 'Subscription' as const;

  /** Holds only the topics; rebuilt when the topics table changed (compiling them per PUT was costly). */
  private scratch: Matcher | undefined;
  private listening: ReadOnlyTable<FhirResource> | undefined;

  constructor(
    private readonly table: () => ReadOnlyTable<FhirResource> | undefined,
    private readonly topics: () => ReadOnlyTable<FhirResource> | undefined,
    private readonly writer: TableWriter<FhirResource>,
    private readonly liveStatus: LiveStatus = () => undefined,
  ) {}

  private compiler(): Matcher {
    const topics = this.topics();
    if (topics && this.listening !== topics) {
      this.listening = topics;
      topics.onChange(() => {
        this.scratch = undefined;
      });
    }
    if (!this.scratch) {
      const scratch = createMatcher();
      for (const [url, topic] of topics?.entries() ?? []) scratch.putTopic(url, topic);
      // Without the table yet, the next call builds it again.
      if (topics) this.scratch = scratch;
      return scratch;
    }
    return this.scratch;
  }

  async get(id: string, tenant?: string): Promise<FhirResource | undefined> {
    const key = subscriptionStoreKey(id, tenant);
    const resource = this.table()?.get(key);
    return resource && withLiveStatus(resource, this.liveStatus(key));
  }

  async list(tenant?: string): Promise<FhirResource[]> {
    const out: FhirResource[] = [];
    for (const [key, resource] of this.table()?.entries() ?? []) {
      if (subscriptionRef(key)?.tenant === tenant) out.push(withLiveStatus(resource, this.liveStatus(key)));
    }
    return out;
  }

  async put(resource: FhirResource, tenant?: string): Promise<WriteResult> {
    // A matcher of its own, holding only the topics, tells whether the subscription compiles; the
    // subscription is taken out again at once (this runs without awaiting, so nothing interleaves).
    const scratch = this.compiler();
    const outcome = scratch.putSubscription(resource.id!, resource, tenant !== undefined ? { tenant } : {});
    scratch.deleteSubscription(resource.id!);
    if (outcome.status === 'error') return { ok: false, status: 422, reason: outcome.error.message };
    if (outcome.status === 'waiting-for-topic') {
      return {
        ok: false,
        status: 422,
        reason: `SubscriptionTopic ${outcome.topicUrl} is not known: create it first`,
      };
    }
    const key = subscriptionStoreKey(resource.id!, tenant);
    const previous = this.table()?.get(key);
    const stored = withMeta(resource, previous);
    await this.writer.write(key, stored);
    return { ok: true, resource: stored, created: previous === undefined };
  }

  async delete(id: string, tenant?: string): Promise<boolean> {
    const key = subscriptionStoreKey(id, tenant);
    if (this.table()?.get(key) === undefined) return false;
    await this.writer.write(key, null);
    return true;
  }
}

/** SubscriptionTopics: keyed by canonical URL in their table, addressed by id over REST. */
export class TopicRegistry implements ResourceRegistry {
  readonly resourceType = 'SubscriptionTopic' as const;

  constructor(
    private readonly table: () => ReadOnlyTable<FhirResource> | undefined,
    private readonly writer: TableWriter<FhirResource>,
  ) {}

  private find(id: string): [string, FhirResource] | undefined {
    for (const entry of this.table()?.entries() ?? []) if (entry[1].id === id) return entry;
    return undefined;
  }

  async get(id: string): Promise<FhirResource | undefined> {
    return this.find(id)?.[1];
  }

  async list(): Promise<FhirResource[]> {
    return [...(this.table()?.entries() ?? [])].map(([, r]) => r);
  }

  async put(resource: FhirResource): Promise<WriteResult> {
    const url = typeof resource.url === 'string' ? resource.url : undefined;
    if (!url)
      return { ok: false, status: 422, reason: 'SubscriptionTopic.url (its canonical URL) is required' };
    const existing = this.find(resource.id!);
    if (existing && existing[0] !== url) {
      return {
        ok: false,
        status: 409,
        reason: `SubscriptionTopic/${resource.id} has url ${existing[0]}; a topic's url cannot change`,
      };
    }
    const holder = this.table()?.get(url);
    if (holder && holder.id !== resource.id) {
      return { ok: false, status: 409, reason: `${url} is already SubscriptionTopic/${holder.id}` };
    }
    const outcome = createMatcher().putTopic(url, resource);
    if (outcome.error) return { ok: false, status: 422, reason: outcome.error.message };
    const stored = withMeta(resource, holder);
    await this.writer.write(url, stored);
    return { ok: true, resource: stored, created: holder === undefined };
  }

  async delete(id: string): Promise<boolean> {
    const existing = this.find(id);
    if (!existing) return false;
    await this.writer.write(existing[0], null);
    return true;
  }
}
