/**
 * Topics the transport makes are usable the moment `ensureTopics` returns: two instances making the
 * same topics at once both return, and a client that does not retry at all then writes to every
 * partition (a topic just made can be missing from the broker's metadata for a moment).
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import { brokers, deleteTopics, unique } from './kafka-helpers.js';

const app = unique('ensure');
const transports = [0, 1].map((i) => new KafkaTransport({ brokers, clientId: `${app}-${i}` }));
const plain = new Kafka({
  clientId: `${app}-plain`,
  brokers,
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
});
const producer = plain.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });

afterAll(async () => {
  await producer.disconnect();
  await Promise.all(transports.map((t) => t.close()));
  await deleteTopics([app]);
});

it('returns once every partition of every topic has a leader, also when two instances make them at once', async () => {
  const specs = [
    { topic: `${app}-a`, partitions: 6 },
    { topic: `${app}-b`, partitions: 3, compacted: true },
  ];
  await Promise.all(transports.map((t) => t.admin.ensureTopics(specs)));
  await producer.connect();
  for (const { topic, partitions } of specs) {
    const messages = Array.from({ length: partitions }, (_, partition) => ({
      partition,
      key: 'k',
      value: 'v',
    }));
    const written = await producer.send({ topic, messages, acks: -1 });
    expect(written.map((w) => w.partition).sort()).toEqual(messages.map((m) => m.partition));
  }
  for (const t of transports) expect(await t.admin.partitionCount(`${app}-a`)).toBe(6);
});
