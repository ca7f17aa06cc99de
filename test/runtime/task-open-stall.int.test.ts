import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import { brokers, createTopics, deleteTopics, kafka, produce, unique, waitFor } from './kafka-helpers.js';

const apps: string[] = [];
const directories: string[] = [];

afterAll(async () => {
  await deleteTopics(apps);
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

// The first batches reach tasks that are still opening their stores. A partition paused for them
// is fetched again only after the consumer's next fetch returns, and with every partition paused
// kafkajs sleeps the whole fetch wait first: a new instance (or one that was just given
// partitions) would sit idle that long on a backlog.
it('processes a backlog at once on start, without waiting out the fetch wait', async () => {
  const app = unique('task-open');
  apps.push(app);
  const input = `${app}-in`;
  const output = `${app}-out`;
  await createTopics([
    { topic: input, partitions: 4 },
    { topic: output, partitions: 2 },
  ]);
  await produce(
    input,
    Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 16}`, value: `v${i}` })),
  );
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-`));
  directories.push(stateDir);
  const FETCH_WAIT_MS = 15_000;
  const transport = new KafkaTransport({
    brokers,
    clientId: app,
    // Every fetch, busy or idle, may be held this long; and one with any record is answered.
    fetchMinBytes: 1,
    fetchMaxWaitMs: FETCH_WAIT_MS,
    fetchIdleWaitMs: FETCH_WAIT_MS,
  });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output }),
    transport,
    config: { applicationId: app, stateDir, endpoint: 'a:8080' },
  });
  // The output's reader is in the group first, so that its own start is not counted.
  const reader = kafka.consumer({ groupId: unique('reader') });
  let arrived = 0;
  let lastArrival = 0;
  const joined = new Promise((resolve) => reader.on(reader.events.GROUP_JOIN, resolve));
  await reader.connect();
  await reader.subscribe({ topics: [output], fromBeginning: true });
  await reader.run({
    eachMessage: async () => {
      arrived += 1;
      lastArrival = Date.now();
    },
  });
  await joined;
  const started = Date.now();
  await streams.start();
  try {
    await waitFor(() => arrived >= 200, FETCH_WAIT_MS + 20_000);
    // Well inside the fetch wait: the group join and the stores' opening take a second or two.
    expect(lastArrival - started).toBeLessThan(FETCH_WAIT_MS / 3);
  } finally {
    await Promise.all([reader.disconnect(), streams.stop().then(() => transport.close())]);
  }
});
