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

// While records flow a fetch asks for many bytes and may wait for them; an idle consumer asks for
// 1 byte, so the first record after a quiet spell is processed at once, not after the flowing
// fetch's wait (connectors/kafka/adaptive-fetch.ts). The waits here are long to tell them apart.
it('processes the first record after a quiet spell at once, however many bytes a flowing fetch asks for', async () => {
  const app = unique('adaptive-fetch');
  apps.push(app);
  const input = `${app}-in`;
  const output = `${app}-out`;
  await createTopics([
    { topic: input, partitions: 2 },
    { topic: output, partitions: 2 },
  ]);
  const stateDir = await mkdtemp(join(tmpdir(), `${app}-`));
  directories.push(stateDir);
  const FLOWING_WAIT_MS = 4_000;
  const transport = new KafkaTransport({
    brokers,
    clientId: app,
    fetchMinBytes: 1_048_576,
    fetchMaxWaitMs: FLOWING_WAIT_MS,
    fetchIdleWaitMs: 300,
  });
  const streams = new KafkaStreams({
    topology: countTopology({ input, output }),
    transport,
    config: { applicationId: app, stateDir, endpoint: 'a:8080' },
  });
  const reader = kafka.consumer({ groupId: unique('reader') });
  const arrivals: number[] = [];
  const joined = new Promise((resolve) => reader.on(reader.events.GROUP_JOIN, resolve));
  await reader.connect();
  await reader.subscribe({ topics: [output], fromBeginning: true });
  await reader.run({
    eachMessage: async () => {
      arrivals.push(Date.now());
    },
  });
  await joined;
  await streams.start();
  try {
    // Quiet: the consumer's fetches come back empty, so it is in its idle mode.
    await new Promise((resolve) => setTimeout(resolve, FLOWING_WAIT_MS + 1_000));
    for (const key of ['a', 'b']) {
      const sent = Date.now();
      await produce(input, [{ key, value: key }]);
      await waitFor(() => arrivals.length >= (key === 'a' ? 1 : 2), 3 * FLOWING_WAIT_MS);
      // Well under the flowing fetch's wait, which a 1-byte record never fills.
      expect(arrivals.at(-1)! - sent).toBeLessThan(FLOWING_WAIT_MS / 2);
      // Quiet again: the fetch after the record waits out its flowing wait, comes back empty.
      await new Promise((resolve) => setTimeout(resolve, FLOWING_WAIT_MS + 1_000));
    }
  } finally {
    await Promise.all([reader.disconnect(), streams.stop().then(() => transport.close())]);
  }
});
