/**
 * The delivery stage: a stateful processor over one input partition of a notification topic.
 *
 * Each subscription is a lane. A live lane delivers its notifications in order, straight from
 * memory, while the lanes of other subscriptions run beside it (up to `maxConcurrency`). When a
 * delivery fails and may be retried, the lane is parked: the failing notification and every later
 * one of that subscription go to the changelogged store, which makes them safe, so the input
 * offset moves on and the other subscriptions of the partition are not held back. `punctuate`
 * retries due parked lanes, head first, with exponential back-off and jitter (or the Retry-After the
 * subscriber asked for); once a parked queue is empty the lane goes live again. A notification
 * that exhausts its attempts, or is refused for good, becomes a dead letter with its context.
 *
 * Lifecycle: `init` (rebuild parked lanes from the store) → `process` / `punctuate` /
 * `committableOffset` / `redrive` → `close`. A failing store or output stops the stage: the error
 * is thrown by the next call, and nothing unsafe is ever reported committable.
 */
import { ProcessingError, TransportError } from '../../state/index.js';
import type { DeliveryOutcome, DeliveryResult, Notification } from '../contracts.js';
import { backoffDelay } from './backoff.js';
import {
  deadLetterKey,
  ENTRY_PREFIX,
  entryKey,
  entryPrefix,
  laneId,
  QUEUE_PREFIX,
  queueKey,
  seqOf,
  subscriptionOfEntryKey,
  subscriptionOfQueueKey,
} from './keys.js';
import { OffsetTracker, type OffsetSlot } from './offset-tracker.js';
import { requeueDeadLetters } from './redrive.js';
import {
  defaultDeliveryOptions,
  type AttemptResult,
  type DeadLetter,
  type DeliveryDeps,
  type DeliveryOptions,
  type DeliveryRecord,
  type QueuedEntry,
  type QueueState,
} from './types.js';

type Attempt = AttemptResult | { kind: 'not-connected'; error: string };

interface Pending {
  notification: Notification;
  slot: OffsetSlot;
  /** Position in the subscription's queue, given on arrival, so parked entries keep arrival order. */
  seq: number;
}

interface Lane {
  readonly id: string;
  /** Live notifications not yet attempted, in order (empty while parked). */
  memory: Pending[];
  /** Set while a failed window settles before parking: no write may start meanwhile. */
  holding: boolean;
  /** Live writes issued and not yet answered, in order (at most the window). */
  inFlight: { item: Pending; result: Promise<Attempt> }[];
  running: boolean;
  parked: boolean;
  state: QueueState;
  /** Entries in the store, counting puts still in flight. */
  storedCount: number;
  nextSeq: number;
  /** Sequence numbers whose store writes are in flight: the queue is not read past them. */
  writing: Set<number>;
}

/** The last outcome a lane reported, when, and a repeated `delivered` one held back since (outcomeIntervalMs). */
interface ReportedOutcome {
  result: DeliveryResult;
  at: number;
  held?: DeliveryOutcome;
}

export interface DeliveryStats {
  pendingRecords: number;
  parkedSubscriptions: number;
  inFlight: number;
}

const freshState = (nextAttemptAt: number): QueueState => ({
  kind: 'queue',
  headAttempts: 0,
  transportFailures: 0,
  nextAttemptAt,
});

