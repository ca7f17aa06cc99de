import type {
  ChangeEvent,
  DecodeOptions,
  DeliveryOutcome,
  Match,
  EventRetention,
  NormalizedSubscription,
  Notification,
  OutputTopics,
  RetainedEvent,
  StoredVersion,
  SubscriptionStatusRecord,
  VersionedChange,
} from '../../processors/index.js';
import {
  decodeChangeRecord,
  EventLog,
  NotifyProcessor,
  outputTopicFor,
  payloadKind,
  pruneVersions,
  sourceRecordOf,
  subscriptionStoreKey,
  usesPrevious,
  versionsStep,
} from '../../processors/index.js';
import { codecs, ProcessingError } from '../../state/index.js';
import type { Processor, ProcessorContext, StreamRecord, Topology } from '../../topology/index.js';
import { partitionFor, TopologyBuilder } from '../../topology/index.js';
import type { Metrics } from '../observability/index.js';
import type { SubscriptionCatalog, SubscriptionRef } from './catalog.js';
import { subscriptionRef } from './catalog.js';
import { matchRecordCodec, storeValueCodec, versionValueCodec } from './record-codecs.js';

export const STORE_VERSIONS = 'resource-versions';
export const STORE_STATUS = 'subscription-status';
export const STORE_EVENTS = 'subscription-events';
export const TABLE_SUBSCRIPTIONS = 'subscriptions';
export const TABLE_TOPICS = 'subscription-topics';

export interface ProcessorTopologyOptions {
  topics: {
    changelog: string;
    changelogDlq: string;
    subscriptions: string;
    subscriptionTopics: string;
    outcomes: string;
    output: OutputTopics;
  };
  /** Partitions of the changelog: the repartition topics get as many (co-partitioning). */
  partitions: number;
  catalog: () => SubscriptionCatalog;
  decode: DecodeOptions;
  versionsRetentionMs: number;
  baseUrl: string;
  /** The last events kept per subscription for `$events`. */
  eventRetention?: EventRetention;
  /** The notify stage of each partition this instance runs, for `$events` reads of its stores. */
  notifyByPartition?: Map<number, NotifyProcessor>;
  metrics?: Metrics;
  now?: () => number;
}

/**
 * The FHIR pipeline as a list of named nodes (DESIGN.md section 1):
 *   changes → decode → (by-resource repartition when not keyed) → versions → match
 *     → matches repartition (by subscription) → notify (+ delivery outcomes) → notification topics
 */
export function buildProcessorTopology(o: ProcessorTopologyOptions): Topology {
  const now = o.now ?? Date.now;
  const handoff = new RecordHandoff();
  const b = new TopologyBuilder();
  b.globalTable(TABLE_SUBSCRIPTIONS, { topic: o.topics.subscriptions, value: codecs.json() });
  b.globalTable(TABLE_TOPICS, { topic: o.topics.subscriptionTopics, value: codecs.json() });
  b.store<StoredVersion>(STORE_VERSIONS, { value: versionValueCodec() });
  b.store<SubscriptionStatusRecord>(STORE_STATUS, { value: codecs.json() });
  b.store<RetainedEvent>(STORE_EVENTS, { value: storeValueCodec() });

  b.source<Buffer>('changes', {
    topic: o.topics.changelog,
    value: codecs.buffer,
    deadLetterTopic: o.topics.changelogDlq,
  });
  b.processor<Buffer | null, ChangeEvent>('decode', {
    parents: ['changes'],
    processor: () => decodeNode(o, handoff),
    deadLetterTopic: o.topics.changelogDlq,
  });
  b.repartition<ChangeEvent>('by-resource', {
    parent: 'decode',
    key: (r) => r.key,
    partitions: o.partitions,
  });
  b.processor<ChangeEvent, VersionedChange>('versions', {
    parents: ['decode', 'by-resource'],
    stores: [STORE_VERSIONS],
    processor: () => versionsNode(o, now, handoff),
    deadLetterTopic: o.topics.changelogDlq,
  });
  b.processor<VersionedChange, Match>('match', {
    parents: ['versions'],
    processor: matchNode(o),
    deadLetterTopic: o.topics.changelogDlq,
  });
  b.repartition<Match>('matches', {
    parent: 'match',
    key: (r) => r.key,
    value: matchRecordCodec(),
    partitions: o.partitions,
  });
  b.source<DeliveryOutcome>('outcomes', { topic: o.topics.outcomes, value: codecs.json() });
  b.processor<Match | DeliveryOutcome, Notification>('notify', {
    parents: ['matches', 'outcomes'],
    stores: [STORE_STATUS, STORE_EVENTS],
    processor: () => notifyNode(o, now),
  });
  b.sink<Notification>('notifications', {
    parents: ['notify'],
    topic: (r) => outputTopicFor(r.value, o.topics.output) ?? o.topics.output['rest-hook'],
    value: codecs.json(),
  });
  return b.build();
}

