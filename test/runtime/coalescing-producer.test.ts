import { describe, expect, it } from 'vitest';
import type { AppendResult, LogProducer, OutgoingRecord } from '../../state/index.js';
import { coalescingProducer } from '../../topology/runtime/coalescing-producer.js';

const record = (topic: string, partition: number, value: string): OutgoingRecord => ({
  topic,
  partition,
  key: null,
  value: Buffer.from(value),
});

/** A producer that records each send and answers once `release` is called. */
function fakeProducer() {
  const sends: OutgoingRecord[][] = [];
  const pending: { resolve: (r: AppendResult) => void; reject: (e: unknown) => void }[] = [];
  let offset = 0;
  const producer: LogProducer = {
    send: (records) => {
      sends.push([...records]);
      return new Promise<AppendResult>((resolve, reject) => {
        const last = new Map<string, { topic: string; partition: number; offset: string }>();
        for (const r of records) {
          last.set(`${r.topic}:${r.partition}`, {
            topic: r.topic,
            partition: r.partition,
            offset: String(offset),
          });
          offset += 1;
        }
        pending.push({ resolve: () => resolve([...last.values()]), reject });
      });
    },
    transaction: () => Promise.reject(new Error('not transactional')),
    close: () => Promise.resolve(),
  };
  const release = async (error?: Error, newest = false) => {
    await new Promise((r) => setImmediate(r));
    const next = newest ? pending.pop() : pending.shift();
    if (error) next?.reject(error);
    else next?.resolve([]);
    await new Promise((r) => setImmediate(r));
  };
  return { producer, sends, release };
}

describe('the coalescing producer', () => {
  it('joins the sends of one turn, answering each with its own partitions', async () => {
    const fake = fakeProducer();
    const p = coalescingProducer(fake.producer);
    const a = p.send([record('out', 0, 'a1'), record('log-a', 0, 'a2')]);
    const b = p.send([record('out', 1, 'b1'), record('log-b', 1, 'b2')]);
    await fake.release();
    expect(fake.sends.map((s) => s.map((r) => String(r.value)))).toEqual([['a1', 'a2', 'b1', 'b2']]);
    expect((await a).map((o) => `${o.topic}:${o.partition}`).sort()).toEqual(['log-a:0', 'out:0']);
    expect((await b).map((o) => `${o.topic}:${o.partition}`).sort()).toEqual(['log-b:1', 'out:1']);
  });

  it('keeps one joined send in flight, the next ones waiting in order', async () => {
    const fake = fakeProducer();
    const p = coalescingProducer(fake.producer);
    const first = p.send([record('t', 0, '1')]);
    await new Promise((r) => setImmediate(r));
    expect(fake.sends).toHaveLength(1);
    const second = p.send([record('t', 0, '2')]);
    const third = p.send([record('t', 1, '3')]);
    await new Promise((r) => setImmediate(r));
    expect(fake.sends).toHaveLength(1);
    await fake.release();
    await first;
    expect(fake.sends.map((s) => s.map((r) => String(r.value)))).toEqual([['1'], ['2', '3']]);
    await fake.release();
    await Promise.all([second, third]);
  });

  it('fails every send of a joined send that fails, and goes on with the next', async () => {
    const fake = fakeProducer();
    const p = coalescingProducer(fake.producer);
    const a = p.send([record('t', 0, 'a')]);
    const b = p.send([record('t', 1, 'b')]);
    const failed = Promise.allSettled([a, b]);
    await fake.release(new Error('broker gone'));
    const settled = await failed;
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    const c = p.send([record('t', 0, 'c')]);
    await fake.release();
    await expect(c).resolves.toBeDefined();
    expect(fake.sends).toHaveLength(2);
  });

  it('keeps up to the given number of joined sends in flight, the next ones waiting in order', async () => {
    const fake = fakeProducer();
    const p = coalescingProducer(fake.producer, 2);
    const first = p.send([record('t', 0, '1')]);
    await new Promise((r) => setImmediate(r));
    const second = p.send([record('t', 1, '2')]);
    await new Promise((r) => setImmediate(r));
    expect(fake.sends.map((s) => s.map((r) => String(r.value)))).toEqual([['1'], ['2']]);
    const third = p.send([record('t', 2, '3')]);
    const fourth = p.send([record('t', 3, '4')]);
    await new Promise((r) => setImmediate(r));
    expect(fake.sends).toHaveLength(2);
    // The second is acknowledged first: its runner takes the two that waited, joined.
    await fake.release(undefined, true);
    expect((await second).map((o) => `${o.topic}:${o.partition}`)).toEqual(['t:1']);
    expect(fake.sends.map((s) => s.map((r) => String(r.value)))).toEqual([['1'], ['2'], ['3', '4']]);
    await fake.release();
    await fake.release();
    expect((await first).map((o) => `${o.topic}:${o.partition}`)).toEqual(['t:0']);
    expect((await third).map((o) => `${o.topic}:${o.partition}`)).toEqual(['t:2']);
    expect((await fourth).map((o) => `${o.topic}:${o.partition}`)).toEqual(['t:3']);
  });

  it('refuses a number of sends in flight that is not a positive integer', () => {
    expect(() => coalescingProducer(fakeProducer().producer, 0)).toThrow(RangeError);
  });
});
