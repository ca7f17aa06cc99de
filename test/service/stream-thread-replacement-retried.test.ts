/**
 * replace-thread (fake workers): a replacement that cannot start is itself replaced, after the
 * next (doubled) back-off; the thread reads `replacing` until one runs, and each try is counted.
 */
import { describe, expect, it, vi } from 'vitest';
import { bootFakeThreads, fakeTimersPerTest, untilWaiting } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest({ noJitter: true });

describe('a replacement stream thread that cannot start', () => {
  it('is tried again after a longer wait', async () => {
    const { threads, workers, replacements } = await bootFakeThreads(1, {}, (index) => index === 1);
    await threads.start();

    workers[0]!.exit(1);
    await untilWaiting();
    await vi.advanceTimersByTimeAsync(500);
    expect(workers).toHaveLength(2);
    await untilWaiting(); // it exited too
    expect(threads.states()).toEqual([
      { thread: 1, state: 'replacing', error: 'stream thread 1 could not start: broker unreachable' },
    ]);

    await vi.advanceTimersByTimeAsync(999);
    expect(workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(workers).toHaveLength(3);
    expect(threads.states()).toEqual([{ thread: 1, state: 'running' }]);
    expect(await replacements(1)).toBe(2);
    await threads.stop();
  });
});
