import { expect, it } from 'vitest';
import { lastCounts } from './kafka-helpers.js';
import { KEYS, killMidStreamAndRestart, PER_KEY } from './kill-restart.js';

it('at_least_once: after kill -9 and a restart, no input record is lost', async () => {
  const records = await killMidStreamAndRestart('at_least_once');
  const values = new Set(records.map((r) => (JSON.parse(r.value!) as { value: string }).value));
  for (let i = 0; i < KEYS * PER_KEY; i += 1) expect(values.has(`v${i}`)).toBe(true);
  for (const count of lastCounts(records).values()) expect(count).toBeGreaterThanOrEqual(PER_KEY);
});
