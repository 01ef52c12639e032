/**
 * COPY's binary format for the direct path (direct-load.ts): each value is sent as the bytes
 * PostgreSQL stores, so the server skips the CSV parser and the type input functions (numeric,
 * date and timestamptz parsing), the larger part of its work after the indexes — on 4.8 M
 * settlement lines, 29–31 s of COPY in CSV against 20–27 s in binary. Node does the conversion
 * while the server copies the previous chunk.
 *
 * Every encoder accepts exactly the text form the file's checks accept and PostgreSQL reads the
 * same way; anything else raises NotDirect and the file goes to the staged path, so the binary
 * form can never store a value the text form would have read differently.
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */
import { Client } from 'pg';
import { NotDirect } from './ingest.files';
import { OutputBuffer } from './stage-stream';

/** Signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** A tuple count of -1 ends the data. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Writes one non-null value: its length (int32) and its bytes. */
export type BinaryEncoder = (value: string, o: OutputBuffer) => void;

const MS_2000 = Date.UTC(2000, 0, 1);
const DAY_MS = 86_400_000;
/** From 1992 on, Asia/Shanghai is UTC+8 all year (row-checks.ts shanghaiDate). */
const SHANGHAI_FIXED_FROM = Date.UTC(1992, 0, 1);

const fail = (type: string, value: string): never => {
  throw new NotDirect(`${type} ${JSON.stringify(value)}: not in the form the binary copy writes`);
};

const digit = (value: string, i: number): number => {
  const c = value.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** `n` decimal digits of `value` from `at`, or -1. */
function digits(value: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = digit(value, i);
    if (d < 0) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Big-endian writes by hand (Buffer's checked writers cost more in this loop). */
function put32(out: Buffer, p: number, v: number): void {
  out[p] = v >>> 24;
  out[p + 1] = (v >>> 16) & 255;
  out[p + 2] = (v >>> 8) & 255;
  out[p + 3] = v & 255;
}

function put16(out: Buffer, p: number, v: number): void {
  out[p] = (v >>> 8) & 255;
  out[p + 1] = v & 255;
}

/**
 * Milliseconds of a calendar day (UTC midnight), or NaN when it is not a real day of 1000–9999
 * (days from the civil date as in H. Hinnant's algorithm: no Date object per value).
 */
function dayMs(year: number, month: number, day: number): number {
  if (year < 1000 || month < 1 || month > 12 || day < 1) return NaN;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const last = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  if (day > last) return NaN;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return (era * 146097 + dayOfEra - 719468) * DAY_MS;
}

/**
 * Text of any length: UTF-8 bytes, written by hand (a Buffer.write call costs more than a short
 * value); surrogate pairs by Buffer.write.
 */
const text: BinaryEncoder = (value, o) => {
  const n = value.length;
  o.ensure(4 + n * 3);
  const out = o.out;
  const at = o.pos + 4;
  let p = at;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) out[p++] = c;
    else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 63);
    } else if (c < 0xd800 || c > 0xdfff) {
      // U+FFFD stands for bytes that were not UTF-8: PostgreSQL judges those (the staged path).
      if (c === 0xfffd) fail('text', value);
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 63);
      out[p++] = 0x80 | (c & 63);
    } else {
      if (value.includes('\uFFFD', i)) fail('text', value);
      p += out.write(value.slice(i), p, 'utf8');
      break;
    }
  }
  put32(out, o.pos, p - at);
  o.pos = p;
};

const int4: BinaryEncoder = (value, o) => {
  const n = value.length;
  const negative = value.charCodeAt(0) === 45;
  let v = 0;
  for (let i = negative ? 1 : 0; i < n; i++) {
    const d = digit(value, i);
    if (d < 0) fail('integer', value);
    v = v * 10 + d;
  }
  if (negative) v = -v;
  if (n === (negative ? 1 : 0) || n > 11 || v > 2147483647 || v < -2147483648) fail('integer', value);
  o.ensure(8);
  put32(o.out, o.pos, 4);
  put32(o.out, o.pos + 4, v);
  o.pos += 8;
};

/** Per column: the last value written and its bytes (a file's rows share their ingest_file_id). */
const int8 = (): BinaryEncoder => {
  let last: string | null = null;
  const bytes = Buffer.alloc(12);
  return (value, o) => {
    if (value !== last) {
      if (!/^-?\d{1,18}$/.test(value)) fail('bigint', value);
      bytes.writeInt32BE(8, 0);
      bytes.writeBigInt64BE(BigInt(value), 4);
      last = value;
    }
    o.ensure(12);
    const out = o.out;
    for (let i = 0; i < 12; i++) out[o.pos + i] = bytes[i];
    o.pos += 12;
  };
};

