import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TableChange } from '../../state/index.js';
import { codecs } from '../../state/index.js';
import { EmbeddedTransport, TopologyTestDriver } from '../../topology/index.js';
import { enrichTopology } from '../fakes/enrich-topology.js';

let driver: TopologyTestDriver | undefined;
let directory = '';
afterEach(async () => {
  await driver?.close();
  driver = undefined;
  await rm(directory, { recursive: true, force: true });
});

const topology = enrichTopology({ input: 'in', output: 'out', table: 'names' });

it('serves a global table from memory, caught up before processing, and follows its changes', async () => {
  directory = await mkdtemp(join(tmpdir(), 'global-'));
  const topics = [
    { topic: 'in', partitions: 2 },
    { topic: 'out', partitions: 1 },
    { topic: 'names', partitions: 3, compacted: true },
  ];
  const log = await EmbeddedTransport.open(join(directory, 'log'));
  await log.admin.ensureTopics(topics);
  await (
    await log.producer()
  ).send([{ topic: 'names', partition: 1, key: Buffer.from('a'), value: Buffer.from('"alpha"') }]);
  await log.close();

  driver = await TopologyTestDriver.create({ topology, topics, directory });
  const names = driver.streams.table<string>('names')!;
  expect(names.get('a')).toBe('alpha');
  const changes: TableChange<string>[] = [];
  names.onChange((change) => changes.push(change));
  await driver.pipeInput('names', 'a', 'alpha-2');
  await driver.pipeInput('names', 'b', null);
  await driver.pipeInput('names', 'c', 'gamma');
  while (names.get('c') === undefined) await new Promise((r) => setTimeout(r, 5));
  await driver.pipeInput('in', 'a', 'x', { codec: codecs.string });
  await driver.pipeInput('in', 'c', 'y', { codec: codecs.string });
  await driver.settle();

  expect((await driver.readOutput('out', codecs.string)).map((r) => r.value).sort()).toEqual([
    'x:alpha-2',
    'y:gamma',
  ]);
  // Partitions of the table topic are read side by side: order holds per key only.
  expect([...changes].sort((x, y) => x.key.localeCompare(y.key))).toEqual([
    { key: 'a', value: 'alpha-2', previous: 'alpha' },
    { key: 'b', value: null, previous: null },
    { key: 'c', value: 'gamma', previous: null },
  ]);
  const owner = await driver.streams.ownerOf('in', 'a');
  expect(owner.local).toBe(true);
  expect((await driver.streams.metadata())[0]!.partitions).toHaveLength(2);
});
