import { expect, it } from 'vitest';
import { KEYS, killMidStreamAndRestart, PER_KEY } from './kill-restart.js';

it('exactly_once: after kill -9 and a restart, every count appears once and counts are exact', async () => {
  const records = await killMidStreamAndRestart('exactly_once');
  expect(records).toHaveLength(KEYS * PER_KEY);
  const seen = new Map<string, number[]>();
  for (const r of records) {
    const { key, count } = JSON.parse(r.value!) as { key: string; count: number };
    seen.set(key, [...(seen.get(key) ?? []), count]);
  }
  for (const counts of seen.values())
    expect(counts).toEqual(Array.from({ length: PER_KEY }, (_, i) => i + 1));
});
