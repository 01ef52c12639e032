/**
 * Working-day arithmetic in Asia/Shanghai: Monday–Friday, corrected by calendar_exception
 * (public holidays and 调休 working weekends). A deadline of N working days after a moment
 * is the end (23:59:59.999 +08:00) of the Nth working day after that moment's date.
 */
import { DataSource, EntityManager } from 'typeorm';
import { calendarExceptions } from './reference.repository';

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 86_400_000;

/** The Asia/Shanghai calendar date of a moment, YYYY-MM-DD. */
export const shanghaiDate = (at: Date): string =>
  new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);

export const endOfShanghaiDay = (date: string): Date => new Date(Date.parse(`${date}T23:59:59.999+08:00`));

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

export async function addWorkingDays(db: DataSource | EntityManager, at: Date, days: number): Promise<Date> {
  const start = shanghaiDate(at);
  // Enough calendar days to cover long holidays (国庆, 春节).
  const horizon = addDays(start, days * 2 + 30);
  const exceptions = new Map<string, boolean>(
    (await calendarExceptions(db, start, horizon)).map((r) => [r.day, r.is_working_day]),
  );
  let date = start;
  let counted = 0;
  while (counted < days) {
    date = addDays(date, 1);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    const working = exceptions.get(date) ?? (weekday !== 0 && weekday !== 6);
    if (working) counted++;
  }
  return endOfShanghaiDay(date);
}

/** Calendar months after a moment, at the end of that Shanghai day. */
export function addMonths(at: Date, months: number): Date {
  const [y, m, d] = shanghaiDate(at).split('-').map(Number);
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return endOfShanghaiDay(target.toISOString().slice(0, 10));
}

/** How many working days lie after date `from` up to and including date `to` (YYYY-MM-DD); 0 when `to` ≤ `from`. */
export async function workingDaysBetween(db: DataSource | EntityManager, from: string, to: string): Promise<number> {
  if (to <= from) return 0;
  const exceptions = new Map<string, boolean>(
    (await calendarExceptions(db, from, to)).map((r) => [r.day, r.is_working_day]),
  );
  let count = 0;
  for (let date = addDays(from, 1); date <= to; date = addDays(date, 1)) {
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (exceptions.get(date) ?? (weekday !== 0 && weekday !== 6)) count++;
  }
  return count;
}