export class DeliveryProcessor {
  private readonly options: DeliveryOptions;
  private readonly random: () => number;
  /** Writes of one live lane in flight at once. */
  private readonly window: number;
  private readonly lanes = new Map<string, Lane>();
  private readonly offsets = new OffsetTracker();
  /** By lane id; lanes that reported nothing for `outcomeIntervalMs` are dropped by `punctuate`. */
  private readonly reported = new Map<string, ReportedOutcome>();
  private readonly active = new Set<Promise<void>>();
  private capacityWaiters: (() => void)[] = [];
  private slotWaiters: (() => void)[] = [];
  private inFlight = 0;
  /** At least the longest live backlog (backlogs grow only in `process`): spares scanning the lanes. */
  private backlogHint = 0;
  private failure: unknown = undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly deps: DeliveryDeps,
    options: Partial<DeliveryOptions> = {},
  ) {
    this.options = { ...defaultDeliveryOptions, ...options };
    this.random = deps.random ?? Math.random;
    this.window = Math.max(1, Math.min(this.options.laneWindow, deps.sink.orderedWindow ?? 1));
  }

  /**
   * Rebuilds the parked lanes from the store (after a restart or a rebalance restored it). Any
   * subscription with parked entries is parked, with or without its queue state, so no entry is
   * ever left behind.
   */
  async init(): Promise<void> {
    for await (const [key, value] of this.deps.store.range({ prefix: QUEUE_PREFIX })) {
      if (value.kind !== 'queue') continue;
      const id = subscriptionOfQueueKey(key);
      this.lanes.set(id, { ...this.newLane(id), parked: true, state: value });
    }
    for await (const [key, value] of this.deps.store.range({ prefix: ENTRY_PREFIX })) {
      if (value.kind !== 'entry') continue;
      const id = subscriptionOfEntryKey(key);
      let lane = this.lanes.get(id);
      if (lane === undefined) {
        lane = { ...this.newLane(id), parked: true };
        this.lanes.set(id, lane);
      }
      lane.storedCount += 1;
      lane.nextSeq = seqOf(key) + 1;
    }
    this.reportParked();
  }

  /** Accepts one record; resolves once it is accepted (waits while too many records are pending). */
  async process(record: DeliveryRecord): Promise<void> {
    this.throwIfUnusable();
    while (this.offsets.pending() >= this.options.maxPendingRecords) {
      // Memory is full: park a slow subscriber's backlog rather than stall the partition behind it.
      this.spillLongestBacklog();
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
      this.throwIfUnusable();
    }
    const lane = this.laneFor(laneId(record.notification.subscriptionId, record.notification.tenant));
    const item = {
      notification: record.notification,
      slot: this.offsets.track(record.offset),
      seq: lane.nextSeq++,
    };
    if (lane.parked) {
      this.spawn(this.append(lane, item));
      return;
    }
    lane.memory.push(item);
    if (lane.memory.length > this.backlogHint) this.backlogHint = lane.memory.length;
    if (!lane.running) this.spawn(this.runLive(lane));
    else this.fill(lane);
  }

  /**
   * Starts the retry of every parked queue that is due at `now` (does not wait for the deliveries),
   * and reports the outcomes held back for `outcomeIntervalMs`.
   */
  async punctuate(now: number): Promise<void> {
    this.throwIfUnusable();
    await this.reportHeld(now, false);
    for (const lane of this.lanes.values()) {
      if (lane.parked && !lane.running && lane.state.nextAttemptAt <= now) this.spawn(this.drainParked(lane));
    }
  }

  /** The offset to commit on the input partition (next to read), or undefined when none is safe yet. */
  committableOffset(): string | undefined {
    return this.offsets.committable();
  }

  /** Moves a subscription's dead letters back to its parked queue; returns how many. */
  async redrive(subscriptionId: string, tenant?: string): Promise<number> {
    this.throwIfUnusable();
    const lane = this.laneFor(laneId(subscriptionId, tenant));
    const now = this.deps.clock.now();
    let reserved: [number, number] = [0, 0];
    const requeued = requeueDeadLetters(this.deps.store, lane.id, {
      now,
      reserve: (n) => {
        const first = lane.nextSeq;
        lane.nextSeq += n;
        lane.storedCount += n;
        for (let seq = first; seq < first + n; seq++) lane.writing.add(seq);
        reserved = [first, first + n];
        if (!lane.parked) {
          lane.parked = true;
          lane.state = freshState(now);
          // Live notifications not yet attempted are parked too, keeping their place before the redriven ones.
          for (const item of lane.memory.splice(0)) this.spawn(this.append(lane, item));
        }
        return first;
      },
    });
    const { count } = await requeued.catch((err: unknown) => {
      this.failure ??= err; // the lane's bookkeeping no longer matches the store
      throw err;
    });
    for (let seq = reserved[0]; seq < reserved[1]; seq++) lane.writing.delete(seq);
    if (count > 0) {
      lane.state.nextAttemptAt = Math.min(lane.state.nextAttemptAt, now);
      this.reportParked();
    } else {
      this.releaseIfIdle(lane);
    }
    return count;
  }

  stats(): DeliveryStats {
    let parked = 0;
    for (const lane of this.lanes.values()) if (lane.parked) parked += 1;
    return { pendingRecords: this.offsets.pending(), parkedSubscriptions: parked, inFlight: this.inFlight };
  }

  /**
   * Stops starting deliveries and waits for those in flight. Records not yet safe stay uncommitted
   * and are read again by whoever takes the partition. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      // Slot waiters are not woken: each is handed a slot as writes finish and, closing, gives it on untried.
      for (const resolve of this.capacityWaiters.splice(0)) resolve();
      while (this.active.size > 0) await Promise.allSettled([...this.active]);
      if (this.failure === undefined) await this.reportHeld(this.deps.clock.now(), true);
    })();
    return this.closing;
  }

  private get stopped(): boolean {
    return this.closing !== undefined || this.failure !== undefined;
  }

  private throwIfUnusable(): void {
    if (this.failure !== undefined) {
      throw new ProcessingError('delivery stage failed', { cause: this.failure, retriable: true });
    }
    if (this.closing !== undefined) throw new ProcessingError('delivery stage is closed');
  }

  private laneFor(id: string): Lane {
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = this.newLane(id);
      this.lanes.set(id, lane);
    }
    return lane;
  }

  private newLane(id: string): Lane {
    return {
      id,
      memory: [],
      inFlight: [],
      holding: false,
      running: false,
      parked: false,
      state: freshState(0),
      storedCount: 0,
      nextSeq: 0,
      writing: new Set(),
    };
  }

  private releaseIfIdle(lane: Lane): void {
    if (!lane.running && !lane.parked && lane.memory.length === 0 && lane.inFlight.length === 0)
      this.lanes.delete(lane.id);
  }

  private spawn(work: Promise<void>): void {
    const tracked = work.catch((err: unknown) => {
      this.failure ??= err;
      for (const resolve of this.capacityWaiters.splice(0)) resolve();
    });
    this.active.add(tracked);
    void tracked.finally(() => this.active.delete(tracked));
  }

  private markSafe(slots: readonly OffsetSlot[]): void {
    for (const slot of slots) this.offsets.markSafe(slot);
    if (this.offsets.pending() < this.options.maxPendingRecords) {
      for (const resolve of this.capacityWaiters.splice(0)) resolve();
    }
  }

  /**
   * Delivers the live lane's notifications in order until it is empty or parked. Up to `window`
   * writes are in flight at once (the sink keeps writes issued together in order); their answers
   * are taken in order. When one fails, it and everything after it, in flight or not, are parked
   * in order and re-sent from there: the subscriber may see later ones twice, never out of order
   * the first time.
   */
  private async runLive(lane: Lane): Promise<void> {
    lane.running = true;
    const inFlight = lane.inFlight;
    try {
      // Writes in flight are always seen through, even when the lane is parked meanwhile (its backlog
      // spilled): they come before anything parked, and the queue is not drained until this returns.
      while (inFlight.length > 0 || (!lane.parked && !this.stopped && lane.memory.length > 0)) {
        this.fill(lane);
        // The head stays in the window until answered, so the window never runs over.
        const result = await inFlight[0]!.result;
        const { item } = inFlight.shift()!;
        const now = this.deps.clock.now();
        if (result.kind === 'delivered') {
          await this.emitOutcome(item.notification, 'delivered', 1, result);
          this.markSafe([item.slot]);
          continue;
        }
        if (result.kind === 'permanent' || this.givesUp(item.notification, result, 1, now, now)) {
          await this.deadLetter(lane, item.notification, {
            attempts: 1,
            result,
            sourceOffset: item.slot.offset,
          });
          this.markSafe([item.slot]);
          continue;
        }
        // The later writes are re-sent after this one: let them finish first so no old copy trails a new one.
        const later = inFlight.splice(0);
        if (later.length > 0) {
          lane.holding = true; // no new write may start before the parking
          await Promise.allSettled(later.map((w) => w.result));
          lane.holding = false;
        }
        const state = this.failedState(lane.parked ? lane.state : freshState(now), result, now);
        const items = [item, ...later.map((w) => w.item), ...lane.memory.splice(0)];
        const slots = await this.park(lane, items, state);
        if (result.kind === 'retriable') await this.emitOutcome(item.notification, 'failed', 1, result);
        this.markSafe(slots);
      }
    } finally {
      lane.running = false;
    }
    if (lane.parked && lane.state.nextAttemptAt <= this.deps.clock.now()) this.spawn(this.drainParked(lane));
    else this.releaseIfIdle(lane);
  }

  /** Starts the live lane's next writes while its window has room. */
  private fill(lane: Lane): void {
    while (
      !lane.parked &&
      !lane.holding &&
      !this.stopped &&
      lane.inFlight.length < this.window &&
      lane.memory.length > 0
    ) {
      const item = lane.memory.shift()!;
      lane.inFlight.push({ item, result: this.attempt(item.notification) });
    }
  }

  /** Moves notifications into the lane's durable queue (after anything already there). */
  private async park(lane: Lane, items: Pending[], state: QueueState): Promise<OffsetSlot[]> {
    const wasParked = lane.parked;
    lane.parked = true;
    lane.state = state;
    const now = this.deps.clock.now();
    const batch = items.map((item) => ({ key: entryKey(lane.id, item.seq), value: this.entryOf(item, now) }));
    lane.storedCount += items.length;
    for (const item of items) lane.writing.add(item.seq);
    if (!wasParked) this.reportParked();
    await this.deps.store.putAll([...batch, { key: queueKey(lane.id), value: state }]);
    for (const item of items) lane.writing.delete(item.seq);
    return items.map((item) => item.slot);
  }

  /**
   * Parks the longest live backlog when it holds a tenth of the pending records or more: that is
   * one subscriber holding the others back. When every backlog is short the stage is simply busy,
   * and `process` waits (the input topic is the buffer then, not the store).
   */
  private spillLongestBacklog(): void {
    const threshold = Math.max(1, Math.floor(this.options.maxPendingRecords / 10));
    if (this.backlogHint < threshold) return;
    let longest: Lane | undefined;
    for (const lane of this.lanes.values()) {
      if (!lane.parked && lane.memory.length > (longest?.memory.length ?? 0)) longest = lane;
    }
    this.backlogHint = longest?.memory.length ?? 0;
    if (longest !== undefined && longest.memory.length >= threshold) this.spawn(this.spill(longest));
  }

  /** Parks a live lane's backlog (not the delivery in flight), due now, counting no attempt. */
  private async spill(lane: Lane): Promise<void> {
    const slots = await this.park(lane, lane.memory.splice(0), freshState(this.deps.clock.now()));
    this.markSafe(slots);
  }

  private async append(lane: Lane, item: Pending): Promise<void> {
    lane.storedCount += 1;
    lane.writing.add(item.seq);
    await this.deps.store.put(entryKey(lane.id, item.seq), this.entryOf(item, this.deps.clock.now()));
    lane.writing.delete(item.seq);
    this.markSafe([item.slot]);
  }

  private entryOf(item: Pending, now: number): QueuedEntry {
    return { kind: 'entry', notification: item.notification, sourceOffset: item.slot.offset, parkedAt: now };
  }

  /** Retries a parked queue from its head, in order, until a failure or until it is empty. */
  private async drainParked(lane: Lane): Promise<void> {
    lane.running = true;
    try {
      while (!this.stopped) {
        const head = await this.firstEntry(lane.id);
        if (head === undefined) {
          if (lane.storedCount === 0) await this.unpark(lane);
          else lane.state.nextAttemptAt = this.deps.clock.now(); // a put is still in flight: next punctuation
          break;
        }
        const [key, entry] = head;
        if (this.writingBefore(lane, seqOf(key))) {
          lane.state.nextAttemptAt = this.deps.clock.now(); // an earlier entry is still being written
          break;
        }
        if (!(await this.retryHead(lane, key, entry))) break;
      }
    } finally {
      lane.running = false;
    }
    // Records that came once the queue was empty went live (and may be in flight already).
    if (!lane.parked && (lane.memory.length > 0 || lane.inFlight.length > 0)) this.spawn(this.runLive(lane));
    else this.releaseIfIdle(lane);
  }

  /** One attempt at the head of a parked queue; true when the queue may go on to the next entry. */
  private async retryHead(lane: Lane, key: string, entry: QueuedEntry): Promise<boolean> {
    const notification = entry.notification;
    const result = await this.attempt(notification);
    const now = this.deps.clock.now();
    const counted = result.kind !== 'deferred' && result.kind !== 'not-connected';
    const attempts = lane.state.headAttempts + (counted ? 1 : 0);
    if (result.kind === 'delivered') {
      lane.state = freshState(now);
      await this.deps.store.putAll([
        { key, value: null },
        { key: queueKey(lane.id), value: lane.state },
      ]);
      lane.storedCount -= 1;
      await this.emitOutcome(notification, 'delivered', attempts, result);
      return true;
    }
    const heldSince = Math.min(entry.parkedAt, lane.state.firstFailedAt ?? entry.parkedAt);
    if (result.kind !== 'permanent' && !this.givesUp(notification, result, attempts, heldSince, now)) {
      lane.state = this.failedState(lane.state, result, now);
      await this.deps.store.put(queueKey(lane.id), lane.state);
      if (result.kind === 'retriable') await this.emitOutcome(notification, 'failed', attempts, result);
      return false;
    }
    const firstFailedAt = lane.state.firstFailedAt;
    const lastError = lane.state.lastError;
    lane.state = freshState(now);
    await this.deadLetter(lane, notification, {
      attempts,
      // A deferral says only that the breaker is open: the subscriber's own last error says more.
      result:
        result.kind === 'deferred' && lastError !== undefined ? { ...result, error: lastError } : result,
      removeKey: key,
      ...(entry.sourceOffset === undefined ? {} : { sourceOffset: entry.sourceOffset }),
      ...(firstFailedAt === undefined ? {} : { firstFailedAt }),
    });
    lane.storedCount -= 1;
    return true;
  }

  private writingBefore(lane: Lane, seq: number): boolean {
    for (const pending of lane.writing) if (pending < seq) return true;
    return false;
  }

  private async unpark(lane: Lane): Promise<void> {
    lane.parked = false;
    lane.state = freshState(0);
    this.reportParked();
    await this.deps.store.delete(queueKey(lane.id));
  }

  private async firstEntry(lane: string): Promise<[string, QueuedEntry] | undefined> {
    for await (const [key, value] of this.deps.store.range({
      prefix: entryPrefix(lane),
      limit: 1,
    })) {
      if (value.kind === 'entry') return [key, value];
    }
    return undefined;
  }

  /**
   * Whether a failed head is given up on: its attempts are used up (the subscription's max-attempts,
   * or the stage's default when one is set), or it has been held back longer than the time budget.
   * Our own transport being down never gives up; a deferral (circuit open) counts time, not attempts.
   */
  private givesUp(
    notification: Notification,
    result: Attempt & { kind: 'retriable' | 'deferred' | 'not-connected' },
    attempts: number,
    heldSince: number,
    now: number,
  ): boolean {
    if (result.kind === 'not-connected') return false;
    const cap = notification.maxAttempts ?? this.options.defaultMaxAttempts;
    if (result.kind === 'retriable' && cap !== undefined && attempts >= Math.max(1, cap)) return true;
    return now - heldSince >= this.options.maxRetryDurationMs;
  }

  /** The queue state after a failed (or deferred) attempt of its head. */
  private failedState(
    previous: QueueState,
    result: Attempt & { kind: 'retriable' | 'deferred' | 'not-connected' },
    now: number,
  ): QueueState {
    if (result.kind === 'deferred') {
      const delay =
        result.retryAfterMs !== undefined
          ? Math.min(result.retryAfterMs, this.options.backoff.maxMs)
          : backoffDelay(1, this.options.backoff, this.random);
      return {
        ...previous,
        nextAttemptAt: now + delay,
        firstFailedAt: previous.firstFailedAt ?? now,
        lastError: previous.lastError ?? result.error,
      };
    }
    if (result.kind === 'not-connected') {
      const transportFailures = previous.transportFailures + 1;
      const delay = backoffDelay(transportFailures, this.options.transportBackoff, this.random);
      return { ...previous, transportFailures, nextAttemptAt: now + delay, lastError: result.error };
    }
    const headAttempts = previous.headAttempts + 1;
    const delay =
      result.retryAfterMs !== undefined
        ? Math.min(result.retryAfterMs, this.options.maxRetryAfterMs)
        : backoffDelay(headAttempts, this.options.backoff, this.random);
    const state: QueueState = {
      kind: 'queue',
      headAttempts,
      transportFailures: 0,
      nextAttemptAt: now + delay,
      firstFailedAt: previous.firstFailedAt ?? now,
      lastError: result.error,
    };
    if (result.statusCode !== undefined) state.lastStatusCode = result.statusCode;
    return state;
  }

  private async attempt(notification: Notification): Promise<Attempt> {
    const waiting = this.acquireSlot();
    if (waiting !== undefined) await waiting;
    let result: Attempt;
    try {
      result = this.stopped
        ? { kind: 'not-connected', error: 'delivery stage closing' } // not tried; safe in the store
        : await this.deps.sink.write(notification);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      result =
        err instanceof TransportError && err.retriable
          ? { kind: 'not-connected', error }
          : { kind: 'retriable', error };
    } finally {
      this.releaseSlot();
    }
    this.deps.metrics?.attempt(result.kind);
    if (result.kind === 'delivered' && notification.occurredAt !== undefined) {
      const occurred = Date.parse(notification.occurredAt);
      if (!Number.isNaN(occurred))
        this.deps.metrics?.latency(Math.max(0, this.deps.clock.now() - occurred) / 1000);
    }
    return result;
  }

  /**
   * Takes a delivery slot, or returns a promise that resolves when one is handed over. Slots go to
   * waiters strictly first come, first served, so a lane's writes reach the sink in its order.
   */
  private acquireSlot(): Promise<void> | undefined {
    if (this.inFlight < this.options.maxConcurrency && this.slotWaiters.length === 0) {
      this.inFlight += 1;
      return undefined;
    }
    return new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  /** Hands the slot to the first waiter, or frees it. */
  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next !== undefined) next();
    else this.inFlight -= 1;
  }

  private async deadLetter(
    lane: Lane,
    notification: Notification,
    context: {
      attempts: number;
      result: Attempt & { error: string };
      sourceOffset?: string;
      firstFailedAt?: number;
      removeKey?: string;
    },
  ): Promise<void> {
    const letter: DeadLetter = {
      notification,
      sink: this.deps.sink.name,
      attempts: context.attempts,
      error: context.result.error,
      deadLetteredAt: new Date(this.deps.clock.now()).toISOString(),
    };
    if ('statusCode' in context.result && context.result.statusCode !== undefined) {
      letter.statusCode = context.result.statusCode;
    }
    if (context.firstFailedAt !== undefined)
      letter.firstFailedAt = new Date(context.firstFailedAt).toISOString();
    if (context.sourceOffset !== undefined) letter.sourceOffset = context.sourceOffset;
    const key = deadLetterKey(lane.id, notification.eventNumber, notification.notificationId);
    const batch = [{ key, value: { kind: 'dead-letter' as const, ...letter } }];
    if (context.removeKey !== undefined) {
      await this.deps.store.putAll([
        { key: context.removeKey, value: null },
        ...batch,
        { key: queueKey(lane.id), value: lane.state },
      ]);
    } else {
      await this.deps.store.putAll(batch);
    }
    await this.deps.emitDeadLetter(letter);
    await this.emitOutcome(notification, 'dead-lettered', context.attempts, context.result);
  }

  private async emitOutcome(
    notification: Notification,
    result: DeliveryResult,
    attempts: number,
    attempt: Attempt,
  ): Promise<void> {
    const outcome: DeliveryOutcome = {
      subscriptionId: notification.subscriptionId,
      // The status record is keyed by tenant and subscription: without it a tenant's outcome misses it.
      ...(notification.tenant !== undefined ? { tenant: notification.tenant } : {}),
      notificationId: notification.notificationId,
      eventNumber: notification.eventNumber,
      result,
      attempts,
      at: new Date(this.deps.clock.now()).toISOString(),
    };
    if ('error' in attempt) outcome.error = attempt.error;
    if ('statusCode' in attempt && attempt.statusCode !== undefined) outcome.statusCode = attempt.statusCode;
    this.deps.metrics?.outcome(result);
    await this.report(laneId(notification.subscriptionId, notification.tenant), notification.type, outcome);
  }

  /** Emits an outcome, or holds it back when it only repeats a success (`outcomeIntervalMs`). */
  private async report(lane: string, type: Notification['type'], outcome: DeliveryOutcome): Promise<void> {
    const interval = this.options.outcomeIntervalMs;
    const now = this.deps.clock.now();
    const last = this.reported.get(lane);
    if (
      last !== undefined &&
      outcome.result === 'delivered' &&
      last.result === 'delivered' &&
      type === 'event-notification' &&
      now - last.at < interval
    ) {
      last.held = outcome;
      return;
    }
    // The state is replaced before the emits wait, so a held outcome is emitted once.
    const held = last?.held;
    if (interval > 0) this.reported.set(lane, { result: outcome.result, at: now });
    if (held !== undefined) await this.deps.emitOutcome(held);
    await this.deps.emitOutcome(outcome);
  }

  /** Emits the held outcomes whose interval has passed at `now` (every one: `all`), and forgets quiet lanes. */
  private async reportHeld(now: number, all: boolean): Promise<void> {
    for (const [lane, last] of this.reported) {
      if (!all && now - last.at < this.options.outcomeIntervalMs) continue;
      const held = last.held;
      if (held === undefined) {
        this.reported.delete(lane);
        continue;
      }
      this.reported.set(lane, { result: held.result, at: now });
      await this.deps.emitOutcome(held);
    }
  }

  private reportParked(): void {
    this.deps.metrics?.parkedSubscriptions(this.stats().parkedSubscriptions);
  }
}
