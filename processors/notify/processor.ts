import { hash } from 'node:crypto';
import { splitReference } from './references.js';
import type { KeyValueStore } from '../../state/index.js';
import type { DeliveryOutcome, Match, Notification, NotificationType } from '../contracts.js';
import { canonicalResourceKey } from '../decode/index.js';
import type { NormalizedSubscription, SubscriptionState } from '../subscription/index.js';
import { stableId } from './ids.js';
import type { EventLog, RetainedEvent } from './event-log.js';
import { findRecent, rememberRecent } from './recent-events.js';
import {
  MAX_ERRORS,
  type NotificationEvent,
  type StatusTransition,
  type SubscriptionStatusRecord,
} from './model.js';
import { buildPayloads, eventsPerNotification, hasStatusNotifications, payloadKind } from './payloads.js';
import { notificationChannel, unsupportedChannel } from './routing.js';
import { selectAdditionalContext, type NotificationShape } from './shape.js';

export interface NotifyDeps {
  /** The `subscription-status` store, partitioned by subscription like the matches topic. */
  store: KeyValueStore<string, SubscriptionStatusRecord>;
  now: () => Date;
  /** FHIR base URL (of a tenant): fullUrls, focus references and `Subscription/{id}` are built on it. */
  baseUrl: string | ((tenant?: string) => string);
  /** SubscriptionTopic.notificationShape for a topic and the focus resource type. */
  shapeFor?: (topicUrl: string, resourceType: string) => NotificationShape | undefined;
  /** Failed attempts in a row before the subscription is put in error. Default 3. */
  failureThreshold?: number;
  /**
   * Event digests remembered per subscription so that a match processed again (at-least-once,
   * after a crash between the store's changelog and the input commit) gets its old number back.
   * It should cover the matches one subscription sees in a commit interval. Default 128.
   */
  recentEvents?: number;
  /** Where the last events of each subscription are kept for `$events`; none: nothing retained. */
  events?: EventLog;
}

/** The status store key of a subscription: `Subscription/id`, tenant-qualified like resource keys. */
export function subscriptionStoreKey(subscriptionId: string, tenant?: string): string {
  return canonicalResourceKey('Subscription', subscriptionId, tenant);
}

/** What a lifecycle call produced: notifications to route, and the status change if any. */
export interface NotifyResult {
  notifications: Notification[];
  transition?: StatusTransition;
}

/** A short digest of what identifies an event: the store keeps many of them per subscription. */
function eventKey(m: Match): string {
  const text = `${m.topicUrl ?? ''}|${m.focus.reference}|${m.focus.versionId ?? ''}|${m.interaction}|${m.occurredAt}`;
  return hash('sha256', text, 'base64url').slice(0, 16);
}

/** Kafka topic names allow letters, digits, `.`, `_` and `-`, at most 249 of them. */
function kafkaTopicName(name: string): string {
  return name
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .slice(0, 249);
}

/** Digests of subscriptions without meta.versionId, per normalized subscription (replaced on change). */
const digests = new WeakMap<NormalizedSubscription, string>();

/** The Subscription's version: meta.versionId, else a digest of the resource (computed once). */
function subscriptionVersion(sub: NormalizedSubscription): string {
  const versionId = sub.resource.meta?.versionId;
  if (versionId !== undefined) return versionId;
  let digest = digests.get(sub);
  if (digest === undefined) {
    digest = hash('sha256', JSON.stringify(sub.resource), 'base64url').slice(0, 16);
    digests.set(sub, digest);
  }
  return digest;
}

function ended(sub: NormalizedSubscription, now: Date): boolean {
  return sub.end !== undefined && Date.parse(sub.end) <= now.getTime();
}

/**
 * The notify stage: numbers events per subscription (gap-free, in the store), keeps the status
 * (requested → active after the handshake or first delivery; error after failures; active again
 * on success; off), and builds notifications in the shape the subscription asked for. Every
 * method reads and writes only the store it was given, so the runtime can wrap it in a node.
 */
export class NotifyProcessor {
  private readonly failureThreshold: number;
  private readonly recentEvents: number;

  constructor(private readonly deps: NotifyDeps) {
    this.failureThreshold = deps.failureThreshold ?? 3;
    this.recentEvents = deps.recentEvents ?? 128;
  }

  /** The record `$status` serves; undefined before the subscription was first seen. */
  async statusOf(subscriptionId: string, tenant?: string): Promise<SubscriptionStatusRecord | undefined> {
    return this.deps.store.get(subscriptionStoreKey(subscriptionId, tenant));
  }

