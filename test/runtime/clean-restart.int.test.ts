import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import {
  brokers,
  createTopics,
  deleteTopics,
  lastCounts,
  produce,
  readTopic,
  unique,
} from './kafka-helpers.js';

const app = unique('clean-restart');
const input = `${app}-in`;
const output = `${app}-out`;
let stateDir = '';

afterAll(async () => {
  await deleteTopics([app]);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

async function run(records: number, offset: number): Promise<void> {
  const transport = new KafkaTransport({ brokers, clientId: app });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output }),
    transport,
    config: { applicationId: app, stateDir },
  });
  await streams.start();
  await produce(
    input,
    Array.from({ length: records }, (_, i) => ({ key: `k${(offset + i) % 10}`, value: `v${offset + i}` })),
  );
  await readTopic(output, offset + records);
  await streams.stop();
  await transport.close();
}

it('keeps exact counts per key across a clean restart', async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'clean-restart-'));
  await createTopics([
    { topic: input, partitions: 3 },
    { topic: output, partitions: 3 },
  ]);
  await run(300, 0);
  await run(200, 300);
  const records = await readTopic(output, 500, { settleMs: 1000 });
  expect(records).toHaveLength(500);
  const counts = lastCounts(records);
  for (let k = 0; k < 10; k += 1) expect(counts.get(`k${k}`)).toBe(50);
});
