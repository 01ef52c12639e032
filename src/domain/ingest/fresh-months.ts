/**
 * New month partitions loaded without indexes (issue 14: "load them without indexes, build
 * the indexes after, then attach"). When a file of a partitioned fact table (settlement,
 * settlement_item) brings months whose partitions do not exist yet, the file's transaction
 * creates them as plain tables with the partition's CHECK, routes the COPY through a private
 * partitioned "load" table that holds them (and a DEFAULT partition for the rows of months that
 * exist already), then builds each new table's indexes in one pass, attaches it to the real
 * table (the CHECK spares the validation scan; the indexes match the parent's, so none is
 * built twice), and moves the DEFAULT partition's rows into the real table.
 *
 * Readers are never blocked: attaching takes SHARE UPDATE EXCLUSIVE on the real table, the new
 * tables are invisible to other transactions until the file commits, and the ingest partition
 * lock (held to the end of the file's transaction) keeps two batches from creating the same
 * month. A key repeated in the file fails the unique index build with a unique violation, which
 * hands the file to the staged path like a violation during the COPY (the savepoint drops it all).
 */
import { Client } from 'pg';
import { ADVISORY_LOCKS } from '../../core/constants';

/** maintenance_work_mem of the index builds (this transaction only). */
const INDEX_BUILD_MEMORY = '256MB';

export interface FreshMonths {
  table: string;
  /**
   * The partitioned table the COPY goes into: `<schema>.<table>`, in a schema private to this
   * transaction, so that with `schema` first on the search_path (withLoadSearchPath) the COPY
   * statement reads as the one into the real table.
   */
  load: string;
  schema: string;
  other: string;
  /** The new month tables: name and bounds. */
  parts: { name: string; from: string; to: string }[];
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected identifier ${name}`);
  return name;
};

/** The first day of the month after `month` ('YYYY-MM-01'). */
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * Months ('YYYY-MM-01') that another month-partitioned table has a partition for and `table`
 * has not: those a file without a month column of its own (the items, which take their
 * settlement's month) may need, even when this batch skipped the settlements (loaded before).
 */
export async function monthsMissingFrom(client: Client, table: string): Promise<string[]> {
  const { rows } = await client.query<{ month: string }>(
    `SELECT DISTINCT to_char(to_date(right(c.relname, 6), 'YYYYMM'), 'YYYY-MM-DD') AS month
     FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid
     JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relkind = 'p' AND p.relname <> $1 AND c.relname ~ '_[0-9]{6}$'
       AND to_regclass($1 || '_' || right(c.relname, 6)) IS NULL`,
    [table],
  );
  return rows.map((r) => r.month);
}

/** Whether `table` is partitioned by month (settled_on). */
export async function isMonthPartitioned(client: Client, table: string): Promise<boolean> {
  const { rows } = await client.query<{ p: boolean }>(
    `SELECT c.relkind = 'p' AS p FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [table],
  );
  return rows[0]?.p === true;
}

/**
 * Creates the new month tables of `months` ('YYYY-MM-01') that `table` has no partition for,
 * and the load table over them; null when every month exists (the COPY goes to `table`).
 */
export async function prepareFreshMonths(client: Client, table: string, months: string[]): Promise<FreshMonths | null> {
  if (!months.length) return null;
  await client.query('SELECT pg_advisory_xact_lock($1, 0)', [ADVISORY_LOCKS.ingestPartitions]);
  const { rows } = await client.query<{ month: string }>(
    `SELECT to_char(m, 'YYYY-MM-DD') AS month FROM unnest($1::date[]) AS m
     WHERE to_regclass(format('%s_%s', $2::text, to_char(m, 'YYYYMM'))) IS NULL ORDER BY m`,
    [months, table],
  );
  if (!rows.length) return null;
  const { rows: pid } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const schema = ident(`ingest_load_${pid[0].pid}`);
  const load = `${schema}.${ident(table)}`;
  const other = `${schema}.other`;
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.query(
    `CREATE TABLE ${load} (LIKE public.${ident(table)} INCLUDING DEFAULTS INCLUDING GENERATED) PARTITION BY RANGE (settled_on)`,
  );
  await client.query(`CREATE TABLE ${other} PARTITION OF ${load} DEFAULT`);
  const parts = rows.map(({ month }) => ({
    name: ident(`${table}_${month.slice(0, 4)}${month.slice(5, 7)}`),
    from: month,
    to: nextMonth(month),
  }));
  for (const part of parts) {
    await client.query(
      `CREATE TABLE public.${part.name} (LIKE public.${ident(table)} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING CONSTRAINTS,
         CONSTRAINT ${part.name}_month CHECK (settled_on >= '${part.from}' AND settled_on < '${part.to}'))`,
    );
    await client.query(
      `ALTER TABLE ${load} ATTACH PARTITION public.${part.name} FOR VALUES FROM ('${part.from}') TO ('${part.to}')`,
    );
  }
  return { table, load, schema, other, parts };
}

/** Runs `work` (the COPY) with the load schema first on the search_path, then restores it. */
export async function withLoadSearchPath<T>(client: Client, fresh: FreshMonths, work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ path: string }>(`SELECT current_setting('search_path') AS path`);
  await client.query(`SELECT set_config('search_path', $1, true)`, [`${fresh.schema}, ${rows[0].path}`]);
  // Not reset when the work fails: the transaction is aborted then (a statement would only
  // replace the error with "current transaction is aborted", and a hand-over to the staged path
  // with a failed file); the caller's rollback to its savepoint restores the search_path.
  const result = await work();
  await client.query(`SELECT set_config('search_path', $1, true)`, [rows[0].path]);
  return result;
}

/**
 * After the COPY: each new month table gets the real table's indexes (its primary key as a
 * constraint, as a partition made by PARTITION OF has) and is attached; the rows of existing
 * months move from the DEFAULT partition into the real table; the load table is dropped.
 */
export async function finishFreshMonths(client: Client, fresh: FreshMonths): Promise<void> {
  const { table, load, schema, other, parts } = fresh;
  await client.query(`SET LOCAL maintenance_work_mem = '${INDEX_BUILD_MEMORY}'`);
  const { rows: keys } = await client.query<{ def: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c WHERE c.conrelid = $1::regclass AND c.contype = 'p'`,
    [table],
  );
  const { rows: indexes } = await client.query<{ def: string }>(
    `SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
     WHERE x.indrelid = $1::regclass AND NOT x.indisprimary ORDER BY x.indexrelid`,
    [table],
  );
  for (const part of parts) {
    await client.query(`ALTER TABLE ${load} DETACH PARTITION public.${part.name}`);
    for (const { def } of keys)
      await client.query(`ALTER TABLE public.${part.name} ADD CONSTRAINT ${part.name}_pkey ${def}`);
    for (const { def } of indexes) {
      const own = def.replace(
        /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?(public\.)?\w+/,
        `CREATE $1INDEX ON public.${part.name}`,
      );
      if (own === def) throw new Error(`unexpected index definition ${def}`);
      await client.query(own);
    }
    await client.query(
      `ALTER TABLE public.${ident(table)} ATTACH PARTITION public.${part.name} FOR VALUES FROM ('${part.from}') TO ('${part.to}')`,
    );
  }
  const { rows: moved } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${other}`);
  if (moved[0].n > 0) await client.query(`INSERT INTO public.${ident(table)} SELECT * FROM ${other}`);
  await client.query(`DROP SCHEMA ${schema} CASCADE`);
}
