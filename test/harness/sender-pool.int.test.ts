import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { changeGenerator, driveEncodedLoad, pregenerate } from '../../bench/harness/index.js';
import { KAFKA_BROKERS, uniqueName } from '../support/infra.js';
import { expectInOrderPerResource, readChanges } from './read-changes.js';

const kafka = new Kafka({ clientId: 'harness-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topics: string[] = [];

afterAll(async () => {
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
});

describe('sender threads on Kafka', () => {
  it('produce every pre-generated change once, stamped, in order per resource', async () => {
    const topic = uniqueName('harness-senders');
    topics.push(topic);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    const parts = pregenerate({ generator: changeGenerator({ seed: 8 }), parts: 2, perPart: 1_000 });
    const total = parts.reduce((n, p) => n + p.keys.length, 0);
    const progress: number[] = [0, 0];
    const result = await driveEncodedLoad({
      brokers: KAFKA_BROKERS,
      topic,
      parts,
      ratePerSecond: 4_000,
      durationMs: 30_000,
      batchSize: 200,
      lanes: 4,
      onProgress: (p, soFar) => (progress[p] = soFar),
    });
    expect(result).toMatchObject({ sent: total, failedBatches: 0 });
    expect(result.perPart.map((p) => p.taken)).toEqual(parts.map((p) => p.keys.length));
    expect(progress[0]! + progress[1]!).toBe(total);

    const seen = await readChanges(kafka, {
      topic,
      groupId: uniqueName('harness-senders-group'),
      count: total,
    });
    expect(seen.length).toBe(total);
    for (const { value } of seen) {
      expect(value.occurredAt).not.toBe('1970-01-01T00:00:00.000Z');
      expect(value.resource?.meta?.lastUpdated).toBe(value.occurredAt);
    }
    expectInOrderPerResource(seen);
  });
});