/**
 * The changelog record of the change the decode stage hands to the versions stage: that stage
 * runs within the decode stage's forward (up to its first await), so it takes the record at its
 * start. A change that came another way (through the by-resource topic) finds none and is
 * stored serialised, as is any change whose record is not the one handed over.
 */
class RecordHandoff {
  private change: ChangeEvent | undefined;
  private record: Buffer | undefined;

  set(change: ChangeEvent, record: Buffer): void {
    this.change = change;
    this.record = record;
  }

  take(change: ChangeEvent): Buffer | undefined {
    const record = change === this.change ? this.record : undefined;
    this.change = undefined;
    this.record = undefined;
    return record;
  }
}

function decodeNode(
  o: ProcessorTopologyOptions,
  handoff: RecordHandoff,
): Processor<Buffer | null, ChangeEvent> {
  return {
    async process(record, ctx) {
      const decoded = await decodeChangeRecord(
        {
          topic: ctx.topic ?? o.topics.changelog,
          partition: ctx.partition,
          ...(ctx.offset !== undefined ? { offset: ctx.offset } : {}),
          key: record.key,
          value: record.value,
          // Read only: the record's own headers, not a copy per change.
          headers: record.headers,
        },
        o.decode,
      );
      // The versions store keeps a canonical JSON record's bytes rather than its resource re-serialised.
      const source = sourceRecordOf(decoded, record.value);
      for (const d of decoded) {
        o.metrics?.changesDecoded.inc({ format: d.format });
        const out: StreamRecord<ChangeEvent> = {
          key: d.key,
          value: d.change,
          timestamp: record.timestamp,
          headers: {},
        };
        // A change already on the partition its key hashes to skips the repartition topic.
        const home = !d.repartition && partitionFor(Buffer.from(d.key), o.partitions) === ctx.partition;
        if (home && source !== undefined) handoff.set(d.change, source);
        await ctx.forward(out, home ? 'versions' : 'by-resource-sink');
      }
    },
  };
}

function versionsNode(
  o: ProcessorTopologyOptions,
  now: () => number,
  handoff: RecordHandoff,
): Processor<ChangeEvent, VersionedChange> {
  return {
    init(ctx) {
      const store = ctx.store<StoredVersion>(STORE_VERSIONS);
      ctx.schedule(60 * 60 * 1000, 'wall-clock', async () => {
        await pruneVersions(store, { now: new Date(now()), retentionMs: o.versionsRetentionMs });
      });
    },
    async process(record, ctx) {
      const source = handoff.take(record.value);
      if (record.key === null) throw new ProcessingError('a change reached the versions stage without a key');
      o.metrics?.changesConsumed.inc();
      const result = await versionsStep(record.key, record.value, ctx.store<StoredVersion>(STORE_VERSIONS), {
        now: () => new Date(now()),
        ...(ctx.offset !== undefined ? { changeOffset: `${ctx.topic}:${ctx.partition}:${ctx.offset}` } : {}),
        ...(source !== undefined ? { record: source } : {}),
      });
      if (result.kind === 'dropped') {
        o.metrics?.versionsDropped.inc({ reason: result.reason });
        return;
      }
      await ctx.forward({ ...record, value: result.value });
    },
  };
}

/**
 * Matching holds no state of its own: one change in, one record per matched subscription out, in
 * order. A plain processor rather than an RxJS pipeline: one is built per change otherwise.
 */
function matchNode(o: ProcessorTopologyOptions): () => Processor<VersionedChange, Match> {
  return () => ({
    async process(record, ctx) {
      const catalog = o.catalog();
      // The changelog record's time (carried through the repartition) for changes that do not say
      // when they happened: the same on every pass over the record.
      const matches = catalog.match(record.value, record.timestamp);
      if (matches.length === 0) return;
      o.metrics?.matches.inc(matches.length);
      for (const match of matches) {
        const key = subscriptionStoreKey(match.subscriptionId, match.tenant);
        await ctx.forward({ ...record, key, value: withoutUnusedPrevious(match, catalog.get(key)) });
      }
    },
  });
}

