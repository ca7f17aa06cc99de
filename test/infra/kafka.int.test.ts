import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { KAFKA_BROKERS, uniqueName, waitFor } from '../support/infra.js';

const kafka = new Kafka({ clientId: 'infra-test', brokers: KAFKA_BROKERS, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const topics: string[] = [];

afterAll(async () => {
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

describe('the Kafka broker', () => {
  it('produces and consumes a record', async () => {
    const topic = uniqueName('infra-plain');
    topics.push(topic);
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('infra-group') });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? ''),
    });
    await waitFor(() => (seen.length > 0 ? true : undefined), { what: 'the record' });
    await consumer.disconnect();
    expect(seen).toEqual(['hello']);
  });

  it('commits consumed offsets inside a transaction with sendOffsets', async () => {
    const input = uniqueName('infra-tx-in');
    const output = uniqueName('infra-tx-out');
    const groupId = uniqueName('infra-tx-group');
    topics.push(input, output);
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: input, numPartitions: 1 },
        { topic: output, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: input, messages: [{ value: 'a' }, { value: 'b' }] });
    await plain.disconnect();

    const producer = kafka.producer({
      transactionalId: uniqueName('infra-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({ topic: output, messages: [{ value: 'A' }, { value: 'B' }] });
    await tx.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
    });
    await tx.commit();
    await producer.disconnect();

    // Transactional offset commits become visible once the broker has written the commit markers.
    const committed = await waitFor(
      async () => {
        const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
        const offset = offsets[0]?.partitions[0]?.offset;
        return offset === '-1' ? undefined : offset;
      },
      { what: 'the transactional offset commit' },
    );
    expect(committed).toBe('2');

    const consumer = kafka.consumer({ groupId: uniqueName('infra-rc'), readUncommitted: false });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? ''),
    });
    await waitFor(() => (seen.length >= 2 ? true : undefined), { what: 'committed records' });
    await consumer.disconnect();
    expect(seen).toEqual(['A', 'B']);
  });
});
