/**
 * Row-local checks, run in Node by the staging stream (csv-lines.ts RecordStager) while
 * PostgreSQL copies: every rule that needs only the row itself — required, length, enums,
 * dates, timestamps, money and decimals, integers, signs, region codes, GB 11643, account
 * digits, total = fund + self, amount ≈ quantity × unit_price. The set-based rules
 * (references, existing keys, repeated keys) stay in SQL (ingest.files.ts).
 *
 * Each builder gives the reason text docs/INGEST.md lists, exactly as the SQL it replaced
 * formatted it (`%v` = the value as JSON, as `to_json(text)::text` writes it). Exact
 * arithmetic: money and decimals are scaled to integers, never floats.
 */

/** A field as staged: null for an empty field (COPY FORCE_NULL). */
export type Field = string | null;
/** A row's fields, in the spec's column order. */
export type Fields = Field[];
/** Returns the reason when the row fails, else null. */
export type RowTest = (f: Fields) => string | null;
/** A row-local check: built once per file for the spec's column order. */
export interface LocalCheck {
  local: (columns: readonly string[]) => RowTest;
}

export const isLocalCheck = (check: unknown): check is LocalCheck =>
  typeof check === 'object' && check !== null && 'local' in check;

const at = (columns: readonly string[], column: string): number => {
  const index = columns.indexOf(column);
  if (index < 0) throw new Error(`unknown column ${column}`);
  return index;
};

/** A check on one column's non-null value (null passes). */
const onValue = (column: string, fails: (value: string) => boolean, reason: (value: string) => string): LocalCheck => ({
  local: (columns) => {
    const i = at(columns, column);
    return (f) => {
      const v = f[i];
      return v !== null && fails(v) ? reason(v) : null;
    };
  },
});

/** A check over several columns. */
export const rowCheck = (names: readonly string[], test: (...values: Field[]) => string | null): LocalCheck => ({
  local: (columns) => {
    const ix = names.map((n) => at(columns, n));
    if (ix.length === 1) return (f) => test(f[ix[0]]);
    if (ix.length === 2) return (f) => test(f[ix[0]], f[ix[1]]);
    if (ix.length === 3) return (f) => test(f[ix[0]], f[ix[1]], f[ix[2]]);
    return (f) => test(...ix.map((i) => f[i]));
  },
});

/** As PostgreSQL's to_json(text)::text writes it. */
export const json = (value: string): string => JSON.stringify(value);

/** length() in characters (code points), as PostgreSQL counts them. */
export function charLength(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const maskChars = (value: string, head: number, tail: number, min: number): string => {
  // eslint-disable-next-line no-control-regex -- ASCII only: one character per code unit
  if (/^[\x00-\x7f]*$/.test(value)) {
    if (value.length < min) return '*'.repeat(value.length);
    return value.slice(0, head) + '*'.repeat(value.length - head - tail) + value.slice(-tail);
  }
  const chars = Array.from(value);
  if (chars.length < min) return '*'.repeat(chars.length);
  return chars.slice(0, head).join('') + '*'.repeat(chars.length - head - tail) + chars.slice(-tail).join('');
};
/** Same as SQL mask_id_number (migration 1763900150000-ingest). */
export const maskIdNumber = (value: string): string => maskChars(value, 6, 4, 14);
/** Same as SQL mask_bank_account. */
export const maskBankAccount = (value: string): string => maskChars(value, 4, 4, 12);

// ---------------------------------------------------------------------------------------
// Lexical rules (same patterns as the SQL they replaced; ASCII digits).

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-]\d{2}(:?[0-5]\d)?)?$/;
const MONEY = /^-?\d{1,12}(\.\d{1,2})?$/;
const DECIMAL = /^-?\d{1,10}(\.\d{1,4})?$/;
const REGION_CODE = /^\d{6}$/;
const ACCOUNT = /^\d{12,19}$/;
const INTEGER = /^-?\d{1,9}$/;
const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,8})?$/;
const ID_NUMBER = /^\d{17}[\dX]$/;

