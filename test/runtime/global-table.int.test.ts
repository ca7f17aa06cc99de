import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { KafkaTransport } from '../../connectors/index.js';
import type { TableChange } from '../../state/index.js';
import { KafkaStreams } from '../../topology/index.js';
import { enrichTopology } from '../fakes/enrich-topology.js';
import { brokers, createTopics, deleteTopics, produce, readTopic, unique, waitFor } from './kafka-helpers.js';

const app = unique('global');
const input = `${app}-in`;
const output = `${app}-out`;
const table = `${app}-table`;
let stateDir = '';

afterAll(async () => {
  await deleteTopics([app]);
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

it('loads a global table before processing and follows its updates while running', async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'global-'));
  await createTopics([
    { topic: input, partitions: 2 },
    { topic: output, partitions: 1 },
    { topic: table, partitions: 3 },
  ]);
  await produce(table, [
    { key: 'a', value: JSON.stringify('alpha') },
    { key: 'b', value: JSON.stringify('beta') },
  ]);
  const topology = enrichTopology({ input, output, table });
  const transport = new KafkaTransport({ brokers, clientId: app });
  const streams = new KafkaStreams({ topology, transport, config: { applicationId: app, stateDir } });
  await streams.start();
  const names = streams.table<string>('names')!;
  expect(names.size()).toBe(2);
  const changes: TableChange<string>[] = [];
  names.onChange((change) => changes.push(change));

  await produce(input, [{ key: 'a', value: 'first' }]);
  // The table's reader and the input's consumer fetch on their own: the update must not overtake
  // the record it is not meant for.
  expect((await readTopic(output, 1)).map((r) => r.value)).toEqual(['first:alpha']);
  await produce(table, [
    { key: 'a', value: JSON.stringify('alpha-2') },
    { key: 'c', value: JSON.stringify('gamma') },
  ]);
  await waitFor(() => names.get('c') === 'gamma');
  await produce(input, [
    { key: 'a', value: 'second' },
    { key: 'c', value: 'third' },
  ]);
  const records = await readTopic(output, 3);
  await streams.stop();
  await transport.close();

  expect(records.map((r) => r.value).sort()).toEqual(['first:alpha', 'second:alpha-2', 'third:gamma']);
  expect(changes).toContainEqual({ key: 'a', value: 'alpha-2', previous: 'alpha' });
  expect(changes).toContainEqual({ key: 'c', value: 'gamma', previous: null });
});
