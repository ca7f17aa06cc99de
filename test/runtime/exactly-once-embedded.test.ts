import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import { TopologyTestDriver } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';

let directory = '';
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

it('runs exactly_once on the embedded log: outputs, changelog and offsets commit together; stores restore after a wipe', async () => {
  directory = await mkdtemp(join(tmpdir(), 'eos-'));
  const topology = countTopology({ input: 'in', output: 'out' });
  const topics = [
    { topic: 'in', partitions: 2 },
    { topic: 'out', partitions: 2 },
  ];
  const config = { processingGuarantee: 'exactly_once' as const };
  let driver = await TopologyTestDriver.create({ topology, topics, directory, config });
  for (let i = 0; i < 20; i += 1)
    await driver.pipeInput('in', `k${i % 4}`, `v${i}`, { codec: codecs.string });
  await driver.settle();
  expect(await driver.readOutput('out')).toHaveLength(20);
  await driver.close();

  // Losing the local state (a new machine, or an unclean stop) restores it from the changelog.
  const state = join(directory, 'state', 'test');
  for (const task of await readdir(state)) await rm(join(state, task), { recursive: true, force: true });
  driver = await TopologyTestDriver.create({ topology, topics, directory, config });
  await driver.pipeInput('in', 'k1', 'last', { codec: codecs.string });
  await driver.settle();
  const out = await driver.readOutput<{ key: string; count: number; value: string }>('out');
  expect(out.find((r) => r.value!.value === 'last')!.value!.count).toBe(6);
  await driver.close();
});