const digitAt = (value: string, i: number): number => {
  const c = value.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

/** A real calendar day written YYYY-MM-DD (SQL ingest_is_date: the same pattern and day rule). */
export function isDateText(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = digitAt(value, i);
    if (d < 0) return false;
    year = year * 10 + d;
  }
  const m1 = digitAt(value, 5);
  const m2 = digitAt(value, 6);
  const d1 = digitAt(value, 8);
  const d2 = digitAt(value, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  const last =
    month === 2
      ? (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
        ? 29
        : 28
      : month === 4 || month === 6 || month === 9 || month === 11
        ? 30
        : 31;
  return day <= last;
}

/** ISO 8601 date-time (SQL ingest_is_timestamp). */
export const isTimestampText = (value: string): boolean => TIMESTAMP.test(value) && isDateText(value.slice(0, 10));

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** GB 11643 (SQL gb11643_is_valid). */
export function isValidGb11643(value: string): boolean {
  if (!ID_NUMBER.test(value)) return false;
  if (!isDateText(`${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (value.charCodeAt(i) - 48) * WEIGHTS[i];
  return '10X98765432'[sum % 11] === value[17];
}

/**
 * A money or decimal text already matched by its pattern (`-?digits[.digits]`), as an
 * integer in units of 10^-scale. Exact up to 15 significant digits (money and decimals have
 * at most 14); beyond that only the sign is relied on.
 */
export function scaled(value: string, scale: number): number {
  let i = 0;
  let negative = false;
  if (value.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
  }
  let n = 0;
  let decimals = -1;
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 46) {
      decimals = 0;
      continue;
    }
    n = n * 10 + (c - 48);
    if (decimals >= 0) decimals++;
  }
  for (let k = decimals < 0 ? 0 : decimals; k < scale; k++) n *= 10;
  return negative ? -n : n;
}

/** Sign of a matched money or decimal text: -1, 0 or 1. */
export function sign(value: string): number {
  let nonZero = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 48 && c <= 57) {
      nonZero = true;
      break;
    }
  }
  if (!nonZero) return 0;
  return value.charCodeAt(0) === 45 ? -1 : 1;
}

/** Integer cents as numeric(…, 2) text. */
const centsText = (cents: bigint): string => {
  const negative = cents < 0n;
  const a = negative ? -cents : cents;
  const frac = (a % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${a / 100n}.${frac}`;
};

// ---------------------------------------------------------------------------------------
// Builders (null passes, except `required`).

export const required = (column: string): LocalCheck => ({
  local: (columns) => {
    const i = at(columns, column);
    const reason = `${column} is required`;
    return (f) => (f[i] === null ? reason : null);
  },
});

export const maxLength = (column: string, length: number): LocalCheck =>
  onValue(
    column,
    (v) => v.length > length && charLength(v) > length,
    () => `${column} is longer than ${length} characters`,
  );

export const oneOf = (column: string, values: readonly string[]): LocalCheck => {
  const allowed = new Set(values);
  return onValue(
    column,
    (v) => !allowed.has(v),
    (v) => `${column} ${json(v)} is not one of ${values.join(', ')}`,
  );
};

export const isDate = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !isDateText(v),
    (v) => `${column} ${json(v)} is not a date (YYYY-MM-DD)`,
  );

export const isTimestamp = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !isTimestampText(v),
    (v) => `${column} ${json(v)} is not an ISO 8601 timestamp`,
  );

export const isMoney = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !MONEY.test(v),
    (v) => `${column} ${json(v)} is not money (yuan, at most 2 decimals)`,
  );

export const isDecimal = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !DECIMAL.test(v),
    (v) => `${column} ${json(v)} is not a decimal (at most 4 decimals)`,
  );

/** After isMoney/isDecimal: the value as a number (4 decimals cover both) is < 0. */
export const nonNegative = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => sign(v) < 0,
    (v) => `${column} ${v} is negative`,
  );

export const positive = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => sign(v) <= 0,
    (v) => `${column} ${v} is not greater than 0`,
  );

export const isRegionCode = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !REGION_CODE.test(v),
    (v) => `${column} ${json(v)} is not a 6-digit region code`,
  );

export const isAccount = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !ACCOUNT.test(v),
    (v) => `${column} ${maskBankAccount(v)} is not 12–19 digits`,
  );

export const isGb11643 = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !isValidGb11643(v),
    (v) => `${column} ${maskIdNumber(v)} fails the GB 11643 check`,
  );

export const isIcd10 = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !ICD10.test(v) || v.length > 16,
    (v) => `${column} ${json(v)} is not an ICD-10 code`,
  );

