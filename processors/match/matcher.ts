import { CompileError, SubstreamError } from '../../state/index.js';
import type { FhirResource, Interaction, Match, VersionedChange } from '../contracts.js';
import {
  normalizeSubscription,
  type FhirVersion,
  type NormalizedSubscription,
} from '../subscription/index.js';
import { anchorsOf, CandidateIndex } from './candidate-index.js';
import { changeState, type ChangeState } from './change-state.js';
import {
  compileClassic,
  compileTopicSubscription,
  type SubscriptionEntry,
  type TopicEntry,
} from './compile-subscription.js';
import type { ParamOptions } from './criteria/compile-param.js';
import { evaluateEntry } from './evaluate.js';
import type { Reason, Verdict } from './explain.js';
import { compileTopic, triggerFires, type CompiledTopic } from './topic/compile-topic.js';
import { readTopic, type TopicDefinition } from './topic/topic-model.js';
import { ResourceView } from './types.js';

export interface MatcherOptions {
  /** Now in epoch milliseconds: the `ap` prefix on dates and subscriptions' `end`. */
  now?: () => number;
  /**
   * Called when evaluating an expression on a change fails for one subscription (a FHIRPath
   * runtime error); that subscription does not match the change. Without it the error is thrown.
   */
  onEvaluationError?: (subscriptionId: string, error: SubstreamError) => void;
}

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

/** A business event (R5 SubscriptionTopic.eventTrigger), dispatched by its code. */
export interface TopicEvent {
  /** `code` or `system|code`. */
  event: string;
  /** The focus resource. */
  resource: FhirResource;
  previous?: FhirResource;
  /** Only subscriptions on this topic (all topics declaring the event otherwise). */
  topicUrl?: string;
  tenant?: string;
  interaction?: Interaction;
  occurredAt?: string;
}

