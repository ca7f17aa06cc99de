import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';

describe('LevelDB', () => {
  it('opens, writes, reads and closes a store that survives reopening', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'substream-level-'));
    try {
      const db = new Level<string, string>(dir, { valueEncoding: 'utf8' });
      await db.open();
      await db.batch([
        { type: 'put', key: 'Patient/1', value: '{"v":1}' },
        { type: 'put', key: 'Patient/2', value: '{"v":2}' },
      ]);
      await db.close();
      const again = new Level<string, string>(dir, { valueEncoding: 'utf8' });
      expect(await again.get('Patient/2')).toBe('{"v":2}');
      expect(await again.keys({ gte: 'Patient/', lt: 'Patient0' }).all()).toEqual(['Patient/1', 'Patient/2']);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
