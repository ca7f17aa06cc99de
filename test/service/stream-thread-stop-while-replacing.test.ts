/** replace-thread (fake workers): stopping while a failed thread waits for its replacement starts nothing. */
import { describe, expect, it, vi } from 'vitest';
import { bootFakeThreads, fakeTimersPerTest, untilWaiting } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest();

describe('stopping stream threads during a replacement back-off', () => {
  it('ends the wait and starts no new worker', async () => {
    const { threads, workers, replacements } = await bootFakeThreads(1);
    await threads.start();
    workers[0]!.exit(1);
    await untilWaiting();
    await vi.advanceTimersByTimeAsync(100);
    expect(threads.states()[0]!.state).toBe('replacing');

    await threads.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(workers).toHaveLength(1);
    expect(await replacements(1)).toBe(0);
    expect(threads.states()).toEqual([{ thread: 1, state: 'stopped' }]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
