/**
 * Drives a change generator into an emitter at a set rate: batches of changes are paced by a token
 * bucket, stamped with their send time, and sent on a few lanes at once. A change's lane is chosen
 * by its key and each lane sends one batch at a time, so the versions of one resource reach the
 * changelog in order while the lanes overlap their round trips.
 */
import { hashSeed } from './resources.js';
import { stampSendTime, type ChangeGenerator, type GeneratedChange } from './changes.js';
import type { ChangeEmitter } from './emitter.js';
import { systemClock, tokenBucket, type Clock } from './token-bucket.js';

export interface LoadDriverOptions {
  generator: ChangeGenerator;
  emitter: ChangeEmitter;
  ratePerSecond: number;
  /** Stop after this long... */
  durationMs?: number;
  /** ...or after this many changes, whichever comes first. */
  maxChanges?: number;
  batchSize?: number;
  /** Lanes sending at once (each one batch at a time, keyed by resource). */
  lanes?: number;
  clock?: Clock;
  /** Called for each batch once it was acknowledged, with the changes as sent. */
  onSent?: (batch: readonly GeneratedChange[]) => void;
  /** Stops the run early (the run resolves with what was sent). */
  signal?: AbortSignal;
}

export interface LoadDriverResult {
  sent: number;
  failedBatches: number;
  errors: string[];
  elapsedMs: number;
  /** Achieved rate over the run. */
  ratePerSecond: number;
}

export async function driveLoad(options: LoadDriverOptions): Promise<LoadDriverResult> {
  const { generator, emitter, ratePerSecond, clock = systemClock } = options;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 100, Math.ceil(ratePerSecond / 20)));
  const laneCount = Math.max(1, Math.floor(options.lanes ?? 4));
  const maxChanges = options.maxChanges ?? Number.POSITIVE_INFINITY;
  const durationMs = options.durationMs ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(maxChanges) && !Number.isFinite(durationMs) && options.signal === undefined) {
    throw new RangeError('a load run needs durationMs, maxChanges or a signal');
  }
  // Room for two batches: with room for one, the tokens a late timer adds beyond it would be lost.
  const bucket = tokenBucket({ ratePerSecond, burst: 2 * batchSize, clock });
  const lanes: Promise<void>[] = Array.from({ length: laneCount }, () => Promise.resolve());
  const laneOf = new Map<string, number>();
  const errors: string[] = [];
  let sent = 0;
  let generated = 0;
  let failedBatches = 0;
  const inFlight = new Set<Promise<void>>();
  const start = clock.now();

  const send = async (batch: GeneratedChange[]): Promise<void> => {
    try {
      await emitter.send(batch);
      sent += batch.length;
      options.onSent?.(batch);
    } catch (error) {
      failedBatches++;
      if (errors.length < 20) errors.push(error instanceof Error ? error.message : String(error));
    }
  };

  while (generated < maxChanges && clock.now() - start < durationMs && !options.signal?.aborted) {
    const size = Math.min(batchSize, maxChanges - generated);
    await bucket.take(size);
    const at = new Date();
    const parts: GeneratedChange[][] = Array.from({ length: laneCount }, () => []);
    for (let i = 0; i < size; i++) {
      const change = stampSendTime(generator.next(), at);
      let lane = laneOf.get(change.key);
      if (lane === undefined) laneOf.set(change.key, (lane = hashSeed(change.key) % laneCount));
      (parts[lane] as GeneratedChange[]).push(change);
    }
    generated += size;
    parts.forEach((part, lane) => {
      if (part.length === 0) return;
      const queued: Promise<void> = (lanes[lane] as Promise<void>)
        .then(() => send(part))
        .finally(() => inFlight.delete(queued));
      inFlight.add(queued);
      lanes[lane] = queued;
    });
    // Back-pressure: at most about two batches queued per lane.
    while (inFlight.size >= laneCount * 2) await Promise.race(inFlight);
  }
  await Promise.all(lanes);
  const elapsedMs = clock.now() - start;
  return {
    sent,
    failedBatches,
    errors,
    elapsedMs,
    ratePerSecond: elapsedMs > 0 ? (sent / elapsedMs) * 1000 : 0,
  };
}
