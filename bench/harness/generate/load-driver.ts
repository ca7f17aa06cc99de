/**
 * Drives a change generator into an emitter at a set rate: batches of changes are paced by a token
 * bucket, stamped with their send time, and sent with a bounded number of batches in flight.
 */
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
  /**
   * Batches sent at once. 1 by default: two batches in flight may land in either order, and the
   * versions of one resource must reach the changelog in order.
   */
  maxInFlight?: number;
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
  const maxInFlight = options.maxInFlight ?? 1;
  const maxChanges = options.maxChanges ?? Number.POSITIVE_INFINITY;
  const durationMs = options.durationMs ?? Number.POSITIVE_INFINITY;
  if (!Number.isFinite(maxChanges) && !Number.isFinite(durationMs) && options.signal === undefined) {
    throw new RangeError('a load run needs durationMs, maxChanges or a signal');
  }
  const bucket = tokenBucket({ ratePerSecond, burst: batchSize, clock });
  const inFlight = new Set<Promise<void>>();
  const errors: string[] = [];
  let sent = 0;
  let generated = 0;
  let failedBatches = 0;
  const start = clock.now();

  while (generated < maxChanges && clock.now() - start < durationMs && !options.signal?.aborted) {
    const size = Math.min(batchSize, maxChanges - generated);
    await bucket.take(size);
    const at = new Date();
    const batch: GeneratedChange[] = [];
    for (let i = 0; i < size; i++) batch.push(stampSendTime(generator.next(), at));
    generated += size;
    const sending: Promise<void> = emitter.send(batch).then(
      () => {
        sent += batch.length;
        options.onSent?.(batch);
      },
      (error: unknown) => {
        failedBatches++;
        if (errors.length < 20) errors.push(error instanceof Error ? error.message : String(error));
      },
    );
    const tracked = sending.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const elapsedMs = clock.now() - start;
  return {
    sent,
    failedBatches,
    errors,
    elapsedMs,
    ratePerSecond: elapsedMs > 0 ? (sent / elapsedMs) * 1000 : 0,
  };
}
