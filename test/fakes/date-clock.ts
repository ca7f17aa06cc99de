/** A clock that only moves when told to. */
export class FakeDateClock {
  private t: number;

  constructor(start = '2026-01-01T00:00:00.000Z') {
    this.t = Date.parse(start);
  }

  readonly now = (): Date => new Date(this.t);

  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
}
