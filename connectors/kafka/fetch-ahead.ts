/**
 * Fetching the next round while this one is processed, for the group consumers of this transport.
 *
 * kafkajs fetches from a broker, hands the batches to its workers and fetches again only once
 * every batch is done, so a consumer waits out each fetch: the broker reading its log, the response
 * crossing the socket, the wait for `minBytes`. A processor draining a backlog was idle for 20% of
 * its time that way (bench/results/e2e-drain.md). Here, when a fetch leaves records behind (a
 * partition's high watermark is past what it returned), the next one is sent at once from the
 * positions the consumer will have once those records are processed; when kafkajs asks for the
 * next round, that fetch is (usually) already answered. A consumer that keeps up gets everything
 * there is in each fetch and fetches as before: fetching ahead of it would only add rounds of a
 * few records each (7% more CPU at 1,000 changes/s when every fetch with records went ahead).
 *
 * A batch fetched ahead is handed out only when it starts exactly at the partition's position
 * then (`offsetManager.nextOffset`), the partition is still assigned, active and not paused, and
 * no seek waits for it. Anything else (a batch cut short by a rebalance, a seek, a pause) is
 * dropped and fetched again from the consumer's position by the next fetch, so nothing is skipped
 * or handed out twice: the log at an offset never changes. A fetch ahead that fails is dropped the
 * same way; the regular fetch that follows meets the same error and recovers from it as kafkajs
 * does (its refresh, rejoin or reset).
 *
 * Installed on `ConsumerGroup.prototype.fetch` next to the adaptive fetch (adaptive-fetch.ts),
 * for the groups registered with `fetchAhead`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { KAFKAJS_SRC } from './kafkajs-src.js';

const require = createRequire(import.meta.url);
const BATCH_MODULE = join(KAFKAJS_SRC, 'consumer/batch.js');

interface OffsetLike {
  toString(): string;
}

interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** A kafkajs Batch, as far as it is used here. */
export interface AheadBatch {
  topic: string;
  partition: number;
  fetchedOffset: string;
  highWatermark: string;
  messages: { offset: string }[];
  isEmpty(): boolean;
  isEmptyIncludingFiltered(): boolean;
  isEmptyDueToFiltering(): boolean;
  lastOffset(): string;
}

interface PartitionRequest {
  partition: number;
  fetchOffset: string;
  maxBytes: number;
}

interface FetchResponse {
  responses: { topicName: string; partitions: { partition: number }[] }[];
}

/** What is used of a kafkajs ConsumerGroup (its fields and the steps of its own `fetch`). */
export interface AheadGroup {
  groupId: string;
  minBytes: number;
  maxWaitTime: number;
  maxBytes: number;
  maxBytesPerPartition: number;
  isolationLevel: number;
  rackId?: string;
  cluster: {
    refreshMetadataIfNecessary(): Promise<void>;
    findBroker(o: { nodeId: number }): Promise<{
      fetch(request: {
        maxWaitTime: number;
        minBytes: number;
        maxBytes: number;
        isolationLevel: number;
        topics: { topic: string; partitions: PartitionRequest[] }[];
        rackId?: string;
      }): Promise<FetchResponse>;
    }>;
  };
  subscriptionState: {
    assigned(): TopicPartitions[];
    active(): TopicPartitions[];
    isPaused(topic: string, partition: number): boolean;
  };
  offsetManager: {
    nextOffset(topic: string, partition: number): OffsetLike;
    committedOffsets(): Record<string, Record<number, OffsetLike | null | undefined> | undefined>;
  };
  seekOffset: { size: number; has(topic: string, partition: number): boolean };
  checkForStaleAssignment(): void;
  recoverFromFetch(error: unknown): Promise<void>;
  filterPartitionsByNode(nodeId: number, topicPartitions: TopicPartitions[]): TopicPartitions[];
}

export type AheadFetch = (this: AheadGroup, nodeId: number) => Promise<AheadBatch[]>;

type BatchClass = new (
  topic: string,
  fetchedOffset: string,
  partitionData: { partition: number },
) => AheadBatch;

const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Where a partition's position will be once its batch is processed: after the last record handed
 * out (the runtime resolves each batch to its end), after records all filtered out (kafkajs
 * resolves those itself), or where it was when the batch held nothing.
 */
export function positionAfter(batch: AheadBatch): string {
  const last = batch.messages[batch.messages.length - 1];
  if (last !== undefined) return (BigInt(last.offset) + 1n).toString();
  if (batch.isEmptyDueToFiltering()) return (BigInt(batch.lastOffset()) + 1n).toString();
  return String(batch.fetchedOffset);
}

/** The keys of the partitions listed. */
function partitionKeys(list: readonly TopicPartitions[]): Set<string> {
  const out = new Set<string>();
  for (const { topic, partitions } of list) for (const p of partitions) out.add(key(topic, p));
  return out;
}

/** Whether a batch fetched ahead may be handed out now (see the module comment). */
function current(group: AheadGroup, batch: AheadBatch, assigned: ReadonlySet<string>): boolean {
  const { topic, partition } = batch;
  if (!assigned.has(key(topic, partition))) return false;
  if (group.seekOffset.has(topic, partition) || group.subscriptionState.isPaused(topic, partition))
    return false;
  return group.offsetManager.nextOffset(topic, partition).toString() === String(batch.fetchedOffset);
}

