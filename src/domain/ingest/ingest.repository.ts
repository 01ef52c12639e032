/**
 * The SQL of the loader (数据归集): the ingest log (ingest_file), the file's transaction, the
 * staged path's temporary tables and set-based checks (their SQL fragments come from the file
 * specs, ingest.files.ts), the quarantine and the month partitions. Every function takes the
 * loader's own connection (`Client`), except the partitions, which commit on their own.
 */
import { Client, QueryResult } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { ADVISORY_LOCKS, TIME_ZONE } from '../../core/constants';
import { Connection, paginate } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { Tables } from '../../db/tables';
import { PersonalDataKeys } from '../reference/personal-data';
import { IngestFileSpec } from './ingest.files';

/** The values a spec's SQL refers to by name (`:encKey`, `:hashKey`, `:ingestFileId`). */
export interface SpecValues extends PersonalDataKeys {
  ingestFileId: string;
}

const SPEC_VALUE_TYPES: Record<keyof SpecValues, string> = {
  encKey: 'bytea',
  hashKey: 'bytea',
  ingestFileId: 'bigint',
};

/** A spec statement with its `:name` references bound as parameters, each once. */
export function bindSpecValues(sql: string, values: SpecValues): { text: string; values: unknown[] } {
  const params = new SqlParams();
  const text = sql.replace(/(?<!:):(encKey|hashKey|ingestFileId)\b/g, (_m, name: keyof SpecValues) =>
    params.named(name, SPEC_VALUE_TYPES[name], () => values[name]),
  );
  return { text, values: params.values };
}

const runSpec = (client: Client, sql: string, values: SpecValues): Promise<QueryResult> => {
  const bound = bindSpecValues(sql, values);
  return client.query(bound.text, bound.values);
};

/** PostgreSQL's unique_violation: the key indexes found a key that exists already or repeats in the file. */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: string } | null)?.code === '23505';

const PAGE = 10_000;

/** Reports `(line, reason)` rows of a query in line order, a page at a time. */
async function pageThrough(
  client: Client,
  select: string,
  params: unknown[],
  report: (line: number, reason: string) => void,
): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await client.query<{ line: number; reason: string }>(
      `SELECT * FROM (${select}) q WHERE line > $${params.length + 1} ORDER BY line LIMIT ${PAGE}`,
      [...params, after],
    );
    for (const row of rows) report(row.line, row.reason);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].line;
  }
}

// The ingest log

/** An ingest_file row (a Pick: `paginate` reads rows as records). */
export type IngestFileRow = Pick<
  Tables['ingest_file'],
  | 'id'
  | 'batch_path'
  | 'file_name'
  | 'checksum'
  | 'status'
  | 'read_rows'
  | 'loaded_rows'
  | 'rejected_rows'
  | 'duplicate_rows'
  | 'started_at'
  | 'finished_at'
  | 'error'
  | 'load_path'
>;

/** A page of the ingest log, newest first. */
export function ingestFilePage<T>(
  db: DataSource,
  options: { first: number; after?: string | null; map: (row: IngestFileRow) => T },
): Promise<Connection<T>> {
  return paginate<IngestFileRow, T>({
    query: (sql, values) => db.query(sql, values),
    from: 'ingest_file',
    where: [],
    params: new SqlParams(),
    orderBy: [{ column: 'id', key: 'id' }],
    descending: true,
    ...options,
  });
}

/** A LOADING row, committed on its own: a killed attempt stays visible, with nothing loaded. */
export async function insertLoadingFile(
  client: Client,
  file: Pick<IngestFileRow, 'batch_path' | 'file_name' | 'checksum'>,
): Promise<IngestFileRow['id']> {
  const { rows } = await client.query<Pick<IngestFileRow, 'id'>>(
    `INSERT INTO ingest_file (batch_path, file_name, checksum, status, started_at)
     VALUES ($1, $2, $3, 'LOADING', clock_timestamp()) RETURNING id`,
    [file.batch_path, file.file_name, file.checksum],
  );
  return rows[0].id;
}

export async function finishFile(
  client: Client,
  id: string,
  outcome: Pick<
    IngestFileRow,
    'status' | 'read_rows' | 'loaded_rows' | 'rejected_rows' | 'duplicate_rows' | 'load_path'
  >,
): Promise<void> {
  await client.query(
    `UPDATE ingest_file SET status = $2, read_rows = $3, loaded_rows = $4, rejected_rows = $5, duplicate_rows = $6,
                            load_path = $7, finished_at = clock_timestamp()
     WHERE id = $1`,
    [
      id,
      outcome.status,
      outcome.read_rows,
      outcome.loaded_rows,
      outcome.rejected_rows,
      outcome.duplicate_rows,
      outcome.load_path,
    ],
  );
}

