import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AheadBatch,
  type AheadFetch,
  type AheadGroup,
  fetchAhead,
  fetchAheadStats,
  positionAfter,
} from '../../../connectors/kafka/fetch-ahead.js';
import { KAFKAJS_SRC } from '../../../connectors/kafka/kafkajs-src.js';

const require = createRequire(import.meta.url);
const Batch = require(join(KAFKAJS_SRC, 'consumer/batch.js')) as new (
  topic: string,
  fetchedOffset: string,
  data: object,
) => AheadBatch;

const TOPIC = 't';

/** Partition data as the broker answers it: records `from` up to `to` (exclusive). */
const data = (partition: number, from: number, to: number, highWatermark = to) => ({
  partition,
  highWatermark: String(highWatermark),
  abortedTransactions: [],
  messages: Array.from({ length: to - from }, (_, i) => ({
    offset: String(from + i),
    isControlRecord: false,
  })),
});

/**
 * A consumer group over one topic whose log holds `end[p]` records per partition. Its broker
 * answers a fetch with at most `perFetch` records a partition from the asked offset (the high
 * watermark says how many there are); `position` is what kafkajs's offset manager would say
 * (records resolved so far).
 */
function fakeGroup(end: number[], perFetch = 2) {
  const position = end.map(() => 0);
  const asked: { via: 'ahead' | 'regular'; offsets: string[] }[] = [];
  let failNext = false;
  const seeks = new Set<number>();
  const paused = new Set<number>();
  const partitions = end.map((_, p) => p);
  const answer = (offsets: { partition: number; fetchOffset: string }[]) => ({
    responses: [
      {
        topicName: TOPIC,
        partitions: offsets.map((o) => {
          const from = Number(o.fetchOffset);
          const last = end[o.partition]!;
          return data(o.partition, from, Math.min(last, from + perFetch), last);
        }),
      },
    ],
  });
  const group: AheadGroup = {
    groupId: 'g',
    minBytes: 65_536,
    maxWaitTime: 5,
    maxBytes: 1 << 20,
    maxBytesPerPartition: 1 << 20,
    isolationLevel: 1,
    cluster: {
      refreshMetadataIfNecessary: async () => undefined,
      findBroker: async () => ({
        fetch: async (request) => {
          // Answered after the round's records are processed, as a broker's answer arrives later.
          await new Promise((resolve) => setImmediate(resolve));
          if (failNext) {
            failNext = false;
            throw new Error('connection closed');
          }
          const offsets = request.topics[0]!.partitions;
          asked.push({ via: 'ahead', offsets: offsets.map((o) => o.fetchOffset) });
          return answer(offsets);
        },
      }),
    },
    subscriptionState: {
      assigned: () => [{ topic: TOPIC, partitions }],
      active: () => [{ topic: TOPIC, partitions: partitions.filter((p) => !paused.has(p)) }],
      isPaused: (_topic, p) => paused.has(p),
    },
    offsetManager: {
      nextOffset: (_topic, p) => String(position[p]),
      committedOffsets: () => ({ [TOPIC]: Object.fromEntries(partitions.map((p) => [p, '0'])) }),
    },
    seekOffset: {
      get size() {
        return seeks.size;
      },
      has: (_topic, p) => seeks.has(p),
    },
    checkForStaleAssignment: () => undefined,
    recoverFromFetch: async () => undefined,
    filterPartitionsByNode: (_node, tps) => tps,
  };
  // kafkajs's own fetch: from the resolved positions of the partitions not paused.
  const regular: AheadFetch = async function (this: AheadGroup) {
    const offsets = partitions
      .filter((p) => !paused.has(p))
      .map((p) => ({ partition: p, fetchOffset: String(position[p]) }));
    asked.push({ via: 'regular', offsets: offsets.map((o) => o.fetchOffset) });
    return answer(offsets).responses[0]!.partitions.map(
      (d) => new Batch(TOPIC, String(position[d.partition]), d),
    );
  };
  /** Processes batches as the runtime does: each to its end (or `upTo` records of it). */
  const process = (batches: AheadBatch[], upTo = Number.POSITIVE_INFINITY): string[] => {
    const seen: string[] = [];
    for (const batch of batches) {
      const taken = batch.messages.slice(0, upTo);
      for (const m of taken) seen.push(`${batch.partition}:${m.offset}`);
      const last = taken.at(-1);
      if (last !== undefined) position[batch.partition] = Number(last.offset) + 1;
    }
    return seen;
  };
  return {
    group,
    regular,
    asked,
    process,
    position,
    end,
    seeks,
    paused,
    failNextFetch: () => {
      failNext = true;
    },
  };
}

beforeEach(() => {
  fetchAheadStats.sent = 0;
  fetchAheadStats.used = 0;
  fetchAheadStats.dropped = 0;
  fetchAheadStats.failed = 0;
});

