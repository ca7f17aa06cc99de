/**
 * Drives pre-encoded changes into the changelog topic from several sender threads, each with its
 * own producer and its part of the changes, so the harness can offer 10,000 changes/s on a small
 * machine. Every sender paces its share of the rate; the result reports what was acknowledged,
 * which is the rate the service was actually offered.
 */
import type { Worker } from 'node:worker_threads';
import { startHarnessWorker } from '../worker-entry.js';
import type { EncodedPart } from './encoded-changes.js';
import type { SenderMessage, SenderSettings } from './kafka-sender-worker.js';

export interface SenderPoolOptions {
  brokers: string[];
  topic: string;
  /** One sender thread per part. */
  parts: EncodedPart[];
  ratePerSecond: number;
  durationMs: number;
  /** Records per produce request of each sender (at most 100 ms of its share of the rate). */
  batchSize: number;
  /** Produce requests in flight per sender (a resource always on the same one). */
  lanes: number;
  acks?: number;
  /** Called once every sender is connected, as they start sending. */
  onStart?: () => void;
  /** Records acknowledged since the last call, per part, about every 200 ms. */
  onProgress?: (part: number, acknowledgedSoFar: number) => void;
}

export interface SenderPoolResult {
  sent: number;
  failedBatches: number;
  errors: string[];
  elapsedMs: number;
  ratePerSecond: number;
  /** Per part: records [0, taken) were sent except those in `failed`. */
  perPart: { taken: number; failed: number[] }[];
}

type Done = Extract<SenderMessage, { type: 'done' }>;

function startSender(settings: SenderSettings, onMessage: (m: SenderMessage) => void): Worker {
  const { part } = settings;
  const transfer = [part.data.buffer, part.ends.buffer, part.stamps.buffer] as ArrayBuffer[];
  const worker = startHarnessWorker(import.meta.url, './kafka-sender-worker', {
    workerData: settings,
    transferList: transfer,
  });
  worker.on('message', onMessage);
  return worker;
}

export async function driveEncodedLoad(options: SenderPoolOptions): Promise<SenderPoolResult> {
  const count = options.parts.length;
  const share = options.ratePerSecond / count;
  const batchSize = Math.max(1, Math.min(options.batchSize, Math.ceil(share / 10)));
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<Done>[] = [];
  try {
    options.parts.forEach((part, p) => {
      let markReady!: () => void;
      ready.push(new Promise<void>((resolve) => (markReady = resolve)));
      let worker!: Worker;
      done.push(
        new Promise<Done>((resolve, reject) => {
          worker = startSender(
            {
              brokers: options.brokers,
              topic: options.topic,
              acks: options.acks ?? -1,
              ratePerSecond: share,
              durationMs: options.durationMs,
              batchSize,
              lanes: options.lanes,
              part,
            },
            (m) => {
              if (m.type === 'ready') markReady();
              else if (m.type === 'progress') options.onProgress?.(p, m.acknowledged);
              else {
                options.onProgress?.(p, m.acknowledged);
                resolve(m);
              }
            },
          );
          worker.once('error', (error) => reject(new Error(`sender ${p} failed: ${error.message}`)));
          worker.once('exit', (code) => reject(new Error(`sender ${p} exited (${code}) before it finished`)));
        }),
      );
      workers.push(worker);
    });
    // Every sender connects first, then all start together.
    await Promise.race([Promise.all(ready), Promise.all(done)]);
    options.onStart?.();
    for (const w of workers) w.postMessage('start');
    const results = await Promise.all(done);
    const sent = results.reduce((n, r) => n + r.acknowledged, 0);
    const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
    return {
      sent,
      failedBatches: results.reduce((n, r) => n + r.failedBatches, 0),
      errors: results.flatMap((r) => r.errors).slice(0, 20),
      elapsedMs,
      ratePerSecond: elapsedMs > 0 ? (sent / elapsedMs) * 1000 : 0,
      perPart: results.map((r) => ({ taken: r.taken, failed: r.failed })),
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