const bool: BinaryEncoder = (value, o) => {
  const v = value === 'true' ? 1 : value === 'false' ? 0 : fail('boolean', value);
  o.ensure(5);
  o.out.writeInt32BE(1, o.pos);
  o.out[o.pos + 4] = v;
  o.pos += 5;
};

/**
 * YYYY-MM-DD: days since 2000-01-01. Per column, the last value is kept: consecutive rows often
 * share a day (a settlement's lines its settled_on).
 */
const date = (): BinaryEncoder => {
  let last: string | null = null;
  let days = 0;
  return (value, o) => {
    if (value !== last) {
      const ms =
        value.length === 10 && value.charCodeAt(4) === 45 && value.charCodeAt(7) === 45
          ? dayMs(digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2))
          : NaN;
      if (Number.isNaN(ms)) fail('date', value);
      days = (ms - MS_2000) / DAY_MS;
      last = value;
    }
    o.ensure(8);
    put32(o.out, o.pos, 4);
    put32(o.out, o.pos + 4, days);
    o.pos += 8;
  };
};

/**
 * ISO 8601 date-time as row-checks.ts isTimestampText accepts it: microseconds since
 * 2000-01-01 UTC. Without an offset it is Shanghai wall-clock time (the loader's session
 * zone), +08:00 from 1992 on; earlier wall-clock times need the zone's rules (NotDirect).
 */
const timestamptz: BinaryEncoder = (value, o) => {
  const n = value.length;
  const sep = value.charCodeAt(10);
  let ms =
    n >= 16 &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    (sep === 84 || sep === 32) &&
    value.charCodeAt(13) === 58
      ? dayMs(digits(value, 0, 4), digits(value, 5, 2), digits(value, 8, 2))
      : NaN;
  const hour = digits(value, 11, 2);
  const minute = digits(value, 14, 2);
  let second = 0;
  let micros = 0;
  let i = 16;
  if (i < n && value.charCodeAt(i) === 58) {
    second = digits(value, i + 1, 2);
    i += 3;
    if (i < n && value.charCodeAt(i) === 46) {
      let scale = 100_000;
      i++;
      const from = i;
      for (; i < n && i - from < 6; i++) {
        const d = digit(value, i);
        if (d < 0) break;
        micros += d * scale;
        scale /= 10;
      }
      if (i === from) ms = NaN;
    }
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) ms = NaN;
  ms += ((hour * 60 + minute) * 60 + second) * 1000;
  let offsetMinutes: number;
  if (i === n) {
    offsetMinutes = 8 * 60;
    if (ms - offsetMinutes * 60_000 < SHANGHAI_FIXED_FROM) ms = NaN;
  } else if (value.charCodeAt(i) === 90 && i + 1 === n) offsetMinutes = 0;
  else {
    const sign = value.charCodeAt(i) === 43 ? 1 : value.charCodeAt(i) === 45 ? -1 : 0;
    const hh = digits(value, i + 1, 2);
    const rest = value.slice(i + 3);
    const mm =
      rest === '' ? 0 : rest.length === 2 ? digits(rest, 0, 2) : rest.charCodeAt(0) === 58 ? digits(rest, 1, 2) : -1;
    if (
      !sign ||
      hh < 0 ||
      hh > 15 ||
      mm < 0 ||
      mm > 59 ||
      (rest.length !== 0 && rest.length !== 2 && rest.length !== 3)
    )
      ms = NaN;
    offsetMinutes = sign * (hh * 60 + mm);
  }
  if (Number.isNaN(ms)) fail('timestamp', value);
  // Below 2^53: exact as a double.
  const us = (ms - offsetMinutes * 60_000 - MS_2000) * 1000 + micros;
  const high = Math.floor(us / 4294967296);
  o.ensure(12);
  o.out.writeInt32BE(8, o.pos);
  o.out.writeInt32BE(high, o.pos + 4);
  o.out.writeUInt32BE(us - high * 4294967296, o.pos + 8);
  o.pos += 12;
};

const numericGroups: number[] = [];

/**
 * -?digits[.digits]: base-10000 digit groups, the weight of the first, sign and display scale
 * (the column's typmod then rounds and bounds it as for text input).
 */
const numeric: BinaryEncoder = (value, o) => {
  if (!numericShort(value, o)) numericAny(value, o);
};

const POWERS = [1, 10, 100, 1000, 10000];

/**
 * The common case without an array: at most 8 integer and 4 fraction digits, so the groups are
 * the integer's high and low four digits and the fraction's one group. False for anything else.
 */