/** The fetch kafkajs would send, from `positions` where given: its own `fetch` without the recovery. */
async function fetchFrom(
  group: AheadGroup,
  nodeId: number,
  positions: ReadonlyMap<string, string>,
  Batch: BatchClass,
): Promise<AheadBatch[]> {
  const committed = group.offsetManager.committedOffsets();
  const active = partitionKeys(group.subscriptionState.active());
  const topics = group
    .filterPartitionsByNode(nodeId, group.subscriptionState.assigned())
    .map(({ topic, partitions }) => ({
      topic,
      partitions: partitions
        .filter(
          (p) =>
            committed[topic]?.[p] != null &&
            active.has(key(topic, p)) &&
            !group.seekOffset.has(topic, p) &&
            !group.subscriptionState.isPaused(topic, p),
        )
        .map((p) => ({
          partition: p,
          fetchOffset: positions.get(key(topic, p)) ?? group.offsetManager.nextOffset(topic, p).toString(),
          maxBytes: group.maxBytesPerPartition,
        })),
    }))
    .filter(({ partitions }) => partitions.length > 0);
  if (topics.length === 0) return [];
  const broker = await group.cluster.findBroker({ nodeId });
  const { responses } = await broker.fetch({
    maxWaitTime: group.maxWaitTime,
    minBytes: group.minBytes,
    maxBytes: group.maxBytes,
    isolationLevel: group.isolationLevel,
    topics,
    ...(group.rackId !== undefined ? { rackId: group.rackId } : {}),
  });
  return responses.flatMap(({ topicName, partitions }) => {
    const requested = topics.find((t) => t.topic === topicName);
    return partitions.flatMap((data) => {
      const asked = requested?.partitions.find((p) => p.partition === data.partition);
      return asked === undefined ? [] : [new Batch(topicName, asked.fetchOffset, data)];
    });
  });
}

/** What fetches ahead did in this process (read by tests). */
export interface FetchAheadStats {
  /** Fetches sent ahead. */
  sent: number;
  /** Rounds answered by a fetch ahead. */
  used: number;
  /** Batches dropped because they no longer started at their partition's position. */
  dropped: number;
  /** Fetches ahead that failed (the regular fetch that followed met the error again). */
  failed: number;
}

export const fetchAheadStats: FetchAheadStats = { sent: 0, used: 0, dropped: 0, failed: 0 };

/**
 * `fetch` that fetches the next round ahead for the groups `enabled` says (exported for tests;
 * adaptive-fetch.ts installs it).
 */
export function fetchAhead(inner: AheadFetch, enabled: (groupId: string) => boolean): AheadFetch {
  const ahead = new WeakMap<AheadGroup, Map<number, Promise<AheadBatch[] | undefined>>>();
  let Batch: BatchClass | undefined;
  return async function fetch(this: AheadGroup, nodeId: number): Promise<AheadBatch[]> {
    if (!enabled(this.groupId)) return inner.call(this, nodeId);
    let byNode = ahead.get(this);
    if (byNode === undefined) {
      byNode = new Map();
      ahead.set(this, byNode);
    }
    const pending = byNode.get(nodeId);
    byNode.delete(nodeId);
    let batches: AheadBatch[] | undefined;
    // A seek waiting is applied by the regular fetch (kafkajs's seekOffsets), so it goes first.
    if (pending !== undefined && this.seekOffset.size === 0) {
      const fetched = await pending;
      if (fetched !== undefined) {
        // The steps kafkajs's fetch takes before its request: a topic that grew, or metadata that
        // expired, is dealt with as there.
        try {
          await this.cluster.refreshMetadataIfNecessary();
          this.checkForStaleAssignment();
        } catch (error) {
          await this.recoverFromFetch(error);
          return [];
        }
        const assigned = partitionKeys(this.subscriptionState.assigned());
        const kept = fetched.filter((batch) => current(this, batch, assigned));
        fetchAheadStats.dropped += fetched.length - kept.length;
        if (kept.length === fetched.length || kept.some((batch) => !batch.isEmptyIncludingFiltered())) {
          batches = kept;
          fetchAheadStats.used += 1;
        }
      }
    }
    batches ??= await inner.call(this, nodeId);
    // Ahead only while records are left behind (module comment).
    const positions = new Map<string, string>();
    let behind = false;
    for (const batch of batches) {
      const after = positionAfter(batch);
      positions.set(key(batch.topic, batch.partition), after);
      // A batch without records never counts: under read_committed a partition waits at an open
      // transaction with its high watermark ahead, and fetching ahead there would only spin.
      if (!batch.isEmptyIncludingFiltered() && BigInt(batch.highWatermark) > BigInt(after)) behind = true;
    }
    if (behind) {
      Batch ??= require(BATCH_MODULE) as BatchClass;
      fetchAheadStats.sent += 1;
      byNode.set(
        nodeId,
        fetchFrom(this, nodeId, positions, Batch).catch(() => {
          // Dropped: the regular fetch in its place meets the error and recovers (module comment).
          fetchAheadStats.failed += 1;
          return undefined;
        }),
      );
    }
    return batches;
  };
}
