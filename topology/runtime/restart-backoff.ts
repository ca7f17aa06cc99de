/**
 * The wait before something that failed is started again: doubling from `firstMs` up to `maxMs`,
 * ±20% so that members failing together do not come back in step. A run that lasted longer than
 * the longest wait starts the doubling over; one failing at once keeps doubling, so a failure that
 * repeats deterministically is retried at most every `maxMs`, never in a tight loop.
 */
export class RestartBackoff {
  private attempt = 0;
  private runningSince: number | undefined;

  constructor(private readonly o: { firstMs: number; maxMs: number }) {}

  /** Waits handed out since the doubling last started over. */
  get attempts(): number {
    return this.attempt;
  }

  /** What failed is up and running again (from `now` on). */
  running(now = Date.now()): void {
    this.runningSince = now;
  }

  /** The wait before the next start, after a failure at `now`. */
  next(now = Date.now()): number {
    if (this.runningSince !== undefined && now - this.runningSince > this.o.maxMs) this.attempt = 0;
    this.runningSince = undefined;
    const base = Math.min(this.o.firstMs * 2 ** Math.min(this.attempt, 30), this.o.maxMs);
    this.attempt += 1;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }
}
