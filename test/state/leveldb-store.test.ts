import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelDbStore, type LevelDbOptions } from '../../state/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes about 640 KB and answers the table files LevelDB made of its memtable meanwhile. */
async function tableFilesAfterWrites(options: LevelDbOptions): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'leveldb-store-'));
  dirs.push(dir);
  const store = await LevelDbStore.open('versions', dir, options);
  const value = Buffer.alloc(2048, 1);
  for (let batch = 0; batch < 20; batch++)
    await store.putAll(Array.from({ length: 16 }, (_, i) => ({ key: `r-${batch}-${i}`, value })));
  expect((await store.get('r-19-15'))?.length).toBe(2048);
  // The memtable is written out on LevelDB's background thread.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await store.close();
  return (await readdir(dir)).filter((f) => f.endsWith('.ldb')).length;
}

describe('the LevelDB store', () => {
  it("sizes LevelDB's memtable as asked: a small one is written out to table files, the default not yet", async () => {
    expect(
      await tableFilesAfterWrites({ writeBufferBytes: 65_536, blockCacheBytes: 65_536 }),
    ).toBeGreaterThan(0);
    expect(await tableFilesAfterWrites({ writeBufferBytes: 4_194_304 })).toBe(0);
  });
});
