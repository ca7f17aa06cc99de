/**
 * Fetch settings that follow the flow of records, for the group consumers of this transport.
 *
 * A fetch that asks for 1 byte is answered as soon as any record is there. Under a steady flow
 * that means a fetch round for every few records: at 5,000 changes/s a processor made about 400
 * rounds a second, each with its own fetch request and response, batch bookkeeping, produce
 * request and broker work, and the consumers at the next hops did the same. Asking for more bytes
 * (`fetchMinBytes`, at most `fetchMaxWaitMs` of waiting) makes the rounds fewer and larger. But an
 * idle consumer then sends a fetch every `fetchMaxWaitMs`, and the first record after a quiet
 * spell waits for it.
 *
 * So a consumer whose last fetch returned no records asks for 1 byte and lets the broker hold the
 * fetch for `idleWaitMs`: it sleeps in the broker while nothing comes and is answered at once when
 * something does. The fetch after one that returned records asks for `fetchMinBytes` again.
 *
 * kafkajs fixes a consumer's fetch settings when it creates it, so `ConsumerGroup.prototype.fetch`
 * is wrapped once per process (as the rejoin hook wraps `joinAndSync`); it reads the settings from
 * the instance at each fetch. Only groups registered here are changed; the busy settings are the
 * ones the consumer was created with.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type AheadFetch, fetchAhead } from './fetch-ahead.js';
import { KAFKAJS_SRC } from './kafkajs-src.js';

const require = createRequire(import.meta.url);
const CONSUMER_GROUP_MODULE = join(KAFKAJS_SRC, 'consumer/consumerGroup.js');

/** What the wrapper uses of a kafkajs ConsumerGroup. */
export interface FetchingGroup {
  groupId: string;
  minBytes: number;
  maxWaitTime: number;
}

/** What it uses of a fetched batch (kafkajs's Batch). */
export interface FetchedBatch {
  isEmptyIncludingFiltered(): boolean;
}

export type GroupFetch = (this: FetchingGroup, nodeId: number) => Promise<FetchedBatch[]>;

interface FlowState {
  minBytes: number;
  maxWaitTime: number;
  idle: boolean;
}

/**
 * Idle wait per registered group id, whether it fetches ahead (fetch-ahead.ts), and how many
 * consumers of this process registered it.
 */
const registered = new Map<string, { idleWaitMs: number; ahead: boolean; count: number }>();
const states = new WeakMap<FetchingGroup, FlowState>();

/**
 * `fetch` made to follow the flow (exported for tests; `followFlow` installs it). A fetch whose
 * batches hold no record, or that fetched nothing because every partition is paused, counts as
 * idle; with several brokers, the last fetch of any of them decides.
 */
export function adaptiveFetch(
  original: GroupFetch,
  idleWaitOf: (groupId: string) => number | undefined,
): GroupFetch {
  return async function fetch(this: FetchingGroup, nodeId: number): Promise<FetchedBatch[]> {
    const idleWaitMs = idleWaitOf(this.groupId);
    if (idleWaitMs === undefined) return original.call(this, nodeId);
    let state = states.get(this);
    if (state === undefined) {
      state = { minBytes: this.minBytes, maxWaitTime: this.maxWaitTime, idle: false };
      states.set(this, state);
    }
    this.minBytes = state.idle ? 1 : state.minBytes;
    this.maxWaitTime = state.idle ? idleWaitMs : state.maxWaitTime;
    const batches = await original.call(this, nodeId);
    state.idle = batches.every((batch) => batch.isEmptyIncludingFiltered());
    return batches;
  };
}

let installed = false;

function install(): void {
  if (installed) return;
  const ConsumerGroup = require(CONSUMER_GROUP_MODULE) as { prototype: { fetch: GroupFetch } };
  const adaptive = adaptiveFetch(
    ConsumerGroup.prototype.fetch,
    (groupId) => registered.get(groupId)?.idleWaitMs,
  );
  // Both wrap kafkajs's own ConsumerGroup.fetch, whose batches are kafkajs Batches.
  ConsumerGroup.prototype.fetch = fetchAhead(
    adaptive as unknown as AheadFetch,
    (groupId) => registered.get(groupId)?.ahead === true,
  ) as unknown as GroupFetch;
  installed = true;
}

/**
 * Makes the consumers of `groupId` in this process fetch as described above, with `idleWaitMs`
 * after a fetch that returned nothing, and, when `ahead`, fetch the next round ahead while
 * records are left behind (fetch-ahead.ts); returns the function that ends it (once per call).
 */
export function followFlow(groupId: string, idleWaitMs: number, ahead = false): () => void {
  install();
  const entry = registered.get(groupId);
  registered.set(groupId, { idleWaitMs, ahead, count: (entry?.count ?? 0) + 1 });
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    const current = registered.get(groupId);
    if (current === undefined) return;
    if (current.count <= 1) registered.delete(groupId);
    else registered.set(groupId, { ...current, count: current.count - 1 });
  };
}