describe('positionAfter', () => {
  it('is after the last record handed out, after records all filtered out, or where the batch was asked from', () => {
    expect(positionAfter(new Batch(TOPIC, '5', data(0, 5, 9)))).toBe('9');
    const control = {
      ...data(0, 5, 7),
      messages: [
        { offset: '5', isControlRecord: true },
        { offset: '6', isControlRecord: true },
      ],
    };
    expect(positionAfter(new Batch(TOPIC, '5', control))).toBe('7');
    expect(positionAfter(new Batch(TOPIC, '5', data(0, 5, 5)))).toBe('5');
  });
});

describe('fetchAhead', () => {
  it('answers the rounds with fetches sent ahead while records are left behind, every record once and in order', async () => {
    const f = fakeGroup([5, 3]);
    const fetch = fetchAhead(f.regular, () => true);
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) seen.push(...f.process(await fetch.call(f.group, 1)));
    expect(seen).toEqual(['0:0', '0:1', '1:0', '1:1', '0:2', '0:3', '1:2', '0:4']);
    // The third round caught up with both partitions, so the fourth fetched as kafkajs does.
    expect(f.asked.map((a) => a.via)).toEqual(['regular', 'ahead', 'ahead', 'regular']);
    expect(f.asked[1]!.offsets).toEqual(['2', '2']);
    expect(f.asked[2]!.offsets).toEqual(['4', '3']);
    expect(fetchAheadStats).toMatchObject({ used: 2, dropped: 0 });
  });

  it('drops batches cut short (the position is not where they were fetched from) and fetches them again from the position', async () => {
    const f = fakeGroup([4, 4]);
    const fetch = fetchAhead(f.regular, () => true);
    // Only the first record of each batch is processed (a rebalance ended the batches early).
    const seen = f.process(await fetch.call(f.group, 1), 1);
    seen.push(...f.process(await fetch.call(f.group, 1)));
    seen.push(...f.process(await fetch.call(f.group, 1)));
    expect(seen).toEqual(['0:0', '1:0', '0:1', '0:2', '1:1', '1:2', '0:3', '1:3']);
    expect(f.asked.map((a) => a.via)).toEqual(['regular', 'ahead', 'regular', 'ahead']);
    expect(fetchAheadStats).toMatchObject({ used: 1, dropped: 2 });
  });

  it('hands out the batches still current and drops the others', async () => {
    const f = fakeGroup([4, 4]);
    const fetch = fetchAhead(f.regular, () => true);
    const first = await fetch.call(f.group, 1);
    // Partition 0 is processed to its end, partition 1 only to its first record.
    const seen = f.process(first.filter((b) => b.partition === 0));
    seen.push(
      ...f.process(
        first.filter((b) => b.partition === 1),
        1,
      ),
    );
    for (let round = 0; round < 3; round++) seen.push(...f.process(await fetch.call(f.group, 1)));
    expect(seen).toEqual(['0:0', '0:1', '1:0', '0:2', '0:3', '1:1', '1:2', '1:3']);
    expect(f.asked.map((a) => a.via)).toEqual(['regular', 'ahead', 'regular', 'ahead']);
    expect(f.asked[3]!.offsets).toEqual(['4', '3']);
    expect(fetchAheadStats).toMatchObject({ used: 2, dropped: 1 });
  });

  it('leaves a round to kafkajs when a seek waits, and drops batches of partitions paused meanwhile', async () => {
    const f = fakeGroup([4, 4]);
    const fetch = fetchAhead(f.regular, () => true);
    f.process(await fetch.call(f.group, 1));
    f.seeks.add(0);
    await fetch.call(f.group, 1);
    expect(f.asked.filter((a) => a.via === 'regular')).toHaveLength(2);
    expect(fetchAheadStats.used).toBe(0);

    const g = fakeGroup([4, 4]);
    const fetchG = fetchAhead(g.regular, () => true);
    g.process(await fetchG.call(g.group, 1));
    g.paused.add(1);
    const batches = await fetchG.call(g.group, 1);
    expect(batches.map((b) => b.partition)).toEqual([0]);
    expect(fetchAheadStats).toMatchObject({ used: 1, dropped: 1 });
  });

  it('falls back to the regular fetch when the fetch ahead failed', async () => {
    const f = fakeGroup([4]);
    const fetch = fetchAhead(f.regular, () => true);
    f.failNextFetch();
    f.process(await fetch.call(f.group, 1));
    expect(f.process(await fetch.call(f.group, 1))).toEqual(['0:2', '0:3']);
    expect(f.asked.map((a) => a.via)).toEqual(['regular', 'regular']);
    expect(fetchAheadStats.failed).toBe(1);
  });

  it('sends nothing ahead after a fetch without records, for a consumer that keeps up, nor for groups not enabled', async () => {
    for (const [end, enabled] of [
      [0, true],
      [2, true],
      [4, false],
    ] as const) {
      const f = fakeGroup([end]);
      const fetch = fetchAhead(f.regular, () => enabled);
      f.process(await fetch.call(f.group, 1));
      f.process(await fetch.call(f.group, 1));
      expect(f.asked.map((a) => a.via)).toEqual(['regular', 'regular']);
    }
    expect(fetchAheadStats.sent).toBe(0);
  });
});
