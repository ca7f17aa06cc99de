import { CompileError } from '../../state/index.js';
import type { FhirResource } from '../contracts.js';
import {
  normalizeSubscription,
  type FhirVersion,
  type NormalizedSubscription,
} from '../subscription/index.js';
import { anchorsOf, CandidateIndex } from './candidate-index.js';
import {
  compileClassic,
  compileTopicSubscription,
  type SubscriptionEntry,
  type TopicEntry,
} from './compile-subscription.js';
import type { ParamOptions } from './criteria/compile-param.js';
import { compileTopic, type CompiledTopic } from './topic/compile-topic.js';
import { readTopic, type TopicDefinition } from './topic/topic-model.js';
import type { ResourceView } from './types.js';

/** The outcome of putting a subscription: compiled, waiting for its topic, or refused. */
export type CompileOutcome =
  | { subscriptionId: string; status: 'compiled' }
  | { subscriptionId: string; status: 'waiting-for-topic'; topicUrl: string }
  | { subscriptionId: string; status: 'error'; error: CompileError };

export interface TopicOutcome {
  topicUrl: string;
  /** Absent when the topic compiled. */
  error?: CompileError;
  /** Subscriptions on this topic, recompiled: the caller updates their status from these. */
  subscriptions: CompileOutcome[];
}

export interface PutSubscriptionOptions {
  tenant?: string;
  /** R4 and R4B Subscriptions share a shape: which server version wrote it (default R4). */
  fhirVersion?: 'R4' | 'R4B';
}

export interface PutTopicOptions {
  /**
   * The version the topic is written in, to check its query criteria now; without it they are
   * checked when a subscription of some version first uses the topic.
   */
  fhirVersion?: FhirVersion;
}

interface TopicRecord {
  url: string;
  definition?: TopicDefinition;
  error?: CompileError;
  compiled: Map<FhirVersion, CompiledTopic | CompileError>;
}

interface SubscriptionRecord {
  id: string;
  resource: FhirResource;
  options: PutSubscriptionOptions;
  normalized?: NormalizedSubscription;
  entry?: SubscriptionEntry;
  outcome: CompileOutcome;
}

const SEP = '\u0000';

/**
 * The subscription and topic tables, compiled: subscriptions are compiled when they are put, and
 * again when the topic they depend on changes; compiled entries are filed in the candidate
 * indexes (by tenant and resource type, and by topic for topic subscriptions).
 */
export interface SubscriptionTable {
  putTopic(url: string, topic: FhirResource, options?: PutTopicOptions): TopicOutcome;
  deleteTopic(url: string): TopicOutcome;
  putSubscription(id: string, resource: FhirResource, options?: PutSubscriptionOptions): CompileOutcome;
  deleteSubscription(id: string): void;
  outcome(id: string): CompileOutcome | undefined;
  /** The compiled entry of a subscription, when it has one. */
  entry(id: string): SubscriptionEntry | undefined;
  readonly size: number;
  /** Classic subscriptions of a tenant and type that may match the resource. */
  classicCandidates(
    tenant: string,
    resourceType: string,
    view: ResourceView | undefined,
  ): SubscriptionEntry[];
  /** Compiled topics with subscribers of the tenant that notify about the type. */
  liveTopics(tenant: string, resourceType: string): Iterable<CompiledTopic>;
  /** Subscriptions of a topic, tenant and type that may match the resource. */
  topicCandidates(
    tenant: string,
    topic: CompiledTopic,
    resourceType: string,
    view: ResourceView | undefined,
  ): TopicEntry[];
}

