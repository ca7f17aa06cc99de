import { describe, expect, it } from 'vitest';
import { TableWriter } from '../../app/service/table-writer.js';
import type {
  AppendResult,
  LogProducer,
  OutgoingRecord,
  ReadOnlyTable,
  TableChange,
  Transport,
} from '../../state/index.js';

/** A table replica fed by the fake producer, as the global table follows its topic. */
class FakeTable implements ReadOnlyTable<unknown> {
  readonly name = 'fake';
  readonly data = new Map<string, unknown>();
  private readonly listeners = new Set<(c: TableChange<unknown>) => void>();
  get(key: string) {
    return this.data.get(key);
  }
  entries() {
    return this.data.entries();
  }
  size() {
    return this.data.size;
  }
  writtenAt() {
    return undefined;
  }
  onChange(listener: (c: TableChange<unknown>) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  apply(r: OutgoingRecord): void {
    const key = r.key!.toString();
    const previous = this.data.get(key) ?? null;
    const value = r.value === null ? null : (JSON.parse(r.value.toString()) as unknown);
    if (value === null) this.data.delete(key);
    else this.data.set(key, value);
    for (const l of this.listeners) l({ key, value, previous });
  }
}

function setup(failKey?: string) {
  const table = new FakeTable();
  const sends: OutgoingRecord[][] = [];
  const producer: LogProducer = {
    async send(records): Promise<AppendResult> {
      sends.push([...records]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (records.some((r) => r.key?.toString() === failKey)) throw new Error(`refused ${failKey}`);
      // The replica sees the records a little after the acknowledgement.
      setTimeout(() => records.forEach((r) => table.apply(r)), 2);
      return [];
    },
    transaction: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
  const transport = { admin: { partitionCount: async () => 3 } } as unknown as Transport;
  const writer = new TableWriter<unknown>(transport, producer, 'subs', () => table, 1000);
  return { table, sends, writer };
}

describe('TableWriter', () => {
  it('sends concurrent writes together and returns once the replica shows each', async () => {
    const { table, sends, writer } = setup();
    await Promise.all(Array.from({ length: 40 }, (_, i) => writer.write(`k${i}`, { n: i })));
    expect(sends.length).toBeLessThan(5);
    expect(sends.flat()).toHaveLength(40);
    for (let i = 0; i < 40; i++) expect(table.get(`k${i}`)).toEqual({ n: i });
    await writer.write('k1', null);
    expect(table.get('k1')).toBeUndefined();
  });

  it('gives each write its own outcome when a batch fails', async () => {
    const { table, writer } = setup('bad');
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((k) => writer.write(k, { k })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(table.get('a')).toEqual({ k: 'a' });
    expect(table.get('bad')).toBeUndefined();
  });
});
