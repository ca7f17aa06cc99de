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
  waitFor,
} from './kafka-helpers.js';

const app = unique('join-leave');
const input = `${app}-in`;
const output = `${app}-out`;
const directories: string[] = [];

afterAll(async () => {
  await deleteTopics([app]);
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function instance(name: string): Promise<{ streams: KafkaStreams; close: () => Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-${name}-`));
  directories.push(stateDir);
  const transport = new KafkaTransport({
    brokers,
    clientId: `${app}-${name}`,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
  });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output, delayMs: 1 }),
    transport,
    config: { applicationId: app, stateDir, endpoint: `${name}:8080`, heartbeatIntervalMs: 500 },
  });
  await streams.start();
  return { streams, close: () => streams.stop().then(() => transport.close()) };
}

it('loses nothing while a second instance joins and leaves under load', async () => {
  await createTopics([
    { topic: input, partitions: 4 },
    { topic: output, partitions: 2 },
  ]);
  const KEYS = 16;
  const ROUNDS = 6;
  const PER_ROUND = 400;
  const feed = async (round: number) =>
    produce(
      input,
      Array.from({ length: PER_ROUND }, (_, i) => ({
        key: `k${i % KEYS}`,
        value: `v${round * PER_ROUND + i}`,
      })),
    );
  const a = await instance('a');
  await feed(0);
  await feed(1);
  const b = await instance('b');
  await feed(2);
  await waitFor(async () => b.streams.localTasks().length > 0 && a.streams.localTasks().length < 4);
  const shared = await a.streams.metadata();
  await feed(3);
  await b.close();
  await feed(4);
  await feed(5);
  const total = ROUNDS * PER_ROUND;
  const records = await readTopic(output, total, { settleMs: 2000, timeoutMs: 90_000 });
  await waitFor(() => a.streams.localTasks().length === 4);
  await a.close();

  expect(shared.map((m) => m.endpoint).sort()).toEqual(['a:8080', 'b:8080']);
  expect(shared.flatMap((m) => m.partitions)).toHaveLength(4);
  const values = new Set(records.map((r) => (JSON.parse(r.value!) as { value: string }).value));
  for (let i = 0; i < total; i += 1) expect(values.has(`v${i}`)).toBe(true);
  for (const count of lastCounts(records).values()) expect(count).toBeGreaterThanOrEqual(total / KEYS);
});
