/** SQL fragments several models share, so that a rule of MODELS.md is written once. */

/**
 * The effective catalog row (MODELS.md) of every item for every city prefix: the city's own
 * row (`R[0..4] + '00'`) when it exists, else the province's (`R[0..2] + '0000'`). The whole
 * row overrides, not column by column: a city row without a cap means no cap. Join it on
 * `city = left(region_code, 4)` of the institution (or person) concerned.
 */
export const EFFECTIVE_CATALOG_CTE = `effective_catalog AS (
    SELECT DISTINCT ON (c.city, pc.item_code)
           c.city, pc.item_code, pc.region_code AS catalog_region, pc.max_unit_price,
           pc.max_daily_quantity, pc.max_monthly_quantity, pc.includes
    FROM (SELECT DISTINCT left(code, 4) AS city FROM region) c
    JOIN price_catalog pc ON pc.region_code IN (c.city || '00', left(c.city, 2) || '0000')
    ORDER BY c.city, pc.item_code, (pc.region_code = c.city || '00') DESC
  )`;

/** An item line of settlement `s` (same partition: settled_on is the settlement's date). */
export const ITEM_OF_SETTLEMENT = 'it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id';

/** The first three characters of the diagnosis code (dx3). */
export const dx3 = (alias: string): string => `left(${alias}.diagnosis_code, 3)`;

/** A date as it appears in hit keys. */
export const keyDate = (expr: string): string => `to_char(${expr}, 'YYYY-MM-DD')`;
export const keyMonth = (expr: string): string => `to_char(${expr}, 'YYYY-MM')`;

/**
 * Σ of a numeric column of fixed `scale` (quantities 4, money 2), exactly as sum() gives it
 * (same value, same scale), summed as bigint units: a hash aggregate's state is then a 128-bit
 * integer instead of a numeric accumulator (≈ 800 bytes per group with two sums, which spilled
 * at millions of groups). Columns are numeric(14, scale): units fit in a bigint.
 */
export const EXACT_SUM = (expr: string, scale: 2 | 4): string =>
  `(sum((${expr} * ${10 ** scale})::bigint)::numeric * 0.${'0'.repeat(scale - 1)}1)`;
