/**
 * Calendar helpers. Asia/Shanghai has been UTC+08:00 without daylight saving since 1991,
 * so its local date is a fixed offset away from the instant and needs no tz database.
 */

const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const DAY_MS = 86_400_000;
const TIMESTAMP_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** A settled_at value resolved to its instant and its Asia/Shanghai calendar date. */
export interface ResolvedTimestamp {
  epochMs: number;
  shanghaiDate: string;
}

/** Resolves an ISO 8601 timestamp; one without an offset is Asia/Shanghai local time. */
export function resolveTimestamp(text: string): ResolvedTimestamp {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (!match) throw new Error(`not an ISO 8601 timestamp: "${text}"`);
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  let offsetMinutes = SHANGHAI_OFFSET_MINUTES;
  if (zone === 'Z') offsetMinutes = 0;
  else if (zone) {
    const digits = zone.replace(':', '');
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  const epochMs =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), millis) -
    offsetMinutes * 60_000;
  const local = new Date(epochMs + SHANGHAI_OFFSET_MINUTES * 60_000);
  return { epochMs, shanghaiDate: local.toISOString().slice(0, 10) };
}

/** Days since 1970-01-01 of a YYYY-MM-DD date. */
export function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

/** The YYYY-MM-DD date of a day number. */
export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOfDayNumber(dayNumber(date) + days);
}

/** b − a in days. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

export function isValidDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && dateOfDayNumber(dayNumber(text)) === text;
}

/** How a settled_at value is written: the batch mixes all three on purpose. */
export type TimestampStyle = 'OFFSET' | 'LOCAL' | 'UTC';

/** Writes Shanghai local date + seconds of day in one of the three styles. */
export function formatShanghaiTimestamp(date: string, secondOfDay: number, style: TimestampStyle): string {
  if (style === 'UTC') {
    const epochMs = dayNumber(date) * DAY_MS + secondOfDay * 1000 - SHANGHAI_OFFSET_MINUTES * 60_000;
    return new Date(epochMs).toISOString().replace('.000Z', 'Z');
  }
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  const clock = `${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  return `${date}T${clock}${style === 'OFFSET' ? '+08:00' : ''}`;
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
