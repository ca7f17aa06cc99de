import { describe, expect, it } from 'vitest';
import { firstTopicsFirst, orderedFetch } from '../../../connectors/kafka/batch-order.js';

interface Batch {
  topic: string;
  partition: number;
}

const batch = (topic: string, partition: number): Batch => ({ topic, partition });
const names = (batches: readonly Batch[]): string[] => batches.map((b) => `${b.topic}-${b.partition}`);

describe('firstTopicsFirst', () => {
  it('puts the batches of the first topics ahead, each group in the order it came', () => {
    const round = [
      batch('changes', 0),
      batch('app-matches-repartition', 2),
      batch('changes', 1),
      batch('outcomes', 0),
      batch('app-matches-repartition', 0),
    ];
    expect(names(firstTopicsFirst(round, new Set(['app-matches-repartition'])))).toEqual([
      'app-matches-repartition-2',
      'app-matches-repartition-0',
      'changes-0',
      'changes-1',
      'outcomes-0',
    ]);
  });

  it('keeps the round as it is when no batch, or every batch, is of a first topic', () => {
    const round = [batch('changes', 0), batch('changes', 1)];
    expect(firstTopicsFirst(round, new Set(['other']))).toBe(round);
    expect(firstTopicsFirst(round, new Set(['changes']))).toBe(round);
    expect(firstTopicsFirst(round, new Set())).toBe(round);
  });
});

describe('orderedFetch', () => {
  it("reorders each round by its group's first topics, and leaves other groups' rounds alone", async () => {
    const round = [batch('changes', 0), batch('app-matches-repartition', 0)];
    const fetch = orderedFetch<{ groupId: string }, Batch>(
      async function (this: { groupId: string }) {
        return round;
      },
      (groupId) => (groupId === 'app' ? new Set(['app-matches-repartition']) : undefined),
    );
    expect(names(await fetch.call({ groupId: 'app' }, 1))).toEqual([
      'app-matches-repartition-0',
      'changes-0',
    ]);
    expect(await fetch.call({ groupId: 'sink' }, 1)).toBe(round);
  });
});
