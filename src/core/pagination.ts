/**
 * Relay cursor connections over keyset pagination: the one way every list is paged. The
 * GraphQL object types for them are built in src/graphql/relay.ts.
 */
import { badInput } from './errors';
import { SqlParams } from './sql';

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number;
}

export const DEFAULT_PAGE_SIZE = 20;

/** `first` defaults to 20 and is clamped to the configured cap, never an error above it. */
export function pageSize(first: number | null | undefined, cap: number): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (first < 0) throw badInput('first must not be negative');
  return Math.min(first, cap);
}

/** Cursors are opaque: the sort key values of the row, base64url-encoded JSON. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): unknown[] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key)) return key;
  } catch {
    // fall through
  }
  throw badInput(`malformed cursor "${cursor}"`);
}

/**
 * A column of a keyset order: `column` is what the SQL orders by, `key` the row's property the
 * cursor carries; `fromKey`, when given, turns a cursor's value (a placeholder) into a value of
 * `column` (e.g. integer microseconds into a timestamp), so that `column` itself is compared and
 * an index on it serves the order and the cursor condition.
 */
export interface OrderColumn<Row> {
  column: string;
  key: keyof Row & string;
  fromKey?: (placeholder: string) => string;
}

/**
 * Keyset pagination over a SQL query with a stable order. `orderBy` lists the columns
 * (ascending or descending as one direction), the last one unique. The caller's `where`
 * may reference parameters $1..$n; the cursor condition is appended.
 */
export async function paginate<Row extends Record<string, unknown>, T>(options: {
  query: (sql: string, params: unknown[]) => Promise<Row[]>;
  from: string;
  where: string[];
  params: SqlParams;
  orderBy: OrderColumn<Row>[];
  descending?: boolean;
  first: number;
  after?: string | null;
  map: (row: Row) => T;
  /**
   * Whether the rows of the filter are counted (default true). False when the client did not
   * select totalCount: the page alone is read and totalCount is NaN (never shown: GraphQL
   * resolves only what was selected — see selectsField in src/graphql/relay.ts).
   */
  count?: boolean;
}): Promise<Connection<T>> {
  const { query, from, orderBy, first, descending = false, count: counted = true } = options;
  const params = [...options.params.values];
  const where = [...options.where];
  const filterWhere = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const countSql = `SELECT count(*)::int AS count FROM ${from} ${filterWhere}`;
  if (options.after) {
    const key = decodeCursor(options.after);
    if (key.length !== orderBy.length) throw badInput(`malformed cursor "${options.after}"`);
    const placeholders = key.map((value, i) => {
      params.push(value);
      const { fromKey } = orderBy[i];
      return fromKey ? fromKey(`$${params.length}`) : `$${params.length}`;
    });
    where.push(`(${orderBy.map((o) => o.column).join(', ')}) ${descending ? '<' : '>'} (${placeholders.join(', ')})`);
  }
  const direction = descending ? 'DESC' : 'ASC';
  params.push(first + 1);
  // One statement (one round trip): the page, each row with the total count — an uncorrelated
  // subquery, computed once. The outer query only adds that column to the rows of the ordered
  // LIMIT subquery (a subquery scan, which keeps their order).
  const pageSql = `SELECT * FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY ${orderBy.map((o) => `${o.column} ${direction}`).join(', ')} LIMIT $${params.length}`;
  if (!counted) {
    const rows = (await query(pageSql, params)) as Row[];
    return connectionOf(rows, { ...options, totalCount: NaN });
  }
  const rows = (await query(
    `SELECT page.*, (${countSql}) AS ${TOTAL_COLUMN} FROM (${pageSql}) page`,
    params,
  )) as (Row & { [TOTAL_COLUMN]?: number })[];
  let count: number;
  if (rows.length) {
    count = Number(rows[0][TOTAL_COLUMN]);
    for (const row of rows) delete row[TOTAL_COLUMN];
  } else if (!options.after) {
    count = 0;
  } else {
    // Past the last page: the rows of the filter are still counted.
    const [{ count: total }] = (await query(countSql, options.params.values)) as unknown as { count: number }[];
    count = total;
  }
  return connectionOf(rows as Row[], { ...options, totalCount: count });
}

/** The column of `paginate`'s statement that carries the total count (removed from the rows). */
const TOTAL_COLUMN = 'page_total_count';

/**
 * `paginate`'s first page (no `after`) for each of many groups — e.g. the hits of every clue
 * in a list — in one query: rows are numbered within their group (`partitionBy`), and each
 * group's connection carries the same cursors, so that `paginate` with `after` pages on.
 * The caller's `where` restricts the rows to the groups asked for.
 */
