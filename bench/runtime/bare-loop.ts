// The baseline pipeline. Only kafkajs's types are imported, so the stock-kafkajs child
// (stock-bare.ts) can run it without loading anything of ours that patches kafkajs.
import type { Kafka } from 'kafkajs';
import type { Pipeline } from './measure.js';

/** Consume a batch, produce it to the output, commit; no state. */
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
      // Each request stays under the broker's message.max.bytes per partition, as the runtime's transport does.
      for (let i = 0; i < batch.messages.length; i += 700) {
        await producer.send({
          topic: output,
          acks: -1,
          messages: batch.messages.slice(i, i + 700).map((m) => ({
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
