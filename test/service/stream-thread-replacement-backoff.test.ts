/**
 * replace-thread (fake workers): a thread failing again soon after each replacement waits twice
 * as long each time, up to the runtime's longest restart back-off; a replacement that ran for
 * longer than that starts the doubling over.
 */
import { describe, expect, it, vi } from 'vitest';
import { bootFakeThreads, type FakeThreads, fakeTimersPerTest } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest({ noJitter: true });

/** Fails the newest worker and returns how long its replacement took to be spawned. */
async function failAndTime({ workers }: FakeThreads): Promise<number> {
  const before = workers.length;
  workers.at(-1)!.fail('boom');
  let waited = 0;
  while (workers.length === before) {
    await vi.advanceTimersByTimeAsync(100);
    waited += 100;
  }
  await vi.advanceTimersByTimeAsync(0); // the replacement starts
  return waited;
}

describe('the back-off between replacements of a stream thread', () => {
  it('doubles while replacements fail at once, and starts over after one ran a while', async () => {
    const fake = await bootFakeThreads(1);
    await fake.threads.start();

    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await failAndTime(fake));
    expect(waits).toEqual([500, 1000, 2000, 4000, 8000, 10_000]);

    await vi.advanceTimersByTimeAsync(10_001);
    expect(await failAndTime(fake)).toBe(500);
    expect(await fake.replacements(1)).toBe(7);
    await fake.threads.stop();
  });
});
