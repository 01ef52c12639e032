/**
 * The predicates list filters share (docs/READING.md "Filters"), so that every list reads a date
 * range, an amount range and a region the same way. Each returns SQL fragments to AND into a
 * list's WHERE; values are bound through `params`, never concatenated.
 */
import { TIME_ZONE } from './constants';
import { badInput } from './errors';
import { codePrefix } from './regions';
import { SqlParams } from './sql';

/**
 * A range of civil dates (YYYY-MM-DD, in TIME_ZONE), both ends inclusive, over a timestamptz
 * column; either end may be absent. `from` after `to` is BAD_USER_INPUT.
 */
export function dateRangeSql(
  params: SqlParams,
  column: string,
  range: { from?: string | null; to?: string | null },
  name = 'date',
): string[] {
  if (range.from && range.to && range.from > range.to) throw badInput(`${name} range: from is after to`);
  const where: string[] = [];
  if (range.from) where.push(`${column} >= (${params.add(range.from)}::date)::timestamp AT TIME ZONE '${TIME_ZONE}'`);
  if (range.to) where.push(`${column} < (${params.add(range.to)}::date + 1)::timestamp AT TIME ZONE '${TIME_ZONE}'`);
  return where;
}

/** An amount range (Money strings, compared exactly as numeric), both ends inclusive. */
export function amountRangeSql(
  params: SqlParams,
  column: string,
  range: { min?: string | null; max?: string | null },
): string[] {
  const where: string[] = [];
  if (range.min) where.push(`${column} >= ${params.add(range.min)}::numeric`);
  if (range.max) where.push(`${column} <= ${params.add(range.max)}::numeric`);
  return where;
}

/** A region and everything below it, over a column of six-digit codes. */
export function regionSql(params: SqlParams, column: string, regionCode: string): string {
  return `${column} LIKE ${params.add(`${codePrefix(regionCode)}%`)}`;
}