export async function markFileFailed(client: Client, id: string, error: string): Promise<void> {
  await client.query(
    `UPDATE ingest_file SET status = 'FAILED', error = $2, finished_at = clock_timestamp() WHERE id = $1`,
    [id, error],
  );
}

/** The latest other LOADED attempt of the same file name and checksum. */
export async function previousLoad(
  client: Client,
  file: Pick<IngestFileRow, 'file_name' | 'checksum'>,
  exceptId: string,
): Promise<Pick<IngestFileRow, 'id' | 'read_rows' | 'rejected_rows'> | null> {
  const { rows } = await client.query<Pick<IngestFileRow, 'id' | 'read_rows' | 'rejected_rows'>>(
    `SELECT id, read_rows, rejected_rows FROM ingest_file
     WHERE file_name = $1 AND checksum = $2 AND status = 'LOADED' AND id <> $3 ORDER BY id DESC LIMIT 1`,
    [file.file_name, file.checksum, exceptId],
  );
  return rows[0] ?? null;
}

/** The rejections quarantined by an earlier attempt, in line order. */
export const reportQuarantined = (
  client: Client,
  ingestFileId: string,
  report: (line: number, reason: string) => void,
) =>
  pageThrough(client, 'SELECT line, reason FROM ingest_quarantine WHERE ingest_file_id = $1', [ingestFileId], report);

// The file's transaction

/**
 * Opens the file's transaction: one loader per file name at a time, commits that may be lost
 * to a server crash (the file then stays LOADING and is loaded again), timestamps in TIME_ZONE.
 */
export async function beginFile(client: Client, fileName: string): Promise<void> {
  await client.query('BEGIN');
  await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [ADVISORY_LOCKS.ingestFile, fileName]);
  await client.query(`SET LOCAL synchronous_commit = off`);
  await client.query(`SET LOCAL jit = off`);
  await client.query(`SET LOCAL timezone = '${TIME_ZONE}'`);
}

export async function commit(client: Client): Promise<void> {
  await client.query('COMMIT');
}

export async function rollback(client: Client): Promise<void> {
  await client.query('ROLLBACK');
}

/** A savepoint of the file's transaction: `release` keeps its work, `rollBack` undoes it. */
export async function savepoint(client: Client, name: string) {
  await client.query(`SAVEPOINT ${name}`);
  return {
    release: async () => void (await client.query(`RELEASE SAVEPOINT ${name}`)),
    rollBack: async () => void (await client.query(`ROLLBACK TO SAVEPOINT ${name}`)),
  };
}

// The staged path

/** The staging table: each record with its line, its fields as text, its first failed local check, derived columns. */
export async function createStage(client: Client, spec: IngestFileSpec): Promise<void> {
  const derived = spec.derived ?? [];
  await client.query(
    `CREATE TEMP TABLE ingest_stage (file_line integer NOT NULL, ${spec.columns.map((c) => `${c} text`).join(', ')},
                                     _check integer, _reason text${derived.map((d) => `, ${d.name} ${d.type}`).join('')})
     ON COMMIT DROP`,
  );
}

/** The COPY into the staging table, in the header's column order (RecordStager writes it). */
export function copyIntoStage(client: Client, spec: IngestFileSpec, header: readonly string[]) {
  const derived = spec.derived ?? [];
  return client.query(
    copyFrom(
      `COPY ingest_stage (file_line, ${header.join(', ')}, _check, _reason${derived.map((d) => `, ${d.name}`).join('')})
       FROM STDIN WITH (FORMAT csv, FORCE_NULL (${header.join(', ')}))`,
    ),
  );
}

export async function analyzeStage(client: Client): Promise<void> {
  await client.query('ANALYZE ingest_stage');
}

/** The first days (YYYY-MM-DD) of the months whose partitions the staged rows need (`spec.months`). */
export async function stagedMonths(client: Client, monthsSql: string): Promise<string[]> {
  const { rows } = await client.query<{ month: string }>(
    `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM (${monthsSql}) m`,
  );
  return rows.map((r) => r.month);
}

/**
 * Each line's outcome when it is not loaded: rejected (reason) or duplicate. The checks in
 * order: a set-based check counts only when no row-local check before it failed (`_check` is
 * the index of the first local one that did). `setChecks` are the spec's set-based checks
 * with their index.
 */
