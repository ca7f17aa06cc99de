import { afterEach, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import type { TopologyTestDriver as Driver } from '../../topology/index.js';
import { TopologyBuilder, TopologyTestDriver } from '../../topology/index.js';
import { ManualClock } from '../fakes/manual-clock.js';

let driver: Driver | undefined;
afterEach(async () => {
  await driver?.close();
  driver = undefined;
});

function tickingTopology() {
  return new TopologyBuilder()
    .source('input', { topic: 'in', value: codecs.string })
    .processor<string, string>('ticker', {
      parents: ['input'],
      processor: () => ({
        init(context) {
          context.schedule(1000, 'wall-clock', (time) =>
            context.forward({ key: 'wall', value: String(time), timestamp: time, headers: {} }),
          );
          context.schedule(60_000, 'stream-time', (time) =>
            context.forward({ key: 'stream', value: String(time), timestamp: time, headers: {} }),
          );
        },
        process: () => undefined,
      }),
    })
    .sink('output', { parents: ['ticker'], topic: 'out', value: codecs.string })
    .build();
}

async function start(clock: ManualClock, punctuationIntervalMs = 250): Promise<Driver> {
  driver = await TopologyTestDriver.create({
    topology: tickingTopology(),
    topics: [
      { topic: 'in', partitions: 1 },
      { topic: 'out', partitions: 1 },
    ],
    clock,
    config: { punctuationIntervalMs },
  });
  return driver;
}

it('fires wall-clock punctuators as the clock advances', async () => {
  const clock = new ManualClock();
  const driver = await start(clock, 100);
  await driver.pipeInput('in', 'a', 'x', { codec: codecs.string, timestamp: 0 });
  await driver.settle();
  clock.advance(2500);
  await new Promise((r) => setTimeout(r, 50));
  const ticks = (await driver.readOutput('out', codecs.string)).filter((r) => r.key === 'wall');
  expect(ticks.length).toBeGreaterThanOrEqual(1);
  expect(Number(ticks[0]!.value)).toBeGreaterThanOrEqual(clock.now() - 2500 + 1000);
});

it('fires stream-time punctuators as record timestamps advance, not with the clock', async () => {
  const clock = new ManualClock();
  const driver = await start(clock);
  await driver.pipeInput('in', 'a', 'x', { codec: codecs.string, timestamp: 10_000 });
  await driver.settle();
  expect((await driver.readOutput('out', codecs.string)).filter((r) => r.key === 'stream')).toHaveLength(0);
  await driver.pipeInput('in', 'a', 'y', { codec: codecs.string, timestamp: 70_000 });
  await driver.pipeInput('in', 'a', 'z', { codec: codecs.string, timestamp: 75_000 });
  await driver.settle();
  const fired = (await driver.readOutput('out', codecs.string)).filter((r) => r.key === 'stream');
  expect(fired.map((r) => r.value)).toEqual(['70000']);
});
