import { describe, expect, it } from 'vitest';
import { coalescingCommits } from '../../../connectors/kafka/offset-commits.js';
import type { TopicPartitionOffset } from '../../../state/index.js';

const at = (topic: string, partition: number, offset: number): TopicPartitionOffset => ({
  topic,
  partition,
  offset: String(offset),
});

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A commit function that records each request and answers once `release` is called. */
function fakeCommits() {
  const requests: string[][] = [];
  const pending: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const commit = (offsets: readonly TopicPartitionOffset[]) => {
    requests.push(offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).sort());
    return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
  };
  const release = async (error?: Error) => {
    await turn();
    const next = pending.shift();
    if (error) next?.reject(error);
    else next?.resolve();
    await turn();
  };
  return { commit, requests, release };
}

describe('coalescing offset commits', () => {
  it('sends the commits of one turn as one request', async () => {
    const fake = fakeCommits();
    const commit = coalescingCommits(fake.commit);
    const a = commit([at('in', 0, 10), at('in', 1, 5)]);
    const b = commit([at('in', 2, 7)]);
    await fake.release();
    await Promise.all([a, b]);
    expect(fake.requests).toEqual([['in:0@10', 'in:1@5', 'in:2@7']]);
  });

  it('keeps one request in flight; the commits meanwhile leave together, the latest offset of a partition kept', async () => {
    const fake = fakeCommits();
    const commit = coalescingCommits(fake.commit);
    const first = commit([at('in', 0, 10)]);
    await turn();
    let laterDone = false;
    const later = [
      commit([at('in', 0, 12), at('in', 1, 3)]),
      commit([at('in', 0, 11)]),
      commit([at('x', 0, 1)]),
    ];
    void Promise.all(later).then(() => (laterDone = true));
    expect(fake.requests).toHaveLength(1);
    await fake.release();
    await first;
    expect(laterDone).toBe(false);
    expect(fake.requests).toEqual([['in:0@10'], ['in:0@12', 'in:1@3', 'x:0@1']]);
    await fake.release();
    await Promise.all(later);
  });

  it('fails every commit of a failed request, and sends the next ones', async () => {
    const fake = fakeCommits();
    const commit = coalescingCommits(fake.commit);
    const a = commit([at('in', 0, 1)]);
    const b = commit([at('in', 1, 1)]);
    const failed = Promise.allSettled([a, b]);
    await fake.release(new Error('rebalancing'));
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const c = commit([at('in', 0, 2)]);
    await fake.release();
    await c;
    expect(fake.requests).toEqual([['in:0@1', 'in:1@1'], ['in:0@2']]);
  });
});
