/** Calendar dates and exact money as the services read them (the GraphQL scalars wrap these). */
import { badInput } from './errors';

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Accepts a real calendar date written YYYY-MM-DD; anything else is BAD_USER_INPUT. */
export function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) {
    throw badInput(`Invalid Date: expected YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
  const [, y, m, d] = DATE_PATTERN.exec(value)!.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw badInput(`Invalid Date: ${value} is not a calendar date`);
  }
  return value;
}

/** Normalises an exact decimal (string from PostgreSQL numeric, or input) to "1234.50". */
export function formatMoney(value: string | bigint): string {
  if (typeof value === 'bigint') {
    const negative = value < 0n;
    const abs = negative ? -value : value;
    return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
  }
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${value}`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.replace(/0+$/, '').length > 2) throw new Error(`more than 2 decimals: ${value}`);
  return `${sign}${BigInt(whole)}.${fraction.padEnd(2, '0').slice(0, 2)}`;
}

/** A `date` column as YYYY-MM-DD (pg reads a date as local midnight, so its local parts are the date). */
export function dateText(value: Date | string): string {
  if (typeof value === 'string') return value.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
}
