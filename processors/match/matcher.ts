import { SubstreamError } from '../../state/index.js';
import type { FhirResource, Interaction, Match, VersionedChange } from '../contracts.js';
import { changeState, type ChangeState } from './change-state.js';
import type { SubscriptionEntry } from './compile-subscription.js';
import { evaluateEntry } from './evaluate.js';
import type { Reason, Verdict } from './explain.js';
import {
  createSubscriptionTable,
  type CompileOutcome,
  type PutSubscriptionOptions,
  type PutTopicOptions,
  type TopicOutcome,
} from './subscription-table.js';
import { triggerFires, type CompiledTopic } from './topic/compile-topic.js';

export type { CompileOutcome, PutSubscriptionOptions, PutTopicOptions, TopicOutcome };

export interface MatcherOptions {
  /** Now in epoch milliseconds: the `ap` prefix on dates and subscriptions' `end`. */
  now?: () => number;
  /**
   * Called when evaluating an expression on a change fails for one subscription (a FHIRPath
   * runtime error); that subscription does not match the change. Without it the error is thrown.
   */
  onEvaluationError?: (subscriptionId: string, error: SubstreamError) => void;
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
  /** The interaction the matches carry (default update). */
  interaction?: Interaction;
  occurredAt?: string;
}

export interface Matcher {
  putTopic(url: string, topic: FhirResource, options?: PutTopicOptions): TopicOutcome;
  deleteTopic(url: string): TopicOutcome;
  putSubscription(id: string, resource: FhirResource, options?: PutSubscriptionOptions): CompileOutcome;
  deleteSubscription(id: string): void;
  /**
   * Subscriptions a resource change notifies, through the index. `seenAt` (ms) stands for when
   * the change happened if it does not say: the pipeline passes its changelog record's timestamp,
   * so that a change processed again after a failover gives the same matches (and the notify
   * stage recognises their events) rather than ones stamped with the time of the second pass.
   */
  match(change: VersionedChange, seenAt?: number): Match[];
  /** Subscriptions whose topic declares the event and whose filters accept its focus. */
  dispatchEvent(event: TopicEvent): Match[];
  /** Every check of one subscription on one change, evaluated in full (no index). */
  explain(subscriptionId: string, change: VersionedChange): Verdict;
  /** The compile outcome a subscription currently has. */
  outcome(subscriptionId: string): CompileOutcome | undefined;
  readonly size: number;
}

export function createMatcher(options: MatcherOptions = {}): Matcher {
  const now = options.now ?? Date.now;
  const table = createSubscriptionTable({ now });

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

  /** When the change happened (its occurredAt, else `seenAt` or now), parsed only when first asked. */
  function at(vc: VersionedChange, seenAt?: number): () => number {
    let time: number | undefined;
    return () => {
      if (time === undefined) {
        const t = vc.change.occurredAt ? Date.parse(vc.change.occurredAt) : NaN;
        time = Number.isNaN(t) ? (seenAt ?? now()) : t;
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
    const time = at(vc, state.seenAt);
    for (const topic of table.liveTopics(tenant, state.resourceType)) {
      if (!fires(topic)) continue;
      for (const entry of table.topicCandidates(tenant, topic, state.resourceType, state.focus)) {
        if (guarded(entry, state, tenant, time, true)) {
          out.push(toMatch(entry, vc, state, topic.url));
        }
      }
    }
  }

  return {
    putTopic: (url, topic, topicOptions) => table.putTopic(url, topic, topicOptions),
    deleteTopic: (url) => table.deleteTopic(url),
    putSubscription: (id, resource, subscriptionOptions) =>
      table.putSubscription(id, resource, subscriptionOptions),
    deleteSubscription: (id) => table.deleteSubscription(id),

    match(vc, seenAt) {
      const state = changeState(vc, seenAt ?? now());
      const tenant = vc.change.tenant ?? '';
      const time = at(vc, state.seenAt);
      const out: Match[] = [];
      for (const entry of table.classicCandidates(tenant, state.resourceType, state.focus)) {
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
      const outcome = table.outcome(subscriptionId);
      const entry = table.entry(subscriptionId);
      if (!outcome) {
        return {
          subscriptionId,
          matched: false,
          reasons: [{ criterion: 'subscription', passed: false, detail: 'unknown' }],
        };
      }
      if (outcome.status !== 'compiled' || !entry) {
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
      const matched = evaluateEntry(entry, changeState(vc, now()), vc.change.tenant ?? '', at(vc), reasons);
      return { subscriptionId, matched, reasons };
    },

    outcome: (id) => table.outcome(id),

    get size() {
      return table.size;
    },
  };
}
