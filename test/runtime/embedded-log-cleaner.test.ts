import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingRecord } from '../../state/index.js';
import { EmbeddedTransport } from '../../topology/index.js';

const HOUR = 3600_000;
let directory = '';
let clock = 0;

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function open(): Promise<EmbeddedTransport> {
  return EmbeddedTransport.open(directory, {
    cleaner: {
      now: () => clock,
      intervalMs: 3600_000,
      retentionMs: 24 * HOUR,
      tombstoneRetentionMs: HOUR,
      recordsPerPass: 3,
    },
  });
}

const rec = (topic: string, key: string | null, value: string | null, timestamp = clock): OutgoingRecord => ({
  topic,
  partition: 0,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  timestamp,
});

async function contents(log: EmbeddedTransport, topic: string): Promise<string[]> {
  const records = await log.read(topic, 0, 0n, 1000);
  return records.map((r) => `${r.offset}:${r.key?.toString() ?? '-'}=${r.value?.toString() ?? 'null'}`);
}

/** Passes until one removes nothing more (each pass is bounded to a few records). */
async function clean(log: EmbeddedTransport): Promise<number> {
  let removed = 0;
  for (let i = 0; i < 20; i++) {
    const pass = await log.cleaner!.pass();
    removed += pass.removed;
    if (pass.examined === 0) break;
  }
  return removed;
}

describe('embedded log cleaner', () => {
  it('compacts a compacted topic to the latest value per key, tombstones after their delay', async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-clean-'));
    clock = Date.parse('2026-01-01T00:00:00Z');
    let log = await open();
    await log.admin.ensureTopics([{ topic: 'table', partitions: 1, compacted: true }]);
    const producer = await log.producer();
    await producer.send([
      rec('table', 'k1', 'v1'),
      rec('table', 'k2', 'v2'),
      rec('table', 'k1', 'v3'),
      rec('table', 'k2', null),
      rec('table', 'k3', 'v4'),
    ]);
    expect(await clean(log)).toBe(2);
    expect(await contents(log, 'table')).toEqual(['2:k1=v3', '3:k2=null', '4:k3=v4']);
    clock += 2 * HOUR;
    expect(await clean(log)).toBe(1);
    expect(await contents(log, 'table')).toEqual(['2:k1=v3', '4:k3=v4']);
    await log.close();

    // After a restart the offsets go on from where they were; the index still knows the keys.
    log = await open();
    expect((await log.admin.endOffsets('table')).get(0)).toBe('5');
    await (await log.producer()).send([rec('table', 'k3', 'v5')]);
    await clean(log);
    expect(await contents(log, 'table')).toEqual(['2:k1=v3', '5:k3=v5']);
    await log.close();
  });

  it('never removes the last record of a partition, even an expired tombstone', async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-clean-'));
    clock = Date.parse('2026-01-01T00:00:00Z');
    const log = await open();
    await log.admin.ensureTopics([{ topic: 'table', partitions: 1, compacted: true }]);
    await (await log.producer()).send([rec('table', 'k1', 'v1'), rec('table', 'k1', null)]);
    clock += 2 * HOUR;
    await clean(log);
    expect(await contents(log, 'table')).toEqual(['1:k1=null']);
    await log.close();
  });

  it('drops records past retention on delete topics, only below what consumer groups committed', async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-clean-'));
    clock = Date.parse('2026-01-01T00:00:00Z');
    const log = await open();
    await log.admin.ensureTopics([{ topic: 'events', partitions: 1 }]);
    const producer = await log.producer();
    await producer.send([
      rec('events', null, 'a', clock - 48 * HOUR),
      rec('events', null, 'b', clock - 47 * HOUR),
      rec('events', null, 'c', clock - 46 * HOUR),
      rec('events', null, 'd', clock - 1 * HOUR),
      rec('events', null, 'e', clock),
    ]);
    // A group has processed a and b only: c is old but not yet read, so it stays.
    const tx = await producer.transaction();
    await tx.sendOffsets('readers', [{ topic: 'events', partition: 0, offset: '2' }]);
    await tx.commit();
    expect(await clean(log)).toBe(2);
    expect(await contents(log, 'events')).toEqual(['2:-=c', '3:-=d', '4:-=e']);
    // Once the group moved on, c goes; d and e are within retention.
    const tx2 = await producer.transaction();
    await tx2.sendOffsets('readers', [{ topic: 'events', partition: 0, offset: '5' }]);
    await tx2.commit();
    expect(await clean(log)).toBe(1);
    expect(await contents(log, 'events')).toEqual(['3:-=d', '4:-=e']);
    await log.close();
  });

  it('leaves what a running tail has not read yet', async () => {
    directory = await mkdtemp(join(tmpdir(), 'log-clean-'));
    clock = Date.parse('2026-01-01T00:00:00Z');
    const log = await open();
    await log.admin.ensureTopics([{ topic: 'table', partitions: 1, compacted: true }]);
    const producer = await log.producer();
    await producer.send([rec('table', 'k1', 'v1'), rec('table', 'k1', 'v2'), rec('table', 'k2', 'x')]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let seen = 0;
    // A tail that holds its first batch: its position stays at 0 until released.
    const tail = await log.tail({
      topic: 'table',
      from: new Map([[0, 'earliest']]),
      readCommitted: false,
      onRecords: async (records) => {
        seen += records.length;
        await gate;
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await clean(log)).toBe(0);
    release();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toBe(3);
    expect(await clean(log)).toBe(1);
    await tail.stop();
    await log.close();
  });
});
