import type { Pipeline } from './measure.js';
import { KafkaTransport } from '../../connectors/index.js';
import { codecs } from '../../state/index.js';
import { KafkaStreams, TopologyBuilder } from '../../topology/index.js';

export type { Pipeline } from './measure.js';
export { bareLoop } from './bare-loop.js';

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
