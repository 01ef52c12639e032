/**
 * 数据归集: loads a batch folder of 医保信息平台 CSV exports (DATA-DICTIONARY.md) into the
 * reference and fact tables — fast (COPY into a staging table, set-based checks, one
 * INSERT … SELECT per table), validated (every rejected row reported as `file:line: reason`
 * and kept in ingest_quarantine), idempotent (a row already present with the same content
 * is a duplicate, with other content it is rejected, never overwritten) and crash-safe
 * (one transaction per file). docs/INGEST.md describes the behaviour.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { AppServices } from '../../app';
import { fileChecksum, LineNumberPrefixer, readCsvHeader } from './csv-lines';
import { INGEST_FILES, IngestFileSpec } from './ingest.files';

export interface FileCounts {
  read: number;
  loaded: number;
  rejected: number;
  duplicates: number;
}

/** The command's last output line (DATA-DICTIONARY.md). */
export interface IngestSummary {
  files: Record<string, FileCounts>;
  ok: boolean;
}

export interface IngestOptions {
  /** Called with each rejection, formatted `file:line: reason`, in file and line order. */
  onReject?: (line: string) => void;
  /** Validate and load a file even when the same file (name and checksum) was already loaded. */
  revalidate?: boolean;
}

/** The batch could not be read: missing folder, a bad header, a CSV that does not parse. */
export class IngestBatchError extends Error {
  constructor(
    message: string,
    /** What was loaded before the failure (`ok` false); earlier files stay committed. */
    readonly summary: IngestSummary,
  ) {
    super(message);
  }
}

/** Advisory lock classes: one loader per file kind at a time; partition creation. */
const FILE_LOCK = 1763900150;
const PARTITION_LOCK = 1763900151;
const PAGE = 10000;

export async function ingestBatch(
  services: AppServices,
  folder: string,
  options: IngestOptions = {},
): Promise<IngestSummary> {
  const summary: IngestSummary = { files: {}, ok: false };
  const batchPath = resolve(folder);
  const present = await batchFiles(batchPath, summary);
  // Every header is checked before anything loads, so a bad file stops the batch early.
  const headers = new Map<IngestFileSpec, string[]>();
  for (const spec of present) headers.set(spec, await checkHeader(batchPath, spec, summary));

  const client = new Client({
    connectionString: services.config.databaseUrl,
    application_name: 'ingest',
    // Timestamps without an offset are Asia/Shanghai (the SQL says so explicitly too);
    // staging tables are temporary, so give them room in this session only.
    options: '-c timezone=Asia/Shanghai -c temp_buffers=256MB -c work_mem=256MB',
  });
  await client.connect();
  try {
    for (const spec of present) {
      summary.files[spec.file] = await loadFile(
        services,
        client,
        spec,
        batchPath,
        headers.get(spec)!,
        options,
        summary,
      );
    }
  } finally {
    await client.end();
  }
  summary.ok = true;
  return summary;
}

async function batchFiles(batchPath: string, summary: IngestSummary): Promise<IngestFileSpec[]> {
  let names: string[];
  try {
    if (!(await stat(batchPath)).isDirectory()) throw new Error('not a folder');
    names = await readdir(batchPath);
  } catch {
    throw new IngestBatchError(`batch folder ${batchPath} does not exist or is not readable`, summary);
  }
  return INGEST_FILES.filter((spec) => names.includes(spec.file));
}

async function checkHeader(batchPath: string, spec: IngestFileSpec, summary: IngestSummary): Promise<string[]> {
  let header: string[] | null;
  try {
    header = await readCsvHeader(join(batchPath, spec.file));
  } catch (error) {
    throw new IngestBatchError(`${spec.file}: unreadable header: ${(error as Error).message}`, summary);
  }
  if (!header) throw new IngestBatchError(`${spec.file}: empty file, expected a header row`, summary);
  const missing = spec.columns.filter((c) => !header.includes(c));
  const unexpected = header.filter((c, i) => !spec.columns.includes(c) || header.indexOf(c) !== i);
  if (missing.length || unexpected.length) {
    const problems = [
      missing.length ? `missing ${missing.join(', ')}` : '',
      unexpected.length ? `unexpected ${unexpected.map((c) => JSON.stringify(c)).join(', ')}` : '',
    ].filter(Boolean);
    throw new IngestBatchError(
      `${spec.file}: header must have exactly the columns ${spec.columns.join(', ')} (in any order): ${problems.join('; ')}`,
      summary,
    );
  }
  return header;
}

/** Replaces :encKey, :hashKey and :ingestFileId with numbered parameters. */
function bind(sql: string, values: { encKey: Buffer; hashKey: Buffer; ingestFileId: string }): [string, unknown[]] {
  const params: unknown[] = [];
  const positions = new Map<string, number>();
  const text = sql.replace(/(?<!:):(encKey|hashKey|ingestFileId)\b/g, (_m, name: keyof typeof values) => {
    if (!positions.has(name)) {
      params.push(values[name]);
      positions.set(name, params.length);
    }
    return `$${positions.get(name)}::${name === 'ingestFileId' ? 'bigint' : 'bytea'}`;
  });
  return [text, params];
}

