/**
 * A token bucket that paces the generator at a sustained rate: tokens refill continuously at
 * `ratePerSecond` up to `burst`; `take(n)` resolves when n tokens have been withdrawn.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface TokenBucket {
  take(n: number): Promise<void>;
}

export function tokenBucket(options: { ratePerSecond: number; burst?: number; clock?: Clock }): TokenBucket {
  const { ratePerSecond, clock = systemClock } = options;
  if (!(ratePerSecond > 0)) throw new RangeError(`rate must be positive, got ${ratePerSecond}`);
  // A burst of 50 ms worth of tokens smooths timer jitter without letting the rate overshoot.
  const burst = options.burst ?? Math.max(1, Math.ceil(ratePerSecond / 20));
  let tokens = 0;
  let last = clock.now();
  const refill = (): void => {
    const now = clock.now();
    tokens = Math.min(burst, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
  };
  return {
    async take(n) {
      if (n > burst) throw new RangeError(`cannot take ${n} tokens from a bucket of ${burst}`);
      refill();
      while (tokens < n) {
        await clock.sleep(Math.max(1, ((n - tokens) / ratePerSecond) * 1000));
        refill();
      }
      tokens -= n;
    },
  };
}
