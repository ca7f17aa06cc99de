/**
 * A long batch gives the event loop back to timers and I/O (the instance's HTTP API, health
 * probes) every few tens of milliseconds, rather than holding it until the batch ends.
 */
import { describe, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import { TopologyBuilder, TopologyTestDriver } from '../../topology/index.js';

const RECORDS = 100;
const WORK_MS = 8;

describe('a long batch', () => {
  it('lets timers run while it is processed', async () => {
    const topology = new TopologyBuilder()
      .source('in', { topic: 'in', value: codecs.string })
      .processor('busy', {
        parents: ['in'],
        processor: () => ({
          process() {
            // Synchronous work, as parsing and matching a change are.
            const until = Date.now() + WORK_MS;
            while (Date.now() < until);
          },
        }),
      })
      .build();
    const driver = await TopologyTestDriver.create({ topology, topics: [{ topic: 'in', partitions: 1 }] });
    let longestGap = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    try {
      // One append: the records reach the task as one batch of RECORDS × WORK_MS.
      await (
        await driver.transport.producer()
      ).send(
        Array.from({ length: RECORDS }, (_, i) => ({
          topic: 'in',
          partition: 0,
          key: Buffer.from('k'),
          value: Buffer.from(`v${i}`),
          headers: {},
          timestamp: Date.now(),
        })),
      );
      last = Date.now();
      await driver.settle();
    } finally {
      clearInterval(ticker);
      await driver.close();
    }
    expect(longestGap).toBeLessThan((RECORDS * WORK_MS) / 2);
  });
});