export const isInteger = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => !INTEGER.test(v),
    (v) => `${column} ${json(v)} is not an integer`,
  );

export const atLeastOne = (column: string): LocalCheck =>
  onValue(
    column,
    (v) => Number(v) < 1,
    (v) => `${column} ${v} is less than 1`,
  );

/** total = fund + self exactly (all three already checked as money). */
export const totalIsSum = (total: string, fund: string, self: string): LocalCheck =>
  rowCheck([total, fund, self], (t, a, b) =>
    t !== null && a !== null && b !== null && scaled(t, 2) !== scaled(a, 2) + scaled(b, 2)
      ? `${total} ${t} ≠ ${fund} ${a} + ${self} ${b}`
      : null,
  );

/** |amount − quantity × unit_price| ≤ 0.01 (quantity a decimal, the others money). */
export const amountIsProduct = (amount: string, quantity: string, unitPrice: string): LocalCheck =>
  rowCheck([amount, quantity, unitPrice], (a, q, p) => {
    if (a === null || q === null || p === null) return null;
    // In units of 10^-6: quantity has 4 decimals, unit_price 2.
    const product = scaled(q, 4) * scaled(p, 2);
    const target = scaled(a, 2) * 10_000;
    if (Number.isSafeInteger(product) && Math.abs(target - product) <= 10_000) return null;
    const exact = BigInt(scaled(q, 4)) * BigInt(scaled(p, 2));
    const diff = BigInt(target) - exact;
    if ((diff < 0n ? -diff : diff) <= 10_000n) return null;
    // round(quantity × unit_price, 2): half away from zero, as numeric round does.
    const rounded = exact < 0n ? -((-exact + 5_000n) / 10_000n) : (exact + 5_000n) / 10_000n;
    return `${amount} ${a} ≠ ${quantity} ${q} × ${unitPrice} ${p} (${centsText(rounded)})`;
  });

/** A condition over valid values of several columns. */
export const when = (names: readonly string[], test: (...values: Field[]) => string | null): LocalCheck =>
  rowCheck(names, test);

const TIMESTAMP_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d{1,6})?(?:(Z)|([+-])(\d{2}):?(\d{2})?)?$/;
/** From 1992 on, Asia/Shanghai is UTC+8 all year (it kept daylight saving time 1986–1991). */
const SHANGHAI_FIXED_FROM = Date.UTC(1992, 0, 1);
const SHANGHAI_TO = Date.UTC(9999, 11, 31, 16);

/**
 * The date in Asia/Shanghai of a timestamp already checked by isTimestampText, as
 * `(value::timestamptz AT TIME ZONE 'Asia/Shanghai')::date` gives it in a session whose zone
 * is Asia/Shanghai; null when that needs the zone's older rules (an offset before 1992).
 */
export function shanghaiDate(value: string): string | null {
  // The common forms without a regular expression: no offset, or UTC+8 from 1992 on.
  let zone = 16;
  if (value.charCodeAt(zone) === 58) zone = 19;
  if (value.charCodeAt(zone) === 46) {
    zone++;
    while (zone < value.length && value.charCodeAt(zone) >= 48 && value.charCodeAt(zone) <= 57) zone++;
  }
  if (zone === value.length) return value.slice(0, 10);
  const offset = value.slice(zone);
  if ((offset === '+08:00' || offset === '+0800' || offset === '+08') && value.slice(0, 4) >= '1992')
    return value.slice(0, 10);
  const p = TIMESTAMP_PARTS.exec(value);
  if (!p) return null;
  // Without an offset the value is a Shanghai wall-clock time: its date is the date written.
  if (p[7] === undefined && p[8] === undefined) return value.slice(0, 10);
  const offsetMinutes = p[7] ? 0 : (p[8] === '-' ? -1 : 1) * (Number(p[9]) * 60 + Number(p[10] ?? 0));
  const utc =
    Date.UTC(Number(p[1]), Number(p[2]) - 1, Number(p[3]), Number(p[4]), Number(p[5]), Number(p[6] ?? 0)) -
    offsetMinutes * 60_000;
  if (!(utc >= SHANGHAI_FIXED_FROM && utc < SHANGHAI_TO)) return null;
  return new Date(utc + 8 * 3_600_000).toISOString().slice(0, 10);
}
