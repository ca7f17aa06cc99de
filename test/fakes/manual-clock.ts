import type { Clock } from '../../topology/index.js';

/** A clock that moves only when told; `advance` fires the timers that fall due. */
export class ManualClock implements Clock {
  private timers: { every: number; next: number; callback: () => void }[] = [];

  constructor(private time = 1_000_000) {}

  now(): number {
    return this.time;
  }

  every(ms: number, callback: () => void): () => void {
    const timer = { every: ms, next: this.time + ms, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers) {
      while (timer.next <= this.time) {
        timer.next += timer.every;
        timer.callback();
      }
    }
  }
}