export async function recordCheckOutcomes(
  client: Client,
  spec: IngestFileSpec,
  setChecks: { index: number; condition: string; reason: string }[],
  values: SpecValues,
): Promise<void> {
  await client.query(
    `CREATE TEMP TABLE ingest_outcome (file_line integer PRIMARY KEY, reason text, duplicate boolean NOT NULL)
     ON COMMIT DROP`,
  );
  const cases = setChecks.flatMap(({ index, condition, reason }) => [
    `WHEN s._check < ${index} THEN s._reason`,
    `WHEN ${condition} THEN ${reason}`,
  ]);
  cases.push('WHEN s._check IS NOT NULL THEN s._reason');
  await runSpec(
    client,
    `
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT file_line, reason, false FROM (
      SELECT s.file_line, CASE ${cases.join('\n                               ')} END AS reason
      FROM ingest_stage s ${spec.joins}
    ) checked
    WHERE reason IS NOT NULL`,
    values,
  );
  if (spec.repeatUntilStable) {
    // Each round rejects the rows whose parent was rejected in the round before.
    for (let changed = true; changed;)
      changed = Boolean((await runSpec(client, spec.repeatUntilStable, values)).rowCount);
  }
}

/** Lines with no outcome (yet) are accepted. */
const ACCEPTED = 'NOT EXISTS (SELECT 1 FROM ingest_outcome o WHERE o.file_line = s.file_line)';
const keyMatch = (spec: IngestFileSpec, a: string, b: string) =>
  spec.key.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');

/** Whether an accepted line shares its key with a rejected one (the full path reports it). */
export async function acceptedShareKeyWithRejected(client: Client, spec: IngestFileSpec): Promise<boolean> {
  const {
    rows: [{ rejected }],
  } = await client.query<{ rejected: number }>('SELECT count(*)::int AS rejected FROM ingest_outcome');
  if (rejected === 0) return false;
  const { rowCount } = await client.query(`
    SELECT 1 FROM ingest_outcome o JOIN ingest_stage r ON r.file_line = o.file_line
    JOIN ingest_stage a ON ${keyMatch(spec, 'a', 'r')} AND a.file_line <> r.file_line LIMIT 1`);
  return Boolean(rowCount);
}

/** Inserts the accepted lines into the fact table(s); the number of rows of the last statement. */
export async function insertAccepted(client: Client, spec: IngestFileSpec, values: SpecValues): Promise<number> {
  let loaded = 0;
  for (const statement of spec.insert(ACCEPTED)) loaded = (await runSpec(client, statement, values)).rowCount ?? 0;
  return loaded;
}

/**
 * The full path's outcomes: an accepted line whose key exists already is a duplicate (same
 * content) or rejected; a key repeated within the file — the first line stands, a later
 * identical line is a duplicate, a later line with other content is rejected.
 */
export async function recordKeyOutcomes(client: Client, spec: IngestFileSpec, values: SpecValues): Promise<void> {
  const keyText = `format('${spec.key.map((k) => `${k} %s`).join(', ')}', ${spec.key.map((k) => `s.${k}`).join(', ')})`;
  await runSpec(
    client,
    `
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT s.file_line,
           CASE WHEN (${spec.sameContent}) IS NOT TRUE THEN ${keyText} || ' already exists with other content' END,
           (${spec.sameContent}) IS TRUE
    FROM ingest_stage s ${spec.joins} ${spec.existing}
    WHERE e.${spec.key[0]} IS NOT NULL AND ${ACCEPTED}`,
    values,
  );
  const identical = `ROW(${spec.columns.map((c) => `s.${c}`).join(', ')}) IS NOT DISTINCT FROM ROW(${spec.columns.map((c) => `f.${c}`).join(', ')})`;
  await client.query(`
    CREATE TEMP TABLE ingest_repeated ON COMMIT DROP AS
    SELECT ${spec.key.join(', ')}, min(file_line) AS first_line
    FROM ingest_stage GROUP BY ${spec.key.join(', ')} HAVING count(*) > 1`);
  await client.query(`
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT s.file_line,
           CASE WHEN ${identical} THEN NULL
                ELSE ${keyText} || format(' already appears on line %s with other content', d.first_line) END,
           ${identical}
    FROM ingest_repeated d
    JOIN ingest_stage s ON ${keyMatch(spec, 's', 'd')} AND s.file_line > d.first_line
    JOIN ingest_stage f ON f.file_line = d.first_line
    ON CONFLICT (file_line) DO NOTHING`);
}

