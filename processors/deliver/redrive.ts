/**
 * Redrive: move a subscription's dead letters back to the end of its parked queue, in event-number
 * order, with fresh attempts, due now. One atomic batch, so a crash leaves them either dead or queued.
 */
import { deadLetterPrefix, entryKey, entryPrefix, laneId, queueKey, seqOf } from './keys.js';
import type { DeliveryStore, DeliveryStoreValue, QueueState, StoredDeadLetter } from './types.js';
import type { KeyValueEntry } from '../../state/index.js';

export interface RequeueResult {
  count: number;
  /** The sequence number after the last re-queued entry (-1 when none was). */
  nextSeq: number;
}

/**
 * Re-queues the dead letters of one lane (keys.ts: the subscription's id, after its tenant when it
 * has one). `reserve(count)` is called once they are read, synchronously before
 * anything is written, and returns the first sequence number to use (the caller may be appending too).
 */
export async function requeueDeadLetters(
  store: DeliveryStore,
  lane: string,
  options: { now: number; reserve: (count: number) => number },
): Promise<RequeueResult> {
  const dead: [string, StoredDeadLetter][] = [];
  for await (const [key, value] of store.range({ prefix: deadLetterPrefix(lane) })) {
    if (value.kind === 'dead-letter') dead.push([key, value]);
  }
  const count = dead.length;
  if (count === 0) return { count, nextSeq: -1 };
  let seq = options.reserve(count);
  const batch: KeyValueEntry<string, DeliveryStoreValue>[] = [];
  for (const [key, letter] of dead) {
    batch.push({ key, value: null });
    batch.push({
      key: entryKey(lane, seq),
      value: { kind: 'entry', notification: letter.notification, parkedAt: options.now, ...offsetOf(letter) },
    });
    seq += 1;
  }
  const current = await store.get(queueKey(lane));
  const state: QueueState =
    current?.kind === 'queue'
      ? { ...current, nextAttemptAt: Math.min(current.nextAttemptAt, options.now) }
      : { kind: 'queue', headAttempts: 0, transportFailures: 0, nextAttemptAt: options.now };
  batch.push({ key: queueKey(lane), value: state });
  await store.putAll(batch);
  return { count, nextSeq: seq };
}

/**
 * Redrive for a store no running delivery stage holds (offline, before the stage starts on it):
 * numbering continues after the subscription's last parked entry.
 */
export async function redriveDeadLetters(
  store: DeliveryStore,
  subscriptionId: string,
  now: number,
  tenant?: string,
): Promise<number> {
  const lane = laneId(subscriptionId, tenant);
  const firstSeq = await nextEntrySeq(store, lane);
  const result = await requeueDeadLetters(store, lane, { now, reserve: () => firstSeq });
  return result.count;
}

export async function nextEntrySeq(store: DeliveryStore, lane: string): Promise<number> {
  for await (const [key] of store.range({ prefix: entryPrefix(lane), reverse: true, limit: 1 })) {
    return seqOf(key) + 1;
  }
  return 0;
}

function offsetOf(dead: StoredDeadLetter): { sourceOffset?: string } {
  return dead.sourceOffset === undefined ? {} : { sourceOffset: dead.sourceOffset };
}
