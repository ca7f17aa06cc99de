import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { changeGenerator, driveLoad, kafkaEmitter, lagSampler } from '../../bench/harness/index.js';
import { KAFKA_BROKERS, uniqueName, waitFor } from '../support/infra.js';
import { expectInOrderPerResource, readChanges } from './read-changes.js';

const kafka = new Kafka({ clientId: 'harness-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topics: string[] = [];

afterAll(async () => {
  if (topics.length > 0) await admin.deleteTopics({ topics });
  await admin.disconnect();
});

describe('generated changes on Kafka', () => {
  it('produces keyed canonical changes that read back complete and in order per resource, with lag sampled', async () => {
    const topic = uniqueName('harness-changelog');
    const groupId = uniqueName('harness-group');
    topics.push(topic);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });

    const total = 3_000;
    const emitter = kafkaEmitter({ brokers: KAFKA_BROKERS, topic });
    await emitter.connect();
    const result = await driveLoad({
      generator: changeGenerator({ seed: 21 }),
      emitter,
      ratePerSecond: 5_000,
      maxChanges: total,
      batchSize: 200,
    });
    await emitter.close();
    expect(result).toMatchObject({ sent: total, failedBatches: 0 });

    const lag = lagSampler({ admin, groupId, topics: [topic] });
    const [before] = await lag.sample();
    expect(before!.lag).toBe(total);

    const seen = await readChanges(kafka, {
      topic,
      groupId,
      count: total,
      whileConnected: () =>
        waitFor(async () => ((await lag.sample())[0]!.lag === 0 ? true : undefined), { what: 'lag 0' }),
    });
    expect(seen.length).toBe(total);
    for (const { value } of seen) expect(value.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // One partition per key: each resource's versions arrive in order, none skipped.
    expectInOrderPerResource(seen);
  });
});