function numericShort(value: string, o: OutputBuffer): boolean {
  const n = value.length;
  const negative = value.charCodeAt(0) === 45;
  const from = negative ? 1 : 0;
  let whole = 0;
  let i = from;
  for (; i < n; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d === -2) break; // '.'
    if (d < 0 || d > 9) return false;
    whole = whole * 10 + d;
  }
  if (i === from || i - from > 8) return false;
  let fraction = 0;
  let scale = 0;
  if (i < n) {
    for (i++; i < n; i++, scale++) {
      const d = value.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return false;
      fraction = fraction * 10 + d;
    }
    if (scale === 0 || scale > 4) return false;
    fraction *= POWERS[4 - scale];
  }
  const high = Math.floor(whole / 10000);
  const low = whole - high * 10000;
  // Groups high, low, fraction with weights 1, 0, -1: from the first non-zero to the last.
  const first = high ? 0 : low ? 1 : fraction ? 2 : 3;
  const last = fraction ? 2 : low ? 1 : high ? 0 : -1;
  const count = first > last ? 0 : last - first + 1;
  o.ensure(12 + count * 2);
  const out = o.out;
  let p = o.pos;
  put32(out, p, 8 + count * 2);
  put16(out, p + 4, count);
  put16(out, p + 6, count ? 1 - first : 0);
  put16(out, p + 8, negative && count ? 0x4000 : 0);
  put16(out, p + 10, scale);
  p += 12;
  for (let g = first; g <= last; g++, p += 2) put16(out, p, g === 0 ? high : g === 1 ? low : fraction);
  o.pos = p;
  return true;
}

/** Any length, in groups of four digits. */
function numericAny(value: string, o: OutputBuffer): void {
  const n = value.length;
  const negative = value.charCodeAt(0) === 45;
  const from = negative ? 1 : 0;
  let dot = value.indexOf('.', from);
  if (dot === -1) dot = n;
  if (dot === from || dot === n - 1 || n - from > 1000) fail('numeric', value);
  for (let i = from; i < n; i++) if (i !== dot && digit(value, i) < 0) fail('numeric', value);
  const scale = dot === n ? 0 : n - dot - 1;
  // Integer part in groups of four from the decimal point leftwards, the fraction rightwards.
  const groups = numericGroups;
  groups.length = 0;
  const intDigits = dot - from;
  const intGroups = Math.ceil(intDigits / 4);
  let at = from - (intGroups * 4 - intDigits);
  for (let g = 0; g < intGroups; g++, at += 4) {
    let v = 0;
    for (let k = at; k < at + 4; k++) v = v * 10 + (k < from ? 0 : digit(value, k));
    groups.push(v);
  }
  for (let k = dot + 1; k < n; k += 4) {
    let v = 0;
    for (let j = k; j < k + 4; j++) v = v * 10 + (j < n ? digit(value, j) : 0);
    groups.push(v);
  }
  let weight = intGroups - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  const count = last - first;
  if (count === 0) weight = 0;
  o.ensure(12 + count * 2);
  const out = o.out;
  let p = o.pos;
  out.writeInt32BE(8 + count * 2, p);
  out.writeInt16BE(count, p + 4);
  out.writeInt16BE(weight, p + 6);
  out.writeUInt16BE(negative && count ? 0x4000 : 0, p + 8);
  out.writeInt16BE(scale, p + 10);
  p += 12;
  for (let g = first; g < last; g++, p += 2) out.writeInt16BE(groups[g], p);
  o.pos = p;
}

/** An encoder per column (some keep the column's last value). */
const ENCODERS: Record<string, () => BinaryEncoder> = {
  text: () => text,
  varchar: () => text,
  bpchar: () => text,
  int4: () => int4,
  int8,
  bool: () => bool,
  date,
  timestamptz: () => timestamptz,
  numeric: () => numeric,
};

/** Writes a NULL. */
export function writeNull(o: OutputBuffer): void {
  o.ensure(4);
  put32(o.out, o.pos, -1);
  o.pos += 4;
}

/** Writes raw bytes' length; the caller writes the `length` bytes. */
export function writeLength(o: OutputBuffer, length: number): void {
  o.ensure(4 + length);
  put32(o.out, o.pos, length);
  o.pos += 4;
}

/** The encoder of a column type (pg_type.typname); null for bytea and types it does not write. */
export const encoderFor = (type: string): BinaryEncoder | null => ENCODERS[type]?.() ?? null;

/** The type (pg_type.typname) of each column of a table. */
export async function columnTypes(client: Client, table: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; type: string }>(
    `SELECT a.attname AS name, t.typname AS type FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  return new Map(rows.map((r) => [r.name, r.type]));
}
