/**
 * The pool's type parsers: pg's own, except timestamptz, read without regular expressions.
 * pg parses each timestamptz with postgres-date (three regular expressions and a string split
 * per value): a twentieth of the API's CPU on a list of twenty clues. PostgreSQL prints the
 * values in one shape (DateStyle ISO, our sessions' time zone): `YYYY-MM-DD HH:MM:SS[.f…]±HH[:MM[:SS]]`.
 * That shape is read here by position, giving the very Date postgres-date gives (the same
 * arithmetic: milliseconds = 1000 × the fraction, truncated by Date.UTC); anything else (BC,
 * infinity, years outside 1000–9999, another DateStyle) goes to postgres-date.
 */
import { types } from 'pg';

const TIMESTAMPTZ_OID = 1184;
const pgParseTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (value: string) => Date | number | null;

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const isDigits = (s: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
};

/** A timestamptz as PostgreSQL prints it, as a Date (identical to pg's own parser). */
export function parseTimestamptz(s: string): Date | number | null {
  // 2025-03-04 05:06:07[.123456]+08[:30[:15]]
  const n = s.length;
  if (
    n < 22 ||
    s.charCodeAt(4) !== 45 ||
    s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 32 ||
    s.charCodeAt(13) !== 58 ||
    s.charCodeAt(16) !== 58 ||
    !isDigits(s, 0, 4) ||
    !isDigits(s, 5, 7) ||
    !isDigits(s, 8, 10) ||
    !isDigits(s, 11, 13) ||
    !isDigits(s, 14, 16) ||
    !isDigits(s, 17, 19) ||
    s.charCodeAt(0) === 48
  ) {
    return pgParseTimestamptz(s);
  }
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
    if (j === i + 1) return pgParseTimestamptz(s);
    ms = 1000 * parseFloat(s.slice(i, j));
    i = j;
  }
  const sign = s.charCodeAt(i);
  if ((sign !== 43 && sign !== 45) || !isDigits(s, i + 1, i + 3)) return pgParseTimestamptz(s);
  let offset = two(s, i + 1) * 3600;
  i += 3;
  if (i < n) {
    if (s.charCodeAt(i) !== 58 || !isDigits(s, i + 1, i + 3)) return pgParseTimestamptz(s);
    offset += two(s, i + 1) * 60;
    i += 3;
    if (i < n) {
      if (s.charCodeAt(i) !== 58 || !isDigits(s, i + 1, i + 3)) return pgParseTimestamptz(s);
      offset += two(s, i + 1);
      i += 3;
    }
  }
  if (i !== n) return pgParseTimestamptz(s);
  const year = digit(s, 0) * 1000 + digit(s, 1) * 100 + two(s, 2);
  const utc = Date.UTC(year, two(s, 5) - 1, two(s, 8), two(s, 11), two(s, 14), two(s, 17), ms);
  return new Date(utc - (sign === 45 ? -offset : offset) * 1000);
}

/** pg's type parsers with parseTimestamptz (for `new Client({ types })`). */
export const POOL_TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMPTZ_OID && format !== 'binary') return parseTimestamptz;
    return types.getTypeParser(oid, format ?? 'text');
  },
};