async function loadFile(
  services: AppServices,
  client: Client,
  spec: IngestFileSpec,
  batchPath: string,
  header: string[],
  options: IngestOptions,
  summary: IngestSummary,
): Promise<FileCounts> {
  const path = join(batchPath, spec.file);
  const checksum = await fileChecksum(path);
  // Committed on its own: a killed attempt stays visible as LOADING, with nothing loaded.
  const {
    rows: [{ id: ingestFileId }],
  } = await client.query<{ id: string }>(
    `INSERT INTO ingest_file (batch_path, file_name, checksum, status, started_at)
     VALUES ($1, $2, $3, 'LOADING', clock_timestamp()) RETURNING id`,
    [batchPath, spec.file, checksum],
  );
  const report = (line: number, reason: string) => options.onReject?.(`${spec.file}:${line}: ${reason}`);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FILE_LOCK, spec.file]);
    const counts =
      (!options.revalidate && (await skipLoadedFile(client, spec, checksum, ingestFileId, report))) ||
      (await validateAndLoad(services, client, spec, path, header, ingestFileId, report));
    await client.query(
      `UPDATE ingest_file SET status = $2, read_rows = $3, loaded_rows = $4, rejected_rows = $5, duplicate_rows = $6,
                              finished_at = clock_timestamp()
       WHERE id = $1`,
      [
        ingestFileId,
        counts.skipped ? 'SKIPPED' : 'LOADED',
        counts.read,
        counts.loaded,
        counts.rejected,
        counts.duplicates,
      ],
    );
    await client.query('COMMIT');
    return { read: counts.read, loaded: counts.loaded, rejected: counts.rejected, duplicates: counts.duplicates };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const message = error instanceof IngestBatchError ? error.message : describeFailure(spec.file, error);
    await client
      .query(`UPDATE ingest_file SET status = 'FAILED', error = $2, finished_at = clock_timestamp() WHERE id = $1`, [
        ingestFileId,
        message,
      ])
      .catch(() => undefined);
    throw new IngestBatchError(message, summary);
  }
}

/**
 * A file whose name and checksum were already LOADED is not read again: its rows are
 * counted as duplicates except those rejected then, which are reported again as rejected.
 */
async function skipLoadedFile(
  client: Client,
  spec: IngestFileSpec,
  checksum: string,
  ingestFileId: string,
  report: (line: number, reason: string) => void,
): Promise<(FileCounts & { skipped: boolean }) | null> {
  const { rows } = await client.query<{ id: string; read_rows: number; rejected_rows: number }>(
    `SELECT id, read_rows, rejected_rows FROM ingest_file
     WHERE file_name = $1 AND checksum = $2 AND status = 'LOADED' AND id <> $3 ORDER BY id DESC LIMIT 1`,
    [spec.file, checksum, ingestFileId],
  );
  if (!rows[0]) return null;
  const previous = rows[0];
  await pageThrough(
    client,
    'SELECT line, reason FROM ingest_quarantine WHERE ingest_file_id = $1',
    'line',
    [previous.id],
    report,
  );
  return {
    read: previous.read_rows,
    loaded: 0,
    rejected: previous.rejected_rows,
    duplicates: previous.read_rows - previous.rejected_rows,
    skipped: true,
  };
}

async function pageThrough(
  client: Client,
  select: string,
  lineColumn: string,
  params: unknown[],
  report: (line: number, reason: string) => void,
): Promise<void> {
  let after = 0;
  for (;;) {
    const { rows } = await client.query<{ line: number; reason: string }>(
      `SELECT * FROM (${select}) q WHERE ${lineColumn} > $${params.length + 1} ORDER BY ${lineColumn} LIMIT ${PAGE}`,
      [...params, after],
    );
    for (const row of rows) report(row.line, row.reason);
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1].line;
  }
}

