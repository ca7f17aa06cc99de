import { describe, expect, it } from 'vitest';
import { codecs } from '../../state/index.js';
import type { Processor } from '../../topology/index.js';
import { TopologyBuilder, TopologyTestDriver } from '../../topology/index.js';
import { waitFor } from '../support/infra.js';

/** A processor that accepts records at once and finishes them later, as the delivery stage does. */
function backgroundProcessor(seen: string[], finished: Set<string>): Processor<string> {
  const offsets: string[] = [];
  return {
    process(record, ctx) {
      seen.push(record.value);
      offsets.push(ctx.offset!);
    },
    committableOffset() {
      const firstOpen = offsets.find((o) => !finished.has(o));
      if (firstOpen !== undefined) return firstOpen;
      const last = offsets.at(-1);
      return last === undefined ? undefined : (BigInt(last) + 1n).toString();
    },
  };
}

describe('a processor finishing records in the background', () => {
  it('holds the committed offset back while the position moves on, and releases it when done', async () => {
    const seen: string[] = [];
    const finished = new Set<string>();
    const topology = new TopologyBuilder()
      .source('in', { topic: 'in', value: codecs.string })
      .processor('work', { parents: ['in'], processor: () => backgroundProcessor(seen, finished) })
      .build();
    const driver = await TopologyTestDriver.create({ topology, topics: [{ topic: 'in', partitions: 1 }] });
    try {
      for (let i = 0; i < 5; i += 1) await driver.pipeInput('in', 'k', `v${i}`, { codec: codecs.string });
      // settle() waits for commits, which are held back here: wait for the records instead.
      await waitFor(() => (seen.length >= 5 ? true : undefined));
      await new Promise((r) => setTimeout(r, 300));
      // Every record handed over once (the position moved on), none committed (none finished).
      expect(seen).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
      expect(await driver.transport.committed('test', 'in', 0)).toBe(0n);

      finished.add('0').add('1');
      await driver.pipeInput('in', 'k', 'v5', { codec: codecs.string });
      await waitFor(async () =>
        (await driver.transport.committed('test', 'in', 0)) === 2n ? true : undefined,
      );
      expect(seen).toHaveLength(6);

      for (const o of ['2', '3', '4', '5']) finished.add(o);
      await driver.pipeInput('in', 'k', 'v6', { codec: codecs.string });
      finished.add('6');
      await driver.settle();
      expect(seen).toHaveLength(7);
      expect(await driver.transport.committed('test', 'in', 0)).toBeGreaterThanOrEqual(6n);
    } finally {
      await driver.close();
    }
  });
});