export function createSubscriptionTable(paramOptions: ParamOptions): SubscriptionTable {
  const topics = new Map<string, TopicRecord>();
  const subscriptions = new Map<string, SubscriptionRecord>();
  const dependents = new Map<string, Set<string>>();
  const classicIndex = new CandidateIndex<SubscriptionEntry>();
  const topicIndex = new CandidateIndex<TopicEntry>();
  /** tenant + resource type → the compiled topics that have subscribers there, with their count. */
  const live = new Map<string, Map<CompiledTopic, number>>();

  function topicFor(url: string, version: FhirVersion): CompiledTopic | CompileError | undefined {
    const record = topics.get(url);
    if (!record) return undefined;
    if (record.error) return record.error;
    let compiled = record.compiled.get(version);
    if (!compiled) {
      try {
        compiled = compileTopic(record.definition!, version, paramOptions);
      } catch (cause) {
        if (!(cause instanceof CompileError)) throw cause;
        compiled = cause;
      }
      record.compiled.set(version, compiled);
    }
    return compiled;
  }

  function unindex(record: SubscriptionRecord): void {
    const entry = record.entry;
    if (!entry) return;
    if (entry.kind === 'classic') classicIndex.remove(entry);
    else {
      topicIndex.remove(entry);
      for (const type of entry.topic.resourceTypes) {
        const key = `${entry.tenant}${SEP}${type}`;
        const counts = live.get(key);
        const n = (counts?.get(entry.topic) ?? 0) - 1;
        if (n > 0) counts!.set(entry.topic, n);
        else {
          counts?.delete(entry.topic);
          if (counts?.size === 0) live.delete(key);
        }
      }
    }
    delete record.entry;
  }

  function index(entry: SubscriptionEntry): void {
    if (entry.kind === 'classic') {
      classicIndex.add(
        `${entry.tenant}${SEP}${entry.criteria.resourceType}`,
        entry,
        anchorsOf(entry.criteria.criteria),
      );
      return;
    }
    for (const type of entry.topic.resourceTypes) {
      topicIndex.add(
        topicBucket(entry.tenant, entry.topic, type),
        entry,
        anchorsOf(entry.filters.get(type) ?? []),
      );
      const key = `${entry.tenant}${SEP}${type}`;
      let counts = live.get(key);
      if (!counts) live.set(key, (counts = new Map()));
      counts.set(entry.topic, (counts.get(entry.topic) ?? 0) + 1);
    }
  }

  function topicBucket(tenant: string, topic: CompiledTopic, type: string): string {
    return `${tenant}${SEP}${topic.url}${SEP}${topic.version}${SEP}${type}`;
  }

  function compile(record: SubscriptionRecord): CompileOutcome {
    unindex(record);
    const id = record.id;
    try {
      const sub = normalizeSubscription(record.resource, {
        ...(record.options.tenant !== undefined ? { tenant: record.options.tenant } : {}),
        ...(record.options.fhirVersion ? { fhirVersion: record.options.fhirVersion } : {}),
      });
      if (sub.id !== id) {
        throw new CompileError(`Subscription/${id}: the resource's id is '${sub.id}'`, {
          context: { subscription: id },
        });
      }
      record.normalized = sub;
      if (sub.flavor === 'r4-classic') {
        record.entry = compileClassic(sub, paramOptions);
      } else {
        const url = sub.topicUrl!;
        const topic = topicFor(url, sub.fhirVersion);
        if (topic === undefined) return { subscriptionId: id, status: 'waiting-for-topic', topicUrl: url };
        if (topic instanceof CompileError) {
          throw new CompileError(`Subscription/${id}: topic ${url} cannot be used: ${topic.message}`, {
            cause: topic,
            context: { subscription: id, topic: url },
          });
        }
        record.entry = compileTopicSubscription(sub, topic, paramOptions);
      }
      index(record.entry);
      return { subscriptionId: id, status: 'compiled' };
    } catch (cause) {
      if (cause instanceof CompileError) return { subscriptionId: id, status: 'error', error: cause };
      throw cause;
    }
  }

  function recompileDependents(url: string): CompileOutcome[] {
    return [...(dependents.get(url) ?? [])].map((id) => {
      const record = subscriptions.get(id)!;
      record.outcome = compile(record);
      return record.outcome;
    });
  }

  function track(record: SubscriptionRecord, on: boolean): void {
    const url = record.normalized?.topicUrl;
    if (!url) return;
    const set = dependents.get(url) ?? new Set<string>();
    if (on) set.add(record.id);
    else set.delete(record.id);
    if (set.size > 0) dependents.set(url, set);
    else dependents.delete(url);
  }

  return {
    putTopic(url, resource, topicOptions = {}) {
      let record: TopicRecord;
      try {
        const definition = readTopic(url, resource);
        record = { url, definition, compiled: new Map() };
        // Subscriptions compile the topic for their own version on demand.
        if (topicOptions.fhirVersion) {
          const own = compileTopic(definition, topicOptions.fhirVersion, paramOptions);
          record.compiled.set(own.version, own);
        }
      } catch (cause) {
        if (!(cause instanceof CompileError)) throw cause;
        record = { url, error: cause, compiled: new Map() };
      }
      topics.set(url, record);
      return {
        topicUrl: url,
        ...(record.error ? { error: record.error } : {}),
        subscriptions: recompileDependents(url),
      };
    },

    deleteTopic(url) {
      topics.delete(url);
      return { topicUrl: url, subscriptions: recompileDependents(url) };
    },

    putSubscription(id, resource, subscriptionOptions = {}) {
      const old = subscriptions.get(id);
      if (old) {
        unindex(old);
        track(old, false);
      }
      const record: SubscriptionRecord = {
        id,
        resource,
        options: subscriptionOptions,
        outcome: { subscriptionId: id, status: 'compiled' },
      };
      subscriptions.set(id, record);
      record.outcome = compile(record);
      track(record, true);
      return record.outcome;
    },

    deleteSubscription(id) {
      const record = subscriptions.get(id);
      if (!record) return;
      unindex(record);
      track(record, false);
      subscriptions.delete(id);
    },

    outcome: (id) => subscriptions.get(id)?.outcome,
    entry: (id) => subscriptions.get(id)?.entry,

    get size() {
      return subscriptions.size;
    },

    classicCandidates: (tenant, resourceType, view) =>
      classicIndex.candidates(`${tenant}${SEP}${resourceType}`, view),

    liveTopics: (tenant, resourceType) => live.get(`${tenant}${SEP}${resourceType}`)?.keys() ?? [],

    topicCandidates: (tenant, topic, resourceType, view) =>
      topicIndex.candidates(topicBucket(tenant, topic, resourceType), view),
  };
}
