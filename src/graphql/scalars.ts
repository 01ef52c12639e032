/** The contract's scalars: DateTime and JSON from graphql-scalars; Date and Money are ours. */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';
import { TIME_ZONE } from '../core/constants';
import { formatMoney, parseDate } from '../core/dates';
import { AppError } from '../core/errors';

/** graphql-scalars' DateTime and JSON, with a Chinese description for the schema's readers. */
export const DateTimeScalar = new GraphQLScalarType({
  ...GraphQLDateTime.toConfig(),
  description: `时间 (DateTime)：UTC 时间的 RFC 3339 字符串，如 2007-12-03T10:15:30Z；按日期统计时取其在 ${TIME_ZONE} 的日期。${GraphQLDateTime.description}`,
});
export const JSONScalar = new GraphQLScalarType({
  ...GraphQLJSON.toConfig(),
  description: `JSON 值 (JSON)：任意 JSON 对象、数组或值，结构随字段而异。${GraphQLJSON.description}`,
});
/** The pure parsers moved to src/core/dates.ts; re-exported until every import uses them. */

/** A scalar's parse error is a GraphQLError, so that graphql-js reports its message as written. */
function scalarParser<T>(parse: (value: unknown) => T): (value: unknown) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof AppError) throw new GraphQLError(error.message, { extensions: { code: error.code } });
      throw error;
    }
  };
}

const parseDateValue = scalarParser(parseDate);

/** A calendar date (its date in TIME_ZONE when derived from a timestamp), YYYY-MM-DD. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: `日期 (Date)：YYYY-MM-DD。A calendar date, YYYY-MM-DD (dates of events are their date in ${TIME_ZONE}).`,
  serialize: (value) => {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    return parseDateValue(value);
  },
  parseValue: parseDateValue,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('Invalid Date: expected a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseDateValue(ast.value);
  },
});

const MONEY_PATTERN = /^-?\d{1,15}(\.\d{1,2})?$/;

function parseMoney(value: unknown): string {
  if (typeof value !== 'string' || !MONEY_PATTERN.test(value.trim())) {
    throw new GraphQLError(
      `Invalid Money: expected a decimal string with at most 2 decimals, got ${JSON.stringify(value)}`,
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  }
  return formatMoney(value);
}

export const MoneyScalar = new GraphQLScalarType<string, string>({
  name: 'Money',
  description:
    '金额 (Money)：单位元，精确到分，以两位小数的字符串表示，如 "1234.50"；输入可为至多两位小数的字符串。Exact money in yuan, serialized as a decimal string such as "1234.50".',
  serialize: (value) => formatMoney(typeof value === 'bigint' ? value : String(value)),
  parseValue: parseMoney,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError('Invalid Money: expected a string', { extensions: { code: 'BAD_USER_INPUT' } });
    return parseMoney(ast.value);
  },
});
