import type { Kafka } from 'kafkajs';
import { KafkaTransport } from '../../connectors/index.js';
import { codecs } from '../../state/index.js';
import { KafkaStreams, TopologyBuilder } from '../../topology/index.js';

export interface Pipeline {
  stop(): Promise<void>;
}

/** The baseline: consume a batch, produce it to the output, commit; no state. */
export async function bareLoop(
  kafka: Kafka,
  groupId: string,
  input: string,
  output: string,
): Promise<Pipeline> {
  const producer = kafka.producer();
  await producer.connect();
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      // Requests stay under the broker's message.max.bytes, as the runtime's transport does.
      for (let i = 0; i < batch.messages.length; i += 400) {
        await producer.send({
          topic: output,
          acks: -1,
          messages: batch.messages.slice(i, i + 400).map((m) => ({
            key: m.key,
            value: m.value,
            timestamp: m.timestamp,
            partition: batch.partition,
          })),
        });
      }
    },
  });
  return {
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

/** The stateful topology: one store get and one put per record, then the sink. */
export async function statefulTopology(
  brokers: string[],
  applicationId: string,
  stateDir: string,
  input: string,
  output: string,
): Promise<Pipeline> {
  const topology = new TopologyBuilder()
    .source('input', { topic: input, value: codecs.buffer })
    .store('latest', { value: codecs.buffer })
    .processor<Buffer, Buffer>('update', {
      parents: ['input'],
      stores: ['latest'],
      processor: () => ({
        async process(record, context) {
          const store = context.store<Buffer>('latest');
          const key = record.key ?? '';
          await store.get(key);
          await store.put(key, record.value);
          await context.forward(record);
        },
      }),
    })
    .sink('output', { parents: ['update'], topic: output, value: codecs.buffer })
    .build();
  const transport = new KafkaTransport({ brokers, clientId: applicationId });
  const streams = new KafkaStreams({ topology, transport, config: { applicationId, stateDir } });
  await streams.start();
  return {
    stop: async () => {
      await streams.stop();
      await transport.close();
    },
  };
}