  /**
   * A subscription was created or changed (table replays included: a known subscription emits
   * nothing again). A new or re-requested topic subscription gets its handshake.
   */
  async subscriptionChanged(sub: NormalizedSubscription): Promise<NotifyResult> {
    const now = this.deps.now();
    const key = subscriptionStoreKey(sub.id, sub.tenant);
    const before = await this.deps.store.get(key);
    const { record, notifications } = this.lifecycle(sub, before, now);
    if (record !== before) await this.deps.store.put(key, record);
    return this.result(notifications, before, record, now);
  }

  /** A subscription was deleted: its status goes with it. */
  async subscriptionRemoved(subscriptionId: string, tenant?: string): Promise<void> {
    const key = subscriptionStoreKey(subscriptionId, tenant);
    await this.deps.store.delete(key);
    await this.deps.events?.clear(key);
  }

  /** Retained events of a subscription for `$events` (none when retention is off). */
  async eventsOf(
    subscriptionId: string,
    tenant: string | undefined,
    query: { since?: number; until?: number },
  ): Promise<{ record: SubscriptionStatusRecord; events: RetainedEvent[] } | undefined> {
    const key = subscriptionStoreKey(subscriptionId, tenant);
    const record = await this.deps.store.get(key);
    if (!record) return undefined;
    const events =
      (await this.deps.events?.range(key, { ...query, last: record.eventsSinceSubscriptionStart })) ?? [];
    return { record, events };
  }

  /**
   * Matches for one subscription, in changelog order. Returns the notifications to route (a
   * handshake first when the subscription had none yet); none when it is off or undeliverable.
   */
  async process(matches: Match | readonly Match[], sub: NormalizedSubscription): Promise<Notification[]> {
    const list = Array.isArray(matches) ? (matches as readonly Match[]) : [matches as Match];
    const now = this.deps.now();
    const key = subscriptionStoreKey(sub.id, sub.tenant);
    const before = await this.deps.store.get(key);
    const started = this.lifecycle(sub, before, now);
    let record = started.record;
    const out = [...started.notifications];
    if (
      record.status !== 'off' &&
      record.status !== 'entered-in-error' &&
      unsupportedChannel(sub) === undefined &&
      list.length > 0
    ) {
      let recent = record.recent;
      let count = record.eventsSinceSubscriptionStart;
      const events: NotificationEvent[] = list.map((m) => {
        const k = eventKey(m);
        let n = findRecent(recent, k);
        if (n === undefined) {
          n = ++count;
          recent = rememberRecent(recent, k, n, this.recentEvents);
        }
        return this.event(m, n, sub);
      });
      record = {
        ...record,
        eventsSinceSubscriptionStart: count,
        recent,
        lastSentAt: now.toISOString(),
      };
      await this.deps.events?.append(key, sub, events, now);
      const size = eventsPerNotification(sub, payloadKind(sub));
      for (let i = 0; i < events.length; i += size) {
        out.push(...this.build(sub, record, 'event-notification', events.slice(i, i + size), now));
      }
    }
    if (record !== before) await this.deps.store.put(key, record);
    return out;
  }

  /** A delivery outcome reported by a sink: moves the status between active and error. */
  async outcome(o: DeliveryOutcome): Promise<StatusTransition | undefined> {
    const key = subscriptionStoreKey(o.subscriptionId, o.tenant);
    const before = await this.deps.store.get(key);
    if (!before) return undefined;
    const r: SubscriptionStatusRecord = { ...before };
    if (o.result === 'delivered') {
      r.consecutiveFailures = 0;
      r.lastDeliveredEventNumber = Math.max(r.lastDeliveredEventNumber, o.eventNumber);
      if (r.handshake?.notificationId === o.notificationId) r.handshake = { ...r.handshake, delivered: true };
      if (r.status === 'requested' || r.status === 'error') r.status = 'active';
    } else {
      r.consecutiveFailures += 1;
      const message = o.error ?? `delivery ${o.result} after ${o.attempts} attempt(s)`;
      r.errors = [
        ...r.errors,
        {
          at: o.at,
          message,
          notificationId: o.notificationId,
          ...(o.statusCode !== undefined ? { statusCode: o.statusCode } : {}),
        },
      ].slice(-MAX_ERRORS);
      const giveUp = o.result === 'dead-lettered' || r.consecutiveFailures >= this.failureThreshold;
      if (giveUp && r.status !== 'off' && r.status !== 'entered-in-error') r.status = 'error';
    }
    await this.deps.store.put(key, r);
    return before.status !== r.status
      ? this.transition(r, before.status, new Date(o.at), o.error ?? o.result)
      : undefined;
  }

