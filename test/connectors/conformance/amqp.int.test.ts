import { AmqpSink } from '../../../connectors/index.js';
import { RABBITMQ_URL, TestQueue } from '../../fakes/amqp-queue.js';
import { closeConnectionsNamed } from '../../fakes/rabbitmq-admin.js';
import { describeSinkConformance } from './sink-conformance.js';

describeSinkConformance('amqp', async () => {
  const queue = new TestQueue();
  await queue.start();
  const connectionName = `conformance-${queue.name}`;
  const sink = new AmqpSink({ config: { url: RABBITMQ_URL, connectionName } });
  return {
    sink,
    channel: { type: 'message', endpoint: `channel:${queue.name}`, headers: [] },
    received: () => queue.messages.map((m) => String(m.properties.messageId)),
    interrupt: async () => void (await closeConnectionsNamed(connectionName)),
    teardown: () => queue.stop(),
  };
});
