import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { EmbeddedTransport } from '../../topology/index.js';

let directory = '';
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

it('keeps records, offsets and committed group offsets across a reopen', async () => {
  directory = await mkdtemp(join(tmpdir(), 'log-'));
  let log = await EmbeddedTransport.open(directory);
  await log.admin.ensureTopics([{ topic: 't', partitions: 2 }]);
  const producer = await log.producer();
  const appended = await producer.send([
    { topic: 't', partition: 1, key: Buffer.from('a'), value: Buffer.from('1') },
    { topic: 't', partition: 1, key: Buffer.from('b'), value: null, headers: { h: Buffer.from('x') } },
  ]);
  expect(appended).toEqual([{ topic: 't', partition: 1, offset: '1' }]);
  const transaction = await producer.transaction();
  await transaction.send([{ topic: 't', partition: 0, key: null, value: Buffer.from('2') }]);
  await transaction.sendOffsets('g', [{ topic: 't', partition: 1, offset: '2' }]);
  expect((await log.admin.endOffsets('t')).get(0)).toBe('0');
  await transaction.commit();
  await log.close();

  log = await EmbeddedTransport.open(directory);
  expect(Object.fromEntries(await log.admin.endOffsets('t'))).toEqual({ 0: '1', 1: '2' });
  expect(await log.committed('g', 't', 1)).toBe(2n);
  const records = await log.read('t', 1, 0n, 10);
  expect(
    records.map((r) => [
      r.offset,
      r.key?.toString(),
      r.value?.toString() ?? null,
      r.headers['h']?.toString(),
    ]),
  ).toEqual([
    ['0', 'a', '1', undefined],
    ['1', 'b', null, 'x'],
  ]);
  await log.close();
});

it('hands batches to a group consumer from the committed offset, and only committed transactions', async () => {
  directory = await mkdtemp(join(tmpdir(), 'log-'));
  const log = await EmbeddedTransport.open(directory);
  await log.admin.ensureTopics([{ topic: 't', partitions: 1 }]);
  const producer = await log.producer();
  await producer.send(
    [0, 1, 2].map((i) => ({ topic: 't', partition: 0, key: null, value: Buffer.from(String(i)) })),
  );
  const aborted = await producer.transaction();
  await aborted.send([{ topic: 't', partition: 0, key: null, value: Buffer.from('never') }]);
  await aborted.abort();
  await log.admin.ensureTopics([]);
  const seen: string[] = [];
  const handlers = {
    assigned: async () => undefined,
    revoked: async () => undefined,
    failed: (error: unknown) => {
      throw error;
    },
    batch: async (
      records: readonly { offset: string; value: Buffer | null }[],
      control: { markProcessed(n: string): void },
    ) => {
      for (const r of records) seen.push(r.value!.toString());
      control.markProcessed((BigInt(records.at(-1)!.offset) + 1n).toString());
    },
  };
  const first = await log.groupConsumer({
    groupId: 'g',
    topics: ['t'],
    readCommitted: true,
    commitOffsets: true,
    handlers,
  });
  while (seen.length < 3) await new Promise((r) => setTimeout(r, 5));
  await first.stop();
  await producer.send([{ topic: 't', partition: 0, key: null, value: Buffer.from('3') }]);
  const second = await log.groupConsumer({
    groupId: 'g',
    topics: ['t'],
    readCommitted: true,
    commitOffsets: true,
    handlers,
  });
  while (seen.length < 4) await new Promise((r) => setTimeout(r, 5));
  await second.stop();
  expect(seen).toEqual(['0', '1', '2', '3']);
  await log.close();
});
