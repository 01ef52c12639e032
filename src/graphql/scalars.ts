/** The contract's scalars: DateTime and JSON from graphql-scalars; Date and Money are ours. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

export { GraphQLDateTime as DateTimeScalar, GraphQLJSON as JSONScalar };

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Accepts a real calendar date written YYYY-MM-DD. */
export function parseDate(value: unknown): string {
  if (typeof value !== 'string' || !DATE_PATTERN.test(value)) {
    throw new GraphQLError(`Invalid Date: expected YYYY-MM-DD, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const [, y, m, d] = DATE_PATTERN.exec(value)!.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new GraphQLError(`Invalid Date: ${value} is not a calendar date`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

/** A calendar date (its date in Asia/Shanghai when derived from a timestamp), YYYY-MM-DD. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date, YYYY-MM-DD (dates of events are their date in Asia/Shanghai).',
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Invalid Date: expected a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDate(ast.value);
  },
});

const MONEY_PATTERN = /^-?\d{1,15}(\.\d{1,2})?$/;

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

function parseMoney(value: unknown): string {
  if (typeof value !== 'string' || !MONEY_PATTERN.test(value.trim())) {
    throw new GraphQLError(`Invalid Money: expected a decimal string with at most 2 decimals, got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return formatMoney(value);
}

export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description: 'Exact money in yuan, serialized as a decimal string such as "1234.50".',
  serialize: (value) => formatMoney(typeof value === 'bigint' ? value : String(value)),
  parseValue: parseMoney,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Invalid Money: expected a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseMoney(ast.value);
  },
});
