/**
 * replace-thread (fake workers): a stream thread whose worker exits, or whose streams fail, reads
 * `replacing` and is left out of requests; after the
 * first back-off a new worker with the same thread data is booted and started, and it runs again.
 */
import { describe, expect, it, vi } from 'vitest';
import { bootFakeThreads, fakeTimersPerTest, untilWaiting } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest({ noJitter: true });

describe('a stream thread that ends, under replace-thread', () => {
  it('is replaced after its worker exited', async () => {
    const { threads, workers, replacements } = await bootFakeThreads(2);
    await threads.start();
    expect(threads.states()).toEqual([
      { thread: 1, state: 'running' },
      { thread: 2, state: 'running' },
    ]);

    workers[0]!.exit(1);
    await untilWaiting();
    expect(threads.states()[0]).toEqual({
      thread: 1,
      state: 'replacing',
      error: 'stream thread 1 exited with code 1',
    });
    // Left out meanwhile: its metrics from this scrape, its partitions from `$events`.
    expect(await threads.metrics()).toEqual([[{ name: 'thread_2' }]]);
    expect(await threads.eventsSource(0)).toBeUndefined();
    expect(workers[0]!.requests).toEqual(['start']);

    await vi.advanceTimersByTimeAsync(499);
    expect(workers).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(workers).toHaveLength(3);
    expect(workers[2]!.data).toEqual(workers[0]!.data);
    await vi.advanceTimersByTimeAsync(0);
    expect(workers[2]!.requests).toEqual(['start']);
    expect(threads.states()[0]).toEqual({ thread: 1, state: 'running' });
    expect(await threads.metrics()).toEqual([[{ name: 'thread_1' }], [{ name: 'thread_2' }]]);
    expect(await replacements(1)).toBe(1);
    expect(await replacements(2)).toBe(0);

    await threads.stop();
    expect(workers.map((w) => w.terminated)).toEqual([true, true, true]);
  });

  it('is stopped and replaced after its streams failed', async () => {
    const { threads, workers, replacements } = await bootFakeThreads(1);
    await threads.start();

    workers[0]!.fail('processor failed by policy');
    await vi.advanceTimersByTimeAsync(0);
    expect(threads.states()).toEqual([
      { thread: 1, state: 'replacing', error: 'processor failed by policy' },
    ]);
    // The failed worker is asked to stop (it closes its stores), then ended.
    expect(workers[0]!.requests).toEqual(['start', 'stop']);
    expect(workers[0]!.terminated).toBe(true);

    await vi.advanceTimersByTimeAsync(500);
    expect(workers).toHaveLength(2);
    expect(threads.states()).toEqual([{ thread: 1, state: 'running' }]);
    expect(await replacements(1)).toBe(1);
    await threads.stop();
  });
});
