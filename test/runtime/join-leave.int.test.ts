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

const apps: string[] = [];
const directories: string[] = [];

afterAll(async () => {
  await deleteTopics(apps);
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

function application(prefix: string): { app: string; input: string; output: string } {
  const app = unique(prefix);
  apps.push(app);
  return { app, input: `${app}-in`, output: `${app}-out` };
}

async function instance(
  topics: { app: string; input: string; output: string },
  name: string,
  options: { delayMs?: number; commitIntervalMs?: number } = {},
): Promise<{ streams: KafkaStreams; close: () => Promise<void> }> {
  const { app, input, output } = topics;
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-${name}-`));
  directories.push(stateDir);
  const transport = new KafkaTransport({
    brokers,
    clientId: `${app}-${name}`,
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
  });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output, ...(options.delayMs ? { delayMs: options.delayMs } : {}) }),
    transport,
    config: {
      applicationId: app,
      stateDir,
      endpoint: `${name}:8080`,
      heartbeatIntervalMs: 500,
      ...(options.commitIntervalMs ? { commitIntervalMs: options.commitIntervalMs } : {}),
    },
  });
  await streams.start();
  return { streams, close: () => streams.stop().then(() => transport.close()) };
}

const KEYS = 16;

/**
 * The application's topics (input 4 partitions, output 2), created; `feed(round)` produces that
 * round's records: values v<n> numbered across rounds, over KEYS keys.
 */
async function topicsWithFeed(
  prefix: string,
  perRound: number,
): Promise<{
  topics: { app: string; input: string; output: string };
  feed: (round: number) => Promise<void>;
}> {
  const topics = application(prefix);
  await createTopics([
    { topic: topics.input, partitions: 4 },
    { topic: topics.output, partitions: 2 },
  ]);
  const feed = async (round: number) =>
    produce(
      topics.input,
      Array.from({ length: perRound }, (_, i) => ({
        key: `k${i % KEYS}`,
        value: `v${round * perRound + i}`,
      })),
    );
  return { topics, feed };
}

it('loses nothing while a second instance joins and leaves under load', async () => {
  const ROUNDS = 6;
  const PER_ROUND = 400;
  const { topics, feed } = await topicsWithFeed('join-leave', PER_ROUND);
  const a = await instance(topics, 'a', { delayMs: 1 });
  await feed(0);
  await feed(1);
  const b = await instance(topics, 'b', { delayMs: 1 });
  await feed(2);
  await waitFor(async () => b.streams.localTasks().length > 0 && a.streams.localTasks().length < 4);
  const shared = await a.streams.metadata();
  await feed(3);
  await b.close();
  await feed(4);
  await feed(5);
  const total = ROUNDS * PER_ROUND;
  const records = await readTopic(topics.output, total, { settleMs: 2000, timeoutMs: 90_000 });
  await waitFor(() => a.streams.localTasks().length === 4);
  await a.close();

  expect(shared.map((m) => m.endpoint).sort()).toEqual(['a:8080', 'b:8080']);
  expect(shared.flatMap((m) => m.partitions)).toHaveLength(4);
  const values = new Set(records.map((r) => (JSON.parse(r.value!) as { value: string }).value));
  for (let i = 0; i < total; i += 1) expect(values.has(`v${i}`)).toBe(true);
  for (const count of lastCounts(records).values()) expect(count).toBeGreaterThanOrEqual(total / KEYS);
});

// A member that stays in the group while another joins commits before it rejoins: the partitions
// it gives up are read by their new owner from where it stopped, not from its last interval commit.
it('processes nothing twice when a second instance joins', async () => {
  const PER_ROUND = 800;
  const { topics, feed } = await topicsWithFeed('rebalance-commit', PER_ROUND);
  // No interval commit during the test: only the first batches' and the rebalance's.
  const a = await instance(topics, 'a', { commitIntervalMs: 600_000 });
  await feed(0);
  // Everything of the first round processed (and only its first batches committed) by a alone.
  await readTopic(topics.output, PER_ROUND, { settleMs: 500, timeoutMs: 60_000 });
  const b = await instance(topics, 'b', { commitIntervalMs: 600_000 });
  await waitFor(async () => b.streams.localTasks().length > 0 && a.streams.localTasks().length < 4);
  await feed(1);
  const records = await readTopic(topics.output, 2 * PER_ROUND, { settleMs: 3000, timeoutMs: 90_000 });
  await b.close();
  await a.close();

  const seen = new Map<string, number>();
  for (const r of records) {
    const value = (JSON.parse(r.value!) as { value: string }).value;
    seen.set(value, (seen.get(value) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1).map(([v]) => v);
  expect(twice).toEqual([]);
  expect(seen.size).toBe(2 * PER_ROUND);
  // The counts moved with their partitions and were not counted again.
  for (const count of lastCounts(records).values()) expect(count).toBe((2 * PER_ROUND) / KEYS);
});
