/**
 * The application's clock, carried on AppServices (`services.clock`) so that what is due on
 * a date can be checked without waiting for that date. Production uses the system clock
 * (shifted by CLOCK_OFFSET_DAYS, 0 by default); tests move a MovableClock. Only the paths that
 * decide "is it due yet" read it (so far the recheck sweep); timestamps written to the
 * database keep PostgreSQL's now().
 */
import { TIME_ZONE } from './constants';

export interface Clock {
  now(): Date;
  /** Today's civil date (YYYY-MM-DD) in TIME_ZONE (Asia/Shanghai). */
  today(): string;
}

const DAY_MS = 86_400_000;

/** The date of an instant in TIME_ZONE. */
export function dateIn(at: Date, timeZone = TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The system clock, `offsetDays` ahead. */
export function systemClock(offsetDays = 0): Clock {
  return {
    now: () => new Date(Date.now() + offsetDays * DAY_MS),
    today() {
      return dateIn(this.now());
    },
  };
}

/** A clock tests move: starts at `start` (or the system time) and only moves when told. */
export class MovableClock implements Clock {
  private at: Date;

  constructor(start: Date | string = new Date()) {
    this.at = new Date(start);
  }

  now(): Date {
    return new Date(this.at);
  }

  today(): string {
    return dateIn(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at);
  }

  /** Moves the clock by whole days (negative: back). */
  advanceDays(days: number): void {
    this.at = new Date(this.at.getTime() + days * DAY_MS);
  }
}