  /**
   * Wall-clock punctuator over the subscriptions this task owns: handshakes for subscriptions
   * not seen yet, `off` once `end` has passed, and a heartbeat for each active topic subscription
   * idle for its heartbeat period.
   */
  async punctuate(now: Date, subscriptions: Iterable<NormalizedSubscription>): Promise<NotifyResult[]> {
    const results: NotifyResult[] = [];
    for (const sub of subscriptions) {
      const key = subscriptionStoreKey(sub.id, sub.tenant);
      const result = await this.tick(now, sub, key, await this.deps.store.get(key));
      if (result.notifications.length > 0 || result.transition) results.push(result);
    }
    return results;
  }

  /**
   * The same punctuator driven by this task's own store: every subscription it holds a status for
   * is looked up (in the subscriptions table) and ticked; one the table no longer has is removed.
   * New subscriptions get their handshake from `subscriptionChanged` or their first match.
   */
  async punctuateStored(
    now: Date,
    lookup: (subscriptionId: string, tenant?: string) => NormalizedSubscription | undefined,
  ): Promise<NotifyResult[]> {
    const entries: [string, SubscriptionStatusRecord][] = [];
    for await (const entry of this.deps.store.range()) entries.push(entry);
    const results: NotifyResult[] = [];
    const gone: { key: string; value: null }[] = [];
    for (const [key, record] of entries) {
      const sub = lookup(record.subscriptionId, record.tenant);
      if (!sub) {
        gone.push({ key, value: null });
        continue;
      }
      const result = await this.tick(now, sub, key, record);
      if (result.notifications.length > 0 || result.transition) results.push(result);
    }
    if (gone.length > 0) await this.deps.store.putAll(gone);
    for (const { key } of gone) await this.deps.events?.clear(key);
    return results;
  }

  private async tick(
    now: Date,
    sub: NormalizedSubscription,
    key: string,
    before: SubscriptionStatusRecord | undefined,
  ): Promise<NotifyResult> {
    const started = this.lifecycle(sub, before, now);
    let record = started.record;
    const notifications = [...started.notifications];
    const period = sub.heartbeatPeriodSeconds;
    if (record.status === 'active' && period && hasStatusNotifications(payloadKind(sub))) {
      const idleSince = Date.parse(record.lastSentAt ?? record.startedAt);
      if (now.getTime() - idleSince >= period * 1000) {
        record = { ...record, lastSentAt: now.toISOString() };
        notifications.push(...this.build(sub, record, 'heartbeat', [], now));
      }
    }
    if (record !== before) await this.deps.store.put(key, record);
    return this.result(notifications, before, record, now);
  }

  /** Brings a record in line with its subscription; pure, returns the same record when nothing changed. */
  private lifecycle(
    sub: NormalizedSubscription,
    before: SubscriptionStatusRecord | undefined,
    now: Date,
  ): { record: SubscriptionStatusRecord; notifications: Notification[] } {
    const at = now.toISOString();
    // Where a (re)start of the numbering is stamped: the time the subscription's version was
    // written, the same on an instance that does this again after a crash lost the record; the
    // clock only for a subscription that comes without it.
    const startedAt = sub.writtenAt ?? at;
    const version = subscriptionVersion(sub);
    // The record carries the version of the Subscription it last saw: a new version is the
    // client speaking (re-requesting after off or error); the same one is only a replay.
    const changed = before !== undefined && before.subscriptionVersion !== version;
    const fresh: SubscriptionStatusRecord =
      before === undefined
        ? {
            subscriptionId: sub.id,
            ...(sub.tenant !== undefined ? { tenant: sub.tenant } : {}),
            status: 'requested',
            eventsSinceSubscriptionStart: 0,
            startedAt,
            lastDeliveredEventNumber: 0,
            consecutiveFailures: 0,
            errors: [],
            recent: '',
            subscriptionVersion: version,
          }
        : changed
          ? { ...before, subscriptionVersion: version }
          : before;
    const clientOff = sub.status === 'off' || sub.status === 'entered-in-error';
    if (clientOff || ended(sub, now)) {
      const status: SubscriptionState = sub.status === 'entered-in-error' ? 'entered-in-error' : 'off';
      return { record: fresh.status === status && before ? fresh : { ...fresh, status }, notifications: [] };
    }
    // First seen already in error (it could not be compiled): no handshake until its client changes it.
    if (before === undefined && sub.status === 'error') {
      return { record: { ...fresh, status: 'error' }, notifications: [] };
    }
    const unsupported = unsupportedChannel(sub);
    if (unsupported) {
      if (before?.status === 'error' && before.errors.at(-1)?.message === unsupported)
        return { record: fresh, notifications: [] };
      return {
        record: {
          ...fresh,
          status: 'error',
          errors: [...fresh.errors, { at, message: unsupported }].slice(-MAX_ERRORS),
        },
        notifications: [],
      };
    }
    const restart =
      changed &&
      (sub.status === 'requested' || sub.status === 'active') &&
      (before.status === 'off' || before.status === 'error');
    if (before && !restart) return { record: fresh, notifications: [] };
    const kind = payloadKind(sub);
    if (!hasStatusNotifications(kind)) {
      return {
        record: {
          ...fresh,
          status: 'active',
          startedAt: restart ? startedAt : fresh.startedAt,
          consecutiveFailures: 0,
        },
        notifications: [],
      };
    }
    let record: SubscriptionStatusRecord = {
      ...fresh,
      status: 'requested',
      startedAt,
      consecutiveFailures: 0,
      lastSentAt: at,
    };
    const notifications = this.build(sub, record, 'handshake', [], now);
    const first = notifications[0];
    if (first)
      record = {
        ...record,
        handshake: { notificationId: first.notificationId, sentAt: at, delivered: false },
      };
    return { record, notifications };
  }

