/** The wait between restarts doubles up to its maximum and starts over after a run that lasted. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RestartBackoff } from '../../topology/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('RestartBackoff', () => {
  it('doubles from the first wait up to the longest, then starts over after a long run', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter
    const backoff = new RestartBackoff({ firstMs: 500, maxMs: 3000 });
    expect([backoff.next(0), backoff.next(0), backoff.next(0), backoff.next(0)]).toEqual([
      500, 1000, 2000, 3000,
    ]);
    // Up again, and failing soon after: the doubling goes on.
    backoff.running(10_000);
    expect(backoff.next(11_000)).toBe(3000);
    // Up for longer than the longest wait: the next failure waits the first wait again.
    backoff.running(20_000);
    expect(backoff.next(23_001)).toBe(500);
    expect(backoff.attempts).toBe(1);
  });

  it('spreads each wait by ±20%', () => {
    const backoff = new RestartBackoff({ firstMs: 1000, maxMs: 1000 });
    for (let i = 0; i < 50; i++) {
      const wait = backoff.next();
      expect(wait).toBeGreaterThanOrEqual(800);
      expect(wait).toBeLessThanOrEqual(1200);
    }
  });
});