export interface Matcher {
  putTopic(url: string, topic: FhirResource, options?: PutTopicOptions): TopicOutcome;
  deleteTopic(url: string): TopicOutcome;
  putSubscription(id: string, resource: FhirResource, options?: PutSubscriptionOptions): CompileOutcome;
  deleteSubscription(id: string): void;
  /** Subscriptions a resource change notifies, through the index. */
  match(change: VersionedChange): Match[];
  /** Subscriptions whose topic declares the event and whose filters accept its focus. */
  dispatchEvent(event: TopicEvent): Match[];
  /** Every check of one subscription on one change, evaluated in full (no index). */
  explain(subscriptionId: string, change: VersionedChange): Verdict;
  /** The compile outcome a subscription currently has. */
  outcome(subscriptionId: string): CompileOutcome | undefined;
  readonly size: number;
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

export function createMatcher(options: MatcherOptions = {}): Matcher {
  const now = options.now ?? Date.now;
  const paramOptions: ParamOptions = { now };
  const topics = new Map<string, TopicRecord>();
  const subscriptions = new Map<string, SubscriptionRecord>();
  const dependents = new Map<string, Set<string>>();
  const classicIndex = new CandidateIndex<SubscriptionEntry>();
  const topicIndex = new CandidateIndex<TopicEntry>();
  /** tenant + resource type → the compiled topics that have subscribers there, with their count. */
  const liveTopics = new Map<string, Map<CompiledTopic, number>>();

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
        const counts = liveTopics.get(key);
        const n = (counts?.get(entry.topic) ?? 0) - 1;
        if (n > 0) counts!.set(entry.topic, n);
        else {
          counts?.delete(entry.topic);
          if (counts?.size === 0) liveTopics.delete(key);
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
      let counts = liveTopics.get(key);
      if (!counts) liveTopics.set(key, (counts = new Map()));
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

  function guarded(
    entry: SubscriptionEntry,
    state: ChangeState,
    tenant: string,
    time: () => number,
    triggered = false,
  ): boolean {
    if (!options.onEvaluationError) return evaluateEntry(entry, state, tenant, time, undefined, triggered);
    try {
      return evaluateEntry(entry, state, tenant, time, undefined, triggered);
    } catch (cause) {
      if (!(cause instanceof SubstreamError)) throw cause;
      options.onEvaluationError(entry.id, cause);
      return false;
    }
  }

  function toMatch(
    entry: SubscriptionEntry,
    vc: VersionedChange,
    state: ChangeState,
    topicUrl?: string,
  ): Match {
    const c = vc.change;
    const focus = state.focus?.resource;
    const previous = vc.previous ?? c.previous;
    const versionId = c.versionId ?? focus?.meta?.versionId;
    return {
      subscriptionId: entry.id,
      ...(topicUrl ? { topicUrl } : {}),
      ...(c.tenant !== undefined ? { tenant: c.tenant } : {}),
      interaction: c.interaction,
      focus: { reference: `${c.resourceType}/${c.id}`, ...(versionId ? { versionId } : {}) },
      ...(focus ? { resource: focus } : {}),
      ...(previous ? { previous } : {}),
      occurredAt: c.occurredAt ?? new Date(state.seenAt).toISOString(),
      ...(vc.changeOffset !== undefined ? { changeOffset: vc.changeOffset } : {}),
    };
  }

  /** When the change happened (its occurredAt, else now), parsed only when first asked. */
  function at(vc: VersionedChange): () => number {
    let time: number | undefined;
    return () => {
      if (time === undefined) {
        const t = vc.change.occurredAt ? Date.parse(vc.change.occurredAt) : NaN;
        time = Number.isNaN(t) ? now() : t;
      }
      return time;
    };
  }

  function matchTopics(
    vc: VersionedChange,
    state: ChangeState,
    fires: (topic: CompiledTopic) => boolean,
    out: Match[],
  ): void {
    const tenant = vc.change.tenant ?? '';
    const time = at(vc);
    for (const topic of liveTopics.get(`${tenant}${SEP}${state.resourceType}`)?.keys() ?? []) {
      if (!fires(topic)) continue;
      for (const entry of topicIndex.candidates(
        topicBucket(tenant, topic, state.resourceType),
        state.focus,
      )) {
        if (guarded(entry, state, tenant, time, true)) {
          out.push(toMatch(entry, vc, state, topic.url));
        }
      }
    }
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

    match(vc) {
      const state = changeState(vc, now());
      const tenant = vc.change.tenant ?? '';
      const time = at(vc);
      const out: Match[] = [];
      for (const entry of classicIndex.candidates(`${tenant}${SEP}${state.resourceType}`, state.focus)) {
        if (guarded(entry, state, tenant, time)) out.push(toMatch(entry, vc, state));
      }
      matchTopics(
        vc,
        state,
        (topic) => (topic.triggersByType.get(state.resourceType) ?? []).some((t) => triggerFires(t, state)),
        out,
      );
      return out;
    },

    dispatchEvent(event) {
      const [system, code] = event.event.includes('|') ? event.event.split('|', 2) : [undefined, event.event];
      const resource = event.resource;
      const vc: VersionedChange = {
        change: {
          interaction: event.interaction ?? 'update',
          resourceType: resource.resourceType,
          id: resource.id ?? '',
          resource,
          ...(event.previous ? { previous: event.previous } : {}),
          ...(event.tenant !== undefined ? { tenant: event.tenant } : {}),
          ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
        },
        current: resource,
        ...(event.previous ? { previous: event.previous } : {}),
      };
      const state = changeState(vc, now());
      const out: Match[] = [];
      matchTopics(
        vc,
        state,
        (topic) =>
          (event.topicUrl === undefined || event.topicUrl === topic.url) &&
          topic.eventTriggers.some(
            (t) =>
              t.resourceType === resource.resourceType &&
              t.codings.some((c) => c.code === code && (system === undefined || c.system === system)),
          ),
        out,
      );
      return out;
    },

    explain(subscriptionId, vc) {
      const record = subscriptions.get(subscriptionId);
      if (!record) {
        return {
          subscriptionId,
          matched: false,
          reasons: [{ criterion: 'subscription', passed: false, detail: 'unknown' }],
        };
      }
      const outcome = record.outcome;
      if (outcome.status !== 'compiled' || !record.entry) {
        const detail =
          outcome.status === 'error'
            ? outcome.error.message
            : `waiting for topic ${outcome.status === 'waiting-for-topic' ? outcome.topicUrl : ''}`;
        return {
          subscriptionId,
          matched: false,
          reasons: [{ criterion: 'compiled', passed: false, detail }],
        };
      }
      const reasons: Reason[] = [];
      const matched = evaluateEntry(
        record.entry,
        changeState(vc, now()),
        vc.change.tenant ?? '',
        at(vc),
        reasons,
      );
      return { subscriptionId, matched, reasons };
    },

    outcome: (id) => subscriptions.get(id)?.outcome,

    get size() {
      return subscriptions.size;
    },
  };
}

export { ResourceView };