/**
 * The version before the change travels to the notify stage only when the subscription's payload
 * reads it (or there is no resource to fall back from): it is the larger half of a match record.
 * A subscription unknown here keeps it, in case it is known by the time the record is notified.
 */
export function withoutUnusedPrevious(match: Match, sub: NormalizedSubscription | undefined): Match {
  if (match.previous === undefined || match.resource === undefined || !sub) return match;
  if (usesPrevious(payloadKind(sub))) return match;
  const { previous: _unused, ...rest } = match;
  return rest;
}

/** Whether this task's partition owns a subscription (matches and outcomes are keyed by it). */
function owns(ctx: ProcessorContext<unknown>, key: string, partitions: number): boolean {
  return partitionFor(Buffer.from(key), partitions) === ctx.partition;
}

function notifyNode(
  o: ProcessorTopologyOptions,
  now: () => number,
): Processor<Match | DeliveryOutcome, Notification> {
  let notify: NotifyProcessor;
  let partition: number | undefined;
  const pending = new Map<string, SubscriptionRef>();
  let stopListening: (() => void) | undefined;

  const emit = async (ctx: ProcessorContext<Notification>, notifications: readonly Notification[]) => {
    for (const n of notifications) {
      o.metrics?.notifications.inc({ channel: n.channel.type, type: n.type });
      if (n.occurredAt)
        o.metrics?.endToEndLatency.observe(Math.max(0, now() - Date.parse(n.occurredAt)) / 1000);
      await ctx.forward({
        key: subscriptionStoreKey(n.subscriptionId, n.tenant),
        value: n,
        timestamp: now(),
        headers: {},
      });
    }
  };

  return {
    init(ctx) {
      const events = new EventLog(
        ctx.store<RetainedEvent>(STORE_EVENTS),
        o.eventRetention ?? { maxEvents: 100 },
      );
      notify = new NotifyProcessor({
        store: ctx.store<SubscriptionStatusRecord>(STORE_STATUS),
        now: () => new Date(now()),
        baseUrl: o.baseUrl,
        events,
      });
      o.notifyByPartition?.set(ctx.partition, notify);
      partition = ctx.partition;
      // The time bound of retention, a bounded sweep each minute.
      ctx.schedule(60_000, 'wall-clock', async (timestamp) => {
        await events.prune(new Date(timestamp));
      });
      const catalog = o.catalog();
      // Every subscription this task owns is looked at once (handshakes of new ones), then on change.
      for (const key of catalog.keys()) {
        const ref = subscriptionRef(key);
        if (ref && owns(ctx, key, o.partitions)) pending.set(key, ref);
      }
      stopListening = catalog.onSubscriptionChange((ref) => {
        if (owns(ctx, ref.key, o.partitions)) pending.set(ref.key, ref);
      });
      ctx.schedule(500, 'wall-clock', async () => {
        const refs = [...pending.values()];
        pending.clear();
        for (const ref of refs) {
          const sub = catalog.get(ref.key);
          if (sub && catalog.outcome(ref.key)?.status === 'compiled') {
            await emit(ctx, (await notify.subscriptionChanged(sub)).notifications);
          } else if (!sub) {
            await notify.subscriptionRemoved(ref.id, ref.tenant);
          }
        }
      });
      ctx.schedule(5000, 'wall-clock', async (timestamp) => {
        const results = await notify.punctuateStored(new Date(timestamp), (id, tenant) =>
          catalog.get(subscriptionStoreKey(id, tenant)),
        );
        for (const r of results) await emit(ctx, r.notifications);
      });
    },
    async process(record, ctx) {
      if (ctx.topic === o.topics.outcomes) {
        await notify.outcome(record.value as DeliveryOutcome);
        return;
      }
      const match = record.value as Match;
      const sub = o.catalog().get(subscriptionStoreKey(match.subscriptionId, match.tenant));
      if (!sub) return; // deleted since it matched
      await emit(ctx, await notify.process(match, sub));
    },
    close() {
      stopListening?.();
      if (partition !== undefined && o.notifyByPartition?.get(partition) === notify)
        o.notifyByPartition.delete(partition);
    },
  };
}
