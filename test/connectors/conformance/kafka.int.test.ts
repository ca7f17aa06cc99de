import { KafkaExternalSink } from '../../../connectors/index.js';
import { KAFKA_BROKERS, TestTopic } from '../../fakes/kafka-topic.js';
import { describeSinkConformance } from './sink-conformance.js';

describeSinkConformance('kafka', async () => {
  const topic = new TestTopic();
  await topic.start();
  const sink = new KafkaExternalSink({ config: { brokers: KAFKA_BROKERS } });
  return {
    sink,
    channel: { type: 'kafka', endpoint: topic.name, headers: [] },
    received: () => topic.messages.map((m) => topic.header(m, 'x-substream-notification-id') ?? ''),
    // The producer's connections are dropped from our side; the supervisor opens them again.
    interrupt: () => sink.close(),
    teardown: () => topic.stop(),
  };
});
