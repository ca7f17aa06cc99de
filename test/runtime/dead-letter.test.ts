import { afterEach, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import { TopologyBuilder, TopologyTestDriver } from '../../topology/index.js';

let driver: TopologyTestDriver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

const topology = (policy: 'dead-letter' | 'fail') =>
  new TopologyBuilder()
    .source('input', { topic: 'in', value: codecs.json<number>() })
    .processor<number, number>('half', {
      parents: ['input'],
      onError: policy,
      processor: () => ({
        async process(record, context) {
          if (record.value % 2 !== 0) throw new Error(`odd ${record.value}`);
          await context.forward({ ...record, value: record.value / 2 });
        },
      }),
    })
    .sink('output', { parents: ['half'], topic: 'out', value: codecs.json<number>() })
    .build();

const topics = [
  { topic: 'in', partitions: 1 },
  { topic: 'out', partitions: 1 },
];

it('dead-letters failing and undecodable records with their reason and keeps going', async () => {
  driver = await TopologyTestDriver.create({ topology: topology('dead-letter'), topics });
  await driver.pipeInput('in', 'k', 2);
  await driver.pipeRaw('in', 'k', Buffer.from('{oops'));
  await driver.pipeInput('in', 'k', 3, { headers: { trace: Buffer.from('t-1') } });
  await driver.pipeInput('in', 'k', 8);
  await driver.settle();
  expect((await driver.readOutput<number>('out')).map((r) => r.value)).toEqual([1, 4]);
  const dead = await driver.readOutput('in.dlq', codecs.string);
  expect(dead.map((r) => r.value)).toEqual(['{oops', '3']);
  expect(dead.map((r) => r.headers['substream.dlq.stage']?.toString())).toEqual(['input', 'half']);
  expect(dead[1]!.headers['substream.dlq.reason']?.toString()).toBe('odd 3');
  expect(dead[1]!.headers['substream.dlq.offset']?.toString()).toBe('2');
  expect(dead[1]!.headers['trace']?.toString()).toBe('t-1');
});

it('fails the instance when the stage policy is fail, without committing the failing record', async () => {
  driver = await TopologyTestDriver.create({ topology: topology('fail'), topics });
  await driver.pipeInput('in', 'k', 2);
  await driver.pipeInput('in', 'k', 3);
  await expect(driver.settle()).rejects.toThrow(/Stage half failed on in\[0\]@1: odd 3/);
  expect(driver.streams.state).toBe('failed');
  // Commits run at the commit interval: whatever was committed stops before the failing record.
  expect(await driver.transport.committed('test', 'in', 0)).toBeLessThanOrEqual(1n);
});