async function validateAndLoad(
  services: AppServices,
  client: Client,
  spec: IngestFileSpec,
  path: string,
  header: string[],
  ingestFileId: string,
  report: (line: number, reason: string) => void,
): Promise<FileCounts & { skipped: boolean }> {
  const keys = { ...services.personalDataKeys, ingestFileId };
  const run = (sql: string) => client.query(...bind(sql, keys));

  // 1. Stage the file as text, each record with the physical line it starts on.
  await client.query(
    `CREATE TEMP TABLE ingest_stage (file_line integer NOT NULL, ${spec.columns.map((c) => `${c} text`).join(', ')})
     ON COMMIT DROP`,
  );
  const copy = client.query(
    copyFrom(
      `COPY ingest_stage (file_line, ${header.join(', ')}) FROM STDIN
       WITH (FORMAT csv, HEADER true, FORCE_NULL (${header.join(', ')}))`,
    ),
  );
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), new LineNumberPrefixer(), copy);
  const read = copy.rowCount;
  await client.query('ANALYZE ingest_stage');

  // 2. Month partitions, before this transaction touches the partitioned tables: created
  //    and committed on another connection, so readers of the facts are not held up.
  if (spec.months) {
    const { rows } = await client.query<{ month: string }>(
      `SELECT to_char(month, 'YYYY-MM-DD') AS month FROM (${spec.months}) m`,
    );
    if (rows.length)
      await ensureMonthPartitions(
        services,
        rows.map((r) => r.month),
      );
  }

  // 3. Each line's outcome when it is not loaded: rejected (reason) or duplicate.
  await client.query(
    `CREATE TEMP TABLE ingest_outcome (file_line integer PRIMARY KEY, reason text, duplicate boolean NOT NULL)
     ON COMMIT DROP`,
  );
  const keyText = `format('${spec.key.map((k) => `${k} %s`).join(', ')}', ${spec.key.map((k) => `s.${k}`).join(', ')})`;
  const present = `e.${spec.key[0]} IS NOT NULL`;
  await run(`
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT file_line, reason, reason IS NULL FROM (
      SELECT s.file_line,
             CASE ${spec.checks.map(([failsWhen, reason]) => `WHEN ${failsWhen} THEN ${reason}`).join('\n                  ')}
                  WHEN ${present} AND (${spec.sameContent}) IS NOT TRUE
                    THEN ${keyText} || ' already exists with other content'
             END AS reason,
             ${present} AS existing
      FROM ingest_stage s ${spec.joins}
    ) checked
    WHERE reason IS NOT NULL OR existing`);
  if (spec.repeatUntilStable) {
    // Each round rejects the rows whose parent was rejected in the round before.
    for (let changed = true; changed;) changed = Boolean((await run(spec.repeatUntilStable)).rowCount);
  }
  // A key repeated within the file: the first line stands; a later identical line is a
  // duplicate, a later line with other content is rejected.
  const keyMatch = spec.key.map((k) => `s.${k} = d.${k}`).join(' AND ');
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
    JOIN ingest_stage s ON ${keyMatch} AND s.file_line > d.first_line
    JOIN ingest_stage f ON f.file_line = d.first_line
    ON CONFLICT (file_line) DO NOTHING`);

  // 4. Quarantine the rejected rows (personal data masked), load the accepted ones.
  const raw = spec.columns
    .map((c) => {
      const mask = spec.masked?.[c];
      const value =
        mask === 'id' ? `mask_id_number(s.${c})` : mask === 'account' ? `mask_bank_account(s.${c})` : `s.${c}`;
      return `'${c}', ${value}`;
    })
    .join(', ');
  const { rowCount: rejected } = await client.query(
    `INSERT INTO ingest_quarantine (ingest_file_id, file_name, line, reason, raw)
     SELECT $1, $2, o.file_line, o.reason, jsonb_build_object(${raw})
     FROM ingest_outcome o JOIN ingest_stage s ON s.file_line = o.file_line
     WHERE o.reason IS NOT NULL`,
    [ingestFileId, spec.file],
  );
  let loaded = 0;
  for (const statement of spec.insert('NOT EXISTS (SELECT 1 FROM ingest_outcome o WHERE o.file_line = s.file_line)')) {
    loaded = (await run(statement)).rowCount ?? 0;
  }
  const {
    rows: [{ duplicates }],
  } = await client.query<{ duplicates: number }>(
    'SELECT count(*)::int AS duplicates FROM ingest_outcome WHERE duplicate',
  );
  if (loaded + (rejected ?? 0) + duplicates !== read) {
    throw new Error(
      `${spec.file}: ${read} rows read but ${loaded} loaded, ${rejected} rejected, ${duplicates} duplicates`,
    );
  }
  await pageThrough(
    client,
    'SELECT file_line AS line, reason FROM ingest_outcome WHERE reason IS NOT NULL',
    'line',
    [],
    report,
  );
  return { read, loaded, rejected: rejected ?? 0, duplicates, skipped: false };
}

/** Creates the month partitions (of settlement and settlement_item) the months need. */
async function ensureMonthPartitions(services: AppServices, months: string[]): Promise<void> {
  await services.db.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1, 0)', [PARTITION_LOCK]);
    await manager.query('SELECT ensure_month_partitions(m, m) FROM unnest($1::date[]) AS m', [months]);
  });
}

/** A COPY error names the record; our line prefix in PostgreSQL's context gives its line. */
function describeFailure(file: string, error: unknown): string {
  const where = (error as { where?: string }).where ?? '';
  const line = /line \d+(?:, column \w+)?: "(\d+),/.exec(where)?.[1];
  const message = error instanceof Error ? error.message : String(error);
  const isCopy = /COPY ingest_stage/.test(where);
  return `${file}${line ? `:${line}` : ''}: ${isCopy ? 'unreadable CSV: ' : ''}${message}`;
}
