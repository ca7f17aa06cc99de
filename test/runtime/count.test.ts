import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codecs, type MetricsPort } from '../../state/index.js';
import { TopologyTestDriver } from '../../topology/index.js';
import { countTopology } from '../fakes/count-topology.js';

describe('a stateful topology on the test driver', () => {
  let directory: string;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const topology = countTopology({ input: 'in', output: 'out' });
  const topics = [
    { topic: 'in', partitions: 3 },
    { topic: 'out', partitions: 3 },
  ];

  it('counts per key, and keeps counting from its stores after a restart', async () => {
    directory = await mkdtemp(join(tmpdir(), 'count-'));
    let driver = await TopologyTestDriver.create({ topology, topics, directory });
    for (let i = 0; i < 30; i += 1)
      await driver.pipeInput('in', `k${i % 5}`, `v${i}`, { codec: codecs.string });
    await driver.settle();
    const first = await driver.readOutput<{ key: string; count: number }>('out');
    expect(first).toHaveLength(30);
    expect(Math.max(...first.filter((r) => r.key === 'k0').map((r) => r.value!.count))).toBe(6);
    await driver.close();

    driver = await TopologyTestDriver.create({ topology, topics, directory });
    await driver.pipeInput('in', 'k0', 'again', { codec: codecs.string });
    await driver.settle();
    const out = await driver.readOutput<{ key: string; count: number; value: string }>('out');
    expect(out.find((r) => r.value!.value === 'again')!.value).toMatchObject({ key: 'k0', count: 7 });
    await driver.close();
  });

  it('counts the same with no memory for its store caches: every read goes to LevelDB', async () => {
    directory = await mkdtemp(join(tmpdir(), 'count-'));
    const driver = await TopologyTestDriver.create({
      topology,
      topics,
      directory,
      config: { storeCacheMaxBytes: 0 },
    });
    for (let i = 0; i < 30; i += 1) {
      await driver.pipeInput('in', `k${i % 5}`, `v${i}`, { codec: codecs.string });
      await driver.settle();
    }
    const out = await driver.readOutput<{ key: string; count: number }>('out');
    expect(out).toHaveLength(30);
    for (let k = 0; k < 5; k += 1)
      expect(out.filter((r) => r.key === `k${k}`).map((r) => r.value!.count)).toEqual([1, 2, 3, 4, 5, 6]);
    await driver.close();
  });
  it('reports the bytes its store caches hold', async () => {
    directory = await mkdtemp(join(tmpdir(), 'count-'));
    const gauges = new Map<string, number>();
    const metrics: MetricsPort = {
      counter: () => ({ inc: () => undefined }),
      gauge: (name) => ({ set: (_labels, value) => void gauges.set(name, value) }),
    };
    const driver = await TopologyTestDriver.create({ topology, topics, directory, metrics });
    for (let i = 0; i < 30; i += 1)
      await driver.pipeInput('in', `k${i % 5}`, `v${i}`, { codec: codecs.string });
    await driver.settle();
    // Five keys' counts, each at least its key and a few bytes of value.
    expect(gauges.get('substream_store_cache_bytes')).toBeGreaterThan(5 * 10);
    await driver.close();
  });
});
