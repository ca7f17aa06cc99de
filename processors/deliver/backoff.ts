/** Exponential back-off with equal jitter: half the delay is fixed, half random, so retries spread out. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  multiplier: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 1_000, maxMs: 60_000, multiplier: 2 };

/** Delay before retry number `attempt` (1 = the first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxMs, options.initialMs * options.multiplier ** exponent);
  return Math.round(base / 2 + random() * (base / 2));
}