export async function firstPages<Row extends Record<string, unknown>, T>(options: {
  query: (sql: string, params: unknown[]) => Promise<(Row & { page_row: string; page_total: string })[]>;
  from: string;
  where: string[];
  params: SqlParams;
  orderBy: OrderColumn<Row>[];
  descending?: boolean;
  first: number;
  map: (row: Row) => T;
  partitionBy: string;
  groups: readonly string[];
  groupOf: (row: Row) => string;
}): Promise<Map<string, Connection<T>>> {
  const { orderBy, first, descending = false } = options;
  const params = [...options.params.values, first + 1];
  const direction = descending ? 'DESC' : 'ASC';
  const rows = await options.query(
    `SELECT * FROM (
       SELECT *, row_number() OVER (PARTITION BY ${options.partitionBy}
                                    ORDER BY ${orderBy.map((o) => `${o.column} ${direction}`).join(', ')}) AS page_row,
              count(*) OVER (PARTITION BY ${options.partitionBy}) AS page_total
       FROM ${options.from} ${options.where.length ? `WHERE ${options.where.join(' AND ')}` : ''}
     ) numbered WHERE page_row <= $${params.length} ORDER BY page_row`,
    params,
  );
  const byGroup = new Map<string, { rows: Row[]; total: number }>(
    options.groups.map((g) => [g, { rows: [], total: 0 }]),
  );
  for (const { page_row: _row, page_total: total, ...row } of rows) {
    const group = byGroup.get(options.groupOf(row as unknown as Row));
    if (!group) continue;
    group.rows.push(row as unknown as Row);
    group.total = Number(total);
  }
  return new Map(
    [...byGroup].map(([key, group]) => [
      key,
      connectionOf(group.rows, { ...options, after: null, totalCount: group.total }),
    ]),
  );
}

/** A page from rows read with LIMIT first + 1 (the extra row tells that a next page exists). */
function connectionOf<Row extends Record<string, unknown>, T>(
  rows: Row[],
  options: {
    orderBy: { key: keyof Row & string }[];
    first: number;
    after?: string | null;
    map: (row: Row) => T;
    totalCount: number;
  },
): Connection<T> {
  const { orderBy, first } = options;
  const edges = rows.slice(0, first).map((row) => ({
    cursor: encodeCursor(orderBy.map((o) => normaliseKey(row[o.key]))),
    node: options.map(row),
  }));
  return {
    edges,
    totalCount: options.totalCount,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(options.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function normaliseKey(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** The column `timeOrdered` adds: the ordering time in integer microseconds (a bigint, as text). */
export type TimeOrderedRow<Row> = Row & { time_us: string };

/**
 * The keyset order of lists ordered by a timestamp (newest first unless `newestFirst` is
 * false), with the id as tie-breaker. Cursors carry the time as integer microseconds, computed
 * in the FROM: a timestamp's microseconds would be lost in a JS Date. Spread the result into
 * `paginate` or `firstPages`, with `TimeOrderedRow<YourRow>` as their row type:
 *
 *   paginate<TimeOrderedRow<ClueRow>, ClueRow>({
 *     ...timeOrdered({ table: 'clue', alias: 'c', select: CLUE_SELECT }),
 *     query, where, params, first, after, map,
 *   });
 *
 * `select` is the select list of the inner query (default `alias.*`; the FROM's alias is the
 * same, so `where` conditions read `alias.column` either way); `column` defaults to created_at.
 */
export function timeOrdered<Row extends { id: string }>(options: {
  table: string;
  alias: string;
  column?: string;
  select?: string;
  newestFirst?: boolean;
}): {
  from: string;
  orderBy: OrderColumn<TimeOrderedRow<Row>>[];
  descending: boolean;
} {
  const { table, alias, column = 'created_at', select = `${alias}.*`, newestFirst = true } = options;
  return {
    from: `(SELECT ${select}, (extract(epoch FROM ${alias}.${column}) * 1000000)::bigint AS time_us FROM ${table} ${alias}) ${alias}`,
    // Ordered by the timestamp itself, which an index on (column, id) serves: the page reads
    // its first rows from the index instead of sorting every row of the filter (ordering by
    // the computed time_us, no index could). The same order: a timestamp is whole
    // microseconds, and time_us is exactly those. The cursor's microseconds become the
    // timestamp again, exactly (bigint × 1 µs interval, no floating point).
    orderBy: [
      {
        column: `${alias}.${column}`,
        key: 'time_us',
        fromKey: (placeholder) => `(timestamptz 'epoch' + ${placeholder}::bigint * interval '1 microsecond')`,
      },
      { column: `${alias}.id`, key: 'id' },
    ],
    descending: newestFirst,
  };
}
