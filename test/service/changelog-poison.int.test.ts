/**
 * Poison changes produced straight to the changelog topic (a value that is not JSON, a key naming
 * another resource) end in the changelog dead-letter topic with their reason header, and the good
 * change behind them on the same partition is still delivered.
 */
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpReceiver } from '../fakes/http-receiver.js';
import { KAFKA_BROKERS, waitFor } from '../support/infra.js';
import { call, ServiceFixture } from '../support/service.js';
import { classicR4, glucose } from './scenario.js';

const fixture = new ServiceFixture({ kafka: true });
const receiver = new HttpReceiver();
const kafka = new Kafka({
  clientId: 'substream-test-poison',
  brokers: KAFKA_BROKERS,
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer();
const consumer = kafka.consumer({ groupId: `${fixture.appId}-dlq-reader` });

afterAll(async () => {
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await fixture.cleanup();
  await receiver.stop();
});

const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();

describe('poison changes on the changelog topic', () => {
  it('go to the changelog DLQ with their reason while good changes behind them are delivered', async () => {
    const hook = await receiver.start();
    const config = await fixture.config();
    const service = await fixture.start('all', config);
    expect(
      (await call(service.url, 'PUT', '/fhir/Subscription/glucose', classicR4(`${hook}/r4`))).status,
    ).toBe(201);

    const dead: KafkaMessage[] = [];
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic: config.TOPIC_CHANGELOG_DLQ, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void dead.push(message) });

    await producer.send({
      topic: config.TOPIC_CHANGELOG,
      messages: [
        { partition: 0, key: 'Observation/not-json', value: 'this is not { json' },
        { partition: 0, key: 'Patient/someone-else', value: JSON.stringify(glucose('wrong-key')) },
        { partition: 0, key: 'Observation/good', value: JSON.stringify(glucose('good')) },
      ],
    });

    const delivered = await waitFor(() => receiver.accepted.find((r) => r.url === '/r4/Observation/good'), {
      timeoutMs: 20_000,
      what: 'the good change',
    });
    expect(delivered.headers['x-substream-event-number']).toBe('1');
    await waitFor(() => (dead.length >= 2 ? true : undefined), {
      timeoutMs: 20_000,
      what: 'two dead letters',
    });
    const byKey = new Map(dead.map((m) => [m.key?.toString(), m]));
    const notJson = byKey.get('Observation/not-json')!;
    const wrongKey = byKey.get('Patient/someone-else')!;
    expect(notJson.value?.toString()).toBe('this is not { json'); // the original bytes, for a redrive
    expect(header(notJson, 'substream.dlq.reason')).toMatch(/json/i);
    expect(header(notJson, 'substream.dlq.topic')).toBe(config.TOPIC_CHANGELOG);
    expect(header(wrongKey, 'substream.dlq.reason')).toMatch(/Patient\/someone-else/);
    expect(receiver.accepted.map((r) => r.url)).not.toContain('/r4/Observation/wrong-key');
  });
});