  private event(m: Match, eventNumber: number, sub: NormalizedSubscription): NotificationEvent {
    const [focusType] = splitReference(m.focus.reference);
    const shape =
      m.topicUrl !== undefined || sub.topicUrl !== undefined
        ? this.deps.shapeFor?.(m.topicUrl ?? sub.topicUrl!, focusType)
        : undefined;
    return {
      eventNumber,
      timestamp: m.occurredAt,
      interaction: m.interaction,
      focus: m.focus,
      ...(m.resource ? { resource: m.resource } : {}),
      ...(m.previous ? { previous: m.previous } : {}),
      additionalContext: selectAdditionalContext(m.resource ?? m.previous, m.context ?? [], shape),
    };
  }

  private baseUrl(tenant?: string): string {
    const b = typeof this.deps.baseUrl === 'function' ? this.deps.baseUrl(tenant) : this.deps.baseUrl;
    return b.replace(/\/+$/, '');
  }

  private build(
    sub: NormalizedSubscription,
    record: SubscriptionStatusRecord,
    type: NotificationType,
    events: NotificationEvent[],
    now: Date,
  ): Notification[] {
    const kind = payloadKind(sub);
    const at = now.toISOString();
    const numbers = events.map((e) => e.eventNumber);
    // startedAt tells a re-created subscription's event 1 from the old one's; it comes from the
    // subscription's table record, so it is the same when a change is processed again after a crash.
    const notificationId = stableId(
      sub.tenant,
      sub.id,
      record.startedAt,
      type,
      numbers.join(','),
      type === 'heartbeat' ? at : undefined,
    );
    const payloads = buildPayloads(kind, {
      sub,
      record,
      type,
      events,
      notificationId,
      now: at,
      baseUrl: this.baseUrl(sub.tenant),
    });
    const channel = notificationChannel(sub);
    const single = events.length === 1 ? events[0] : undefined;
    const collapseKey =
      sub.options.deliverLatestVersion && single
        ? canonicalResourceKey(...splitReference(single.focus.reference), sub.tenant)
        : undefined;
    return payloads.map((p) => ({
      subscriptionId: sub.id,
      ...(sub.tenant !== undefined ? { tenant: sub.tenant } : {}),
      eventNumber: numbers.length > 0 ? Math.max(...numbers) : record.eventsSinceSubscriptionStart,
      type,
      channel,
      body: p.body,
      contentType: p.contentType,
      notificationId: p.part !== undefined ? stableId(notificationId, p.part) : notificationId,
      ...(p.method ? { method: p.method } : {}),
      ...(p.path !== undefined ? { path: p.path } : {}),
      ...(p.properties ? { properties: p.properties } : {}),
      ...(events[0] ? { occurredAt: events[0].timestamp } : {}),
      createdAt: at,
      ...(sub.options.maxAttempts !== undefined ? { maxAttempts: sub.options.maxAttempts } : {}),
      ...(collapseKey ? { collapseKey } : {}),
      ...(p.destination !== undefined && !sub.options.namedChannel
        ? { destination: channel.type === 'kafka' ? kafkaTopicName(p.destination) : p.destination }
        : {}),
      ...(sub.timeoutSeconds !== undefined ? { timeoutMs: sub.timeoutSeconds * 1000 } : {}),
    }));
  }

  private transition(
    r: SubscriptionStatusRecord,
    from: SubscriptionState,
    at: Date,
    reason?: string,
  ): StatusTransition {
    return {
      subscriptionId: r.subscriptionId,
      ...(r.tenant !== undefined ? { tenant: r.tenant } : {}),
      from,
      to: r.status,
      at: at.toISOString(),
      ...(reason !== undefined ? { reason } : {}),
    };
  }

  private result(
    notifications: Notification[],
    before: SubscriptionStatusRecord | undefined,
    after: SubscriptionStatusRecord,
    now: Date,
  ): NotifyResult {
    const from = before?.status;
    if (from === undefined || from === after.status) return { notifications };
    return { notifications, transition: this.transition(after, from, now) };
  }
}
