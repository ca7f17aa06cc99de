/**
 * A sender thread: produces its part of the pre-encoded changes to the changelog topic at its share
 * of the rate, with its own Kafka producer. Batches are paced by a token bucket and stamped with the
 * send time as they leave; each batch is split into lanes by key and every lane has one produce
 * request in flight at a time, so a resource's versions reach the topic in order while requests
 * overlap. Reports how many records were acknowledged every 200 ms and, at the end, which records
 * were taken and which of them failed.
 */
// Before kafkajs: the harness's producers use the same codec replacements as the service (docs/kafka-codec.md).
import '../../../connectors/kafka/native-crc.js';
import { parentPort, workerData } from 'node:worker_threads';
import { CompressionTypes, Kafka, logLevel, type Message } from 'kafkajs';
import { hashSeed } from './resources.js';
import { recordValue, stampRecords, type EncodedPart } from './encoded-changes.js';
import { systemClock, tokenBucket } from './token-bucket.js';

export interface SenderSettings {
  brokers: string[];
  topic: string;
  acks: number;
  ratePerSecond: number;
  durationMs: number;
  batchSize: number;
  lanes: number;
  part: EncodedPart;
}

export type SenderMessage =
  | { type: 'ready' }
  | { type: 'progress'; acknowledged: number }
  | {
      type: 'done';
      /** Records [0, taken) were sent (or failed: `failed`). */
      taken: number;
      acknowledged: number;
      failed: number[];
      failedBatches: number;
      errors: string[];
      elapsedMs: number;
    };

async function run(
  settings: SenderSettings,
  post: (m: SenderMessage) => void,
  started: Promise<void>,
): Promise<void> {
  const { part, lanes: laneCount } = settings;
  const producer = new Kafka({
    clientId: 'substream-loadgen',
    brokers: settings.brokers,
    logLevel: logLevel.NOTHING,
  }).producer({ allowAutoTopicCreation: false });
  await producer.connect();
  post({ type: 'ready' });
  await started;

  const total = part.keys.length;
  const laneOf = (key: string): number => (hashSeed(`lane:${key}`) >>> 0) % laneCount;
  // Room for two batches: with room for one, the tokens a late timer adds beyond it would be lost.
  const bucket = tokenBucket({ ratePerSecond: settings.ratePerSecond, burst: 2 * settings.batchSize });
  const lanes: Promise<void>[] = Array.from({ length: laneCount }, () => Promise.resolve());
  const inFlight = new Set<Promise<void>>();
  const failed: number[] = [];
  const errors: string[] = [];
  let failedBatches = 0;
  let acknowledged = 0;
  let taken = 0;
  const start = systemClock.now();
  const progress = setInterval(() => post({ type: 'progress', acknowledged }), 200);

  const send = async (indices: number[], messages: Message[]): Promise<void> => {
    try {
      await producer.send({
        topic: settings.topic,
        acks: settings.acks,
        compression: CompressionTypes.None,
        messages,
      });
      acknowledged += messages.length;
    } catch (error) {
      failed.push(...indices);
      failedBatches++;
      if (errors.length < 20) errors.push(error instanceof Error ? error.message : String(error));
    }
  };

  while (taken < total && systemClock.now() - start < settings.durationMs) {
    const size = Math.min(settings.batchSize, total - taken);
    await bucket.take(size);
    stampRecords(part, taken, taken + size, new Date().toISOString());
    const byLane: { indices: number[]; messages: Message[] }[] = Array.from({ length: laneCount }, () => ({
      indices: [],
      messages: [],
    }));
    for (let i = taken; i < taken + size; i++) {
      const key = part.keys[i] as string;
      const lane = byLane[laneOf(key)] as { indices: number[]; messages: Message[] };
      lane.indices.push(i);
      lane.messages.push({ key, value: recordValue(part, i) });
    }
    taken += size;
    byLane.forEach((lane, l) => {
      if (lane.messages.length === 0) return;
      const queued: Promise<void> = (lanes[l] as Promise<void>)
        .then(() => send(lane.indices, lane.messages))
        .finally(() => inFlight.delete(queued));
      inFlight.add(queued);
      lanes[l] = queued;
    });
    // Back-pressure: about two batches queued per lane at most; a slow broker shows as a lower rate.
    while (inFlight.size >= laneCount * 2) await Promise.race(inFlight);
  }
  await Promise.all(lanes);
  clearInterval(progress);
  const elapsedMs = systemClock.now() - start;
  await producer.disconnect();
  post({ type: 'done', taken, acknowledged, failed, failedBatches, errors, elapsedMs });
}

if (parentPort !== null) {
  const port = parentPort;
  const started = new Promise<void>((resolve) => port.once('message', () => resolve()));
  run(workerData as SenderSettings, (m) => port.postMessage(m), started).catch((error: unknown) => {
    // An error the worker cannot report as a result (the producer never connected) ends the thread.
    throw error instanceof Error ? error : new Error(String(error));
  });
}
