import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import { codecs } from '../../state/index.js';
import { KafkaStreams, TopologyBuilder } from '../../topology/index.js';
import { brokers, createTopics, deleteTopics, produce, readTopic, unique } from './kafka-helpers.js';

const app = unique('dlq');
const input = `${app}-in`;
const output = `${app}-out`;
let stateDir = '';

afterAll(async () => {
  await deleteTopics([app]);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

it('sends undecodable and failing records to the dead-letter topic while processing continues', async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'dlq-'));
  await createTopics([
    { topic: input, partitions: 2 },
    { topic: output, partitions: 2 },
  ]);
  const topology = new TopologyBuilder()
    .source('input', { topic: input, value: codecs.json<{ n: number; poison?: boolean }>() })
    .processor<{ n: number; poison?: boolean }, { n: number }>('check', {
      parents: ['input'],
      processor: () => ({
        async process(record, context) {
          if (record.value.poison) throw new Error(`poison ${record.value.n}`);
          await context.forward(record);
        },
      }),
    })
    .sink('output', { parents: ['check'], topic: output, value: codecs.json() })
    .build();
  const transport = new KafkaTransport({ brokers, clientId: app });
  const streams = new KafkaStreams({ topology, transport, config: { applicationId: app, stateDir } });
  await streams.start();
  await produce(input, [
    { key: 'a', value: JSON.stringify({ n: 1 }) },
    { key: 'a', value: 'not json {' },
    { key: 'a', value: JSON.stringify({ n: 2, poison: true }) },
    { key: 'a', value: JSON.stringify({ n: 3 }) },
  ]);
  const outputs = await readTopic(output, 2);
  const dead = await readTopic(`${input}.dlq`, 2);
  await streams.stop();
  await transport.close();

  expect(outputs.map((r) => JSON.parse(r.value!).n)).toEqual([1, 3]);
  expect(streams.state).toBe('stopped');
  expect(dead).toHaveLength(2);
  const [undecodable, failed] = dead;
  expect(undecodable!.value).toBe('not json {');
  expect(undecodable!.key).toBe('a');
  expect(undecodable!.headers['substream.dlq.stage']).toBe('input');
  expect(undecodable!.headers['substream.dlq.error']).toBe('DecodeError');
  expect(undecodable!.headers['substream.dlq.topic']).toBe(input);
  expect(undecodable!.headers['substream.dlq.offset']).toBe('1');
  expect(failed!.headers['substream.dlq.stage']).toBe('check');
  expect(failed!.headers['substream.dlq.reason']).toBe('poison 2');
  expect(failed!.headers['substream.dlq.partition']).toBe(undecodable!.headers['substream.dlq.partition']);
});
