/** shutdown-client (fake workers): a thread that fails is reported once, and not replaced. */
import { describe, expect, it, vi } from 'vitest';
import { bootFakeThreads, fakeTimersPerTest } from '../fakes/fake-stream-thread.js';

fakeTimersPerTest();

describe('a stream thread that ends, under shutdown-client', () => {
  it('hands its failure to the fatal path once and is not replaced', async () => {
    const { threads, workers, failures, replacements } = await bootFakeThreads(2, {
      STREAM_FAILURE_POLICY: 'shutdown-client',
    });
    await threads.start();

    // Its streams fail, then its worker exits as well: one failure.
    workers[1]!.fail('refused credentials');
    workers[1]!.exit(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.thread).toBe(2);
    expect(failures[0]!.error.message).toBe('refused credentials');
    expect(workers).toHaveLength(2);
    expect(await replacements(2)).toBe(0);
    expect(threads.states()[1]).toMatchObject({ thread: 2, state: 'failed' });

    await threads.stop();
  });
});