/** Quarantines the rejected staged lines (personal data masked); their number. */
export async function quarantineStaged(client: Client, spec: IngestFileSpec, ingestFileId: string): Promise<number> {
  const raw = spec.columns
    .map((c) => {
      const mask = spec.masked?.[c];
      const value =
        mask === 'id' ? `mask_id_number(s.${c})` : mask === 'account' ? `mask_bank_account(s.${c})` : `s.${c}`;
      return `'${c}', ${value}`;
    })
    .join(', ');
  const { rowCount } = await client.query(
    `INSERT INTO ingest_quarantine (ingest_file_id, file_name, line, reason, raw)
     SELECT $1, $2, o.file_line, o.reason, jsonb_build_object(${raw})
     FROM ingest_outcome o JOIN ingest_stage s ON s.file_line = o.file_line
     WHERE o.reason IS NOT NULL`,
    [ingestFileId, spec.file],
  );
  return rowCount ?? 0;
}

/** Quarantines rows rejected in Node (the direct path), already masked. */
export async function quarantineRows(
  client: Client,
  file: { ingestFileId: string; fileName: string },
  rows: { line: number; reason: string; raw: Record<string, string | null> }[],
): Promise<void> {
  await client.query(
    `INSERT INTO ingest_quarantine (ingest_file_id, file_name, line, reason, raw)
     SELECT $1, $2, r.line, r.reason, r.raw FROM jsonb_to_recordset($3::jsonb) AS r(line integer, reason text, raw jsonb)`,
    [file.ingestFileId, file.fileName, JSON.stringify(rows)],
  );
}

export async function countDuplicates(client: Client): Promise<number> {
  const {
    rows: [{ duplicates }],
  } = await client.query<{ duplicates: number }>(
    'SELECT count(*)::int AS duplicates FROM ingest_outcome WHERE duplicate',
  );
  return duplicates;
}

/** The staged path's rejections, in line order. */
export const reportStagedRejections = (client: Client, report: (line: number, reason: string) => void) =>
  pageThrough(client, 'SELECT file_line AS line, reason FROM ingest_outcome WHERE reason IS NOT NULL', [], report);

// Partitions

/** Creates the month partitions (of settlement and settlement_item) the months need, committed on its own. */
export async function ensureMonthPartitions(db: DataSource, months: string[]): Promise<void> {
  await db.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1, 0)', [ADVISORY_LOCKS.ingestPartitions]);
    await m.query('SELECT ensure_month_partitions(m, m) FROM unnest($1::date[]) AS m', [months]);
  });
}

// Statistics

/**
 * Makes the loading connection's statistics counters visible (pg_stat_force_next_flush: at its
 * next idle moment, i.e. before its next statement), so that an ANALYZE on any connection
 * afterwards resets the rows just loaded and a collision run finds nothing left to analyze
 * (src/collision/fact-statistics.ts).
 */
export async function flushStatistics(client: Client): Promise<void> {
  await client.query('SELECT pg_stat_force_next_flush()');
}

/**
 * After a load, ANALYZE the given tables and month partitions that were never analyzed or grew
 * by more than a tenth since their last analysis (their size against relpages), largest first,
 * spread over the given connections; returns their names. A daily append to an analyzed month
 * stays under the tenth and costs nothing here. Call flushStatistics on the loading connection
 * first.
 */
export async function analyzeLoaded(clients: Client[], relations: string[]): Promise<string[]> {
  const { rows } = await clients[0].query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name
     FROM unnest($1::text[]) AS r(name)
     JOIN pg_class c ON c.oid = to_regclass(r.name)
     WHERE c.relkind = 'r'
       AND (c.reltuples < 0
            OR pg_relation_size(c.oid) > 1.1 * c.relpages::bigint * current_setting('block_size')::bigint
            -- an index build sets relpages and reltuples, not the statistics
            OR coalesce(pg_stat_get_last_analyze_time(c.oid), pg_stat_get_last_autoanalyze_time(c.oid)) IS NULL)
     ORDER BY pg_relation_size(c.oid) DESC`,
    [[...new Set(relations)]],
  );
  const queue = rows.map((r) => r.name);
  const worker = async (client: Client) => {
    for (let name = queue.shift(); name; name = queue.shift()) await client.query(`ANALYZE ${name}`);
  };
  await Promise.all(clients.map(worker));
  return rows.map((r) => r.name);
}
