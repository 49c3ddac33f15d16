import { Clock } from '../../src/shared/clock';

/**
 * The wall clock, moved forward on demand: for tests of a whole app whose other steps need real
 * time to pass (tokens, PostgreSQL's now()), where one step needs "later" without waiting for it.
 * (A FixedClock serves where the whole test can stand still.)
 */
export class SteppedClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}
