import { afterEach, describe, expect, it } from 'vitest';
import { KafkaExternalSink } from '../../../connectors/index.js';
import { KAFKA_BROKERS, TestTopic } from '../../fakes/kafka-topic.js';
import { until } from '../../fakes/wait.js';
import { notification } from '../../fixtures/notifications.js';

describe('Kafka named channel: record key and custom headers', () => {
  const topic = new TestTopic();
  const sink = new KafkaExternalSink({ config: { brokers: KAFKA_BROKERS } });

  afterEach(async () => {
    await sink.close();
    await topic.stop();
  });

  it('produces to the named topic with the key, and unrolls a list header into one header per element', async () => {
    await topic.start();
    await sink.connect();
    const n = notification('s1', 1, {
      channel: { type: 'kafka', endpoint: topic.name, headers: [] },
      properties: { 'resource-type': 'Patient', tags: ['system-1|code-1', 'system-2|code-2'] },
    });
    expect(await sink.write(n)).toEqual({ kind: 'delivered' });
    await until(() => topic.messages.length === 1, 20_000);
    const [message] = topic.messages;
    expect(message!.key?.toString()).toBe('s1');
    expect(message!.value?.toString()).toBe(n.body);
    const tags = message!.headers?.['tags'];
    // kafkajs hands repeated headers back as an array: two headers named "tags" were written.
    expect(Array.isArray(tags) ? tags.map(String) : tags?.toString()).toEqual([
      'system-1|code-1',
      'system-2|code-2',
    ]);
    expect(topic.header(message!, 'resource-type')).toBe('Patient');
    expect(topic.header(message!, 'x-substream-notification-id')).toBe('s1-1');
  });

  it('refuses an invalid topic name for good', async () => {
    await sink.connect();
    const n = notification('s1', 1, { channel: { type: 'kafka', endpoint: 'not a topic', headers: [] } });
    expect(await sink.write(n)).toMatchObject({ kind: 'permanent' });
  });
});
