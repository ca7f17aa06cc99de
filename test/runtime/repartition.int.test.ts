import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';
import { brokers, createTopics, deleteTopics, kafka, produce, readTopic, unique } from './kafka-helpers.js';

const app = unique('repartition');
const input = `${app}-in`;
const output = `${app}-out`;
let stateDir = '';

afterAll(async () => {
  await deleteTopics([app]);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

it('re-keys through a repartition topic and keeps the order of each key', async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'repartition-'));
  await createTopics([
    { topic: input, partitions: 2 },
    { topic: output, partitions: 4 },
  ]);
  // The new key is the group in the value; every record of a group comes from one input key.
  const topology = countTopology({ input, output, rekey: (_key, value) => value.split(':')[0]! });
  const transport = new KafkaTransport({ brokers, clientId: app });
  const streams = new KafkaStreams({ topology, transport, config: { applicationId: app, stateDir } });
  await streams.start();
  const total = 1200;
  await produce(
    input,
    Array.from({ length: total }, (_, i) => ({ key: `source-${i % 12}`, value: `group-${i % 12}:${i}` })),
  );
  const records = await readTopic(output, total);
  const admin = kafka.admin();
  await admin.connect();
  const internal = (await admin.listTopics()).filter((t) => t.startsWith(app) && t.endsWith('-repartition'));
  await admin.disconnect();
  await streams.stop();
  await transport.close();

  expect(internal).toEqual([`${app}-by-key-repartition`]);
  expect(records).toHaveLength(total);
  const byKey = new Map<string, { count: number; seq: number }[]>();
  for (const r of records) {
    const { key, count, value } = JSON.parse(r.value!) as { key: string; count: number; value: string };
    byKey.set(key, [...(byKey.get(key) ?? []), { count, seq: Number(value.split(':')[1]) }]);
  }
  expect(byKey.size).toBe(12);
  for (const seen of byKey.values()) {
    expect(seen.map((s) => s.count)).toEqual(Array.from({ length: total / 12 }, (_, i) => i + 1));
    const seqs = seen.map((s) => s.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }
});
