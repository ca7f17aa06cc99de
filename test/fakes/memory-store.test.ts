import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.js';

async function collect(store: MemoryStore<number>, range: Parameters<MemoryStore<number>['range']>[0]) {
  const keys: string[] = [];
  for await (const [key] of store.range(range)) keys.push(key);
  return keys;
}

describe('MemoryStore (test fake)', () => {
  it('reads ranges as a sorted store would, whatever was written', async () => {
    const key = fc.stringMatching(/^[ab|]{0,4}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(key, fc.option(fc.integer(), { nil: null }))),
        fc.record(
          { prefix: key, gte: key, lt: key, limit: fc.integer({ min: 0, max: 5 }), reverse: fc.boolean() },
          { requiredKeys: [] },
        ),
        async (writes, range) => {
          const store = new MemoryStore<number>();
          const model = new Map<string, number>();
          await store.putAll(writes.map(([k, v]) => ({ key: k, value: v })));
          for (const [k, v] of writes) {
            if (v === null) model.delete(k);
            else model.set(k, v);
          }
          let expected = [...model.keys()]
            .sort()
            .filter(
              (k) =>
                (range.prefix === undefined || k.startsWith(range.prefix)) &&
                (range.gte === undefined || k >= range.gte) &&
                (range.lt === undefined || k < range.lt),
            );
          if (range.reverse) expected.reverse();
          if (range.limit !== undefined) expected = expected.slice(0, range.limit);
          expect(await collect(store, range)).toEqual(expected);
        },
      ),
    );
  });
});
