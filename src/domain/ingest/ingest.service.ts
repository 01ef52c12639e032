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
import { fileChecksum, readCsvHeader } from './csv-lines';
import { INGEST_FILES, IngestFileSpec, LookupName, LookupRow } from './ingest.files';
import { isLocalCheck } from './row-checks';
import { BatchMemory, canLoadDirect, loadDirect, lookupTiming, scanMonths } from './direct-load';
import { CsvFormatError, RecordStager } from './stage-stream';

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
  /**
   * `auto` (default): the direct path where the file allows it, else the staged one;
   * `staged`: always the staged path (the reference the direct path is tested against).
   */
  path?: 'auto' | 'staged';
  /** At most this many rows per kind remembered for the batch's later files (default 2,000,000). */
  memoryLimit?: number;
  /** Bytes read at a time by the direct path: a chunk's references are looked up together (default 4 MB). */
  chunkBytes?: number;
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
  // The direct path's lookups of referenced rows run beside the file's COPY.
  const lookupClient = new Client({ connectionString: services.config.databaseUrl, application_name: 'ingest-lookup' });
  await client.connect();
  try {
    await lookupClient.connect();
  } catch (error) {
    await client.end();
    throw error;
  }
  if (process.env.INGEST_TIMING) traceQueries(client);
  const connections: Connections = {
    client,
    lookupClient,
    memory: new BatchMemory(options.memoryLimit),
    scans: new Map(),
  };
  // Month scans (settlements) run while the files before them load.
  if (options.path !== 'staged') {
    for (const spec of present) {
      const scan = scanMonths(spec, join(batchPath, spec.file), headers.get(spec)!);
      if (scan) connections.scans.set(spec.file, scan);
    }
  }
  try {
    for (const spec of present) {
      summary.files[spec.file] = await loadFile(
        services,
        connections,
        spec,
        batchPath,
        headers.get(spec)!,
        options,
        summary,
      );
    }
  } finally {
    await client.end();
    await lookupClient.end();
    if (process.env.INGEST_TIMING) process.stderr.write(`[ingest] lookups: ${JSON.stringify(lookupTiming)}\n`);
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

interface Connections {
  /** The file's transaction. */
  client: Client;
  /** Autocommit reads of referenced rows (direct path). */
  lookupClient: Client;
  /** What the batch's committed direct loads remembered for later files. */
  memory: BatchMemory;
  /** Month scans started early, per file. */
  scans: Map<string, Promise<string[] | null>>;
}

async function loadFile(
  services: AppServices,
  connections: Connections,
  spec: IngestFileSpec,
  batchPath: string,
  header: string[],
  options: IngestOptions,
  summary: IngestSummary,
): Promise<FileCounts> {
  const { client } = connections;
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
      (await validateAndLoad(services, connections, spec, path, header, ingestFileId, options, report));
    await client.query(
      `UPDATE ingest_file SET status = $2, read_rows = $3, loaded_rows = $4, rejected_rows = $5, duplicate_rows = $6,
                              load_path = $7, finished_at = clock_timestamp()
       WHERE id = $1`,
      [
        ingestFileId,
        counts.skipped ? 'SKIPPED' : 'LOADED',
        counts.read,
        counts.loaded,
        counts.rejected,
        counts.duplicates,
        counts.path ?? null,
      ],
    );
    await client.query('COMMIT');
    if (counts.remembered) connections.memory.add(counts.remembered.lookup, counts.remembered.rows);
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
): Promise<LoadCounts | null> {
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

interface LoadCounts extends FileCounts {
  skipped: boolean;
  path?: 'DIRECT' | 'STAGED';
  /** Rows for BatchMemory, added once the file is committed. */
  remembered?: { lookup: LookupName; rows: Map<string, LookupRow> };
}

async function validateAndLoad(
  services: AppServices,
  { client, lookupClient, memory, scans }: Connections,
  spec: IngestFileSpec,
  path: string,
  header: string[],
  ingestFileId: string,
  options: IngestOptions,
  report: (line: number, reason: string) => void,
): Promise<LoadCounts> {
  const keys = { ...services.personalDataKeys, ingestFileId };
  const run = (sql: string) => client.query(...bind(sql, keys));
  // A commit lost to a server crash only means the file is loaded again (it stays LOADING).
  await client.query(`SET LOCAL synchronous_commit = off`);
  await client.query(`SET LOCAL jit = off`);
  await client.query(`SET LOCAL timezone = 'Asia/Shanghai'`);

  // The direct path (direct-load.ts) when the file allows it; it hands over to the staged
  // path below whenever that one must decide.
  if (options.path !== 'staged' && canLoadDirect(spec)) {
    const direct = await loadDirect(
      client,
      lookupClient,
      memory,
      spec,
      path,
      header,
      { keys: services.personalDataKeys, ingestFileId, columns: spec.columns },
      (months) => ensureMonthPartitions(services, months),
      options.chunkBytes,
      scans.get(spec.file),
    );
    if (direct.loaded) {
      const rejected = direct.rejections.length;
      if (direct.rows + rejected !== direct.read)
        throw new Error(`${spec.file}: ${direct.read} rows read but ${direct.rows} loaded, ${rejected} rejected`);
      for (const { line, reason } of direct.rejections) report(line, reason);
      return {
        read: direct.read,
        loaded: direct.rows,
        rejected,
        duplicates: 0,
        skipped: false,
        path: 'DIRECT',
        remembered: direct.remembered ? { lookup: spec.direct!.remember!.lookup, rows: direct.remembered } : undefined,
      };
    }
    if (process.env.INGEST_TIMING) process.stderr.write(`[ingest] ${spec.file}: staged path: ${direct.why}\n`);
  }

  // 1. Stage the file: each record with the physical line it starts on, its fields as text,
  //    the first row-local check it fails (index and reason, computed in Node while
  //    PostgreSQL copies) and the derived columns (typed or encrypted values).
  const derived = spec.derived ?? [];
  await client.query(
    `CREATE TEMP TABLE ingest_stage (file_line integer NOT NULL, ${spec.columns.map((c) => `${c} text`).join(', ')},
                                     _check integer, _reason text${derived.map((d) => `, ${d.name} ${d.type}`).join('')})
     ON COMMIT DROP`,
  );
  const stager = new RecordStager({
    columns: spec.columns,
    header,
    tests: spec.checks.map((check) => (isLocalCheck(check) ? check.local(spec.columns) : null)),
    derived: derived.map((d) => d.value(services.personalDataKeys, spec.columns)),
  });
  const copy = client.query(
    copyFrom(
      `COPY ingest_stage (file_line, ${header.join(', ')}, _check, _reason${derived.map((d) => `, ${d.name}`).join('')})
       FROM STDIN WITH (FORMAT csv, FORCE_NULL (${header.join(', ')}))`,
    ),
  );
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), stager, copy);
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

  // 3. Each line's outcome when it is not loaded: rejected (reason) or duplicate. The
  //    checks in order: a set-based check counts only when no row-local check before it
  //    failed (`_check` is the index of the first local one that did).
  await client.query(
    `CREATE TEMP TABLE ingest_outcome (file_line integer PRIMARY KEY, reason text, duplicate boolean NOT NULL)
     ON COMMIT DROP`,
  );
  const cases: string[] = [];
  spec.checks.forEach((check, index) => {
    if (isLocalCheck(check)) return;
    cases.push(`WHEN s._check < ${index} THEN s._reason`, `WHEN ${check[0]} THEN ${check[1]}`);
  });
  cases.push('WHEN s._check IS NOT NULL THEN s._reason');
  await run(`
    INSERT INTO ingest_outcome (file_line, reason, duplicate)
    SELECT file_line, reason, false FROM (
      SELECT s.file_line, CASE ${cases.join('\n                               ')} END AS reason
      FROM ingest_stage s ${spec.joins}
    ) checked
    WHERE reason IS NOT NULL`);
  if (spec.repeatUntilStable) {
    // Each round rejects the rows whose parent was rejected in the round before.
    for (let changed = true; changed;) changed = Boolean((await run(spec.repeatUntilStable)).rowCount);
  }
  const accepted = 'NOT EXISTS (SELECT 1 FROM ingest_outcome o WHERE o.file_line = s.file_line)';
  const keyMatch = (a: string, b: string) => spec.key.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');

  // 4. Fast path: no accepted row has a key that exists already or appears on another line
  //    of the file. The key indexes decide that while inserting: a unique violation rolls
  //    the attempt back to the savepoint and the file takes the full path. A key shared
  //    with a rejected line is looked for first (the full path reports it).
  let loaded = 0;
  let fast = true;
  const {
    rows: [{ rejected: rejectedSoFar }],
  } = await client.query<{ rejected: number }>('SELECT count(*)::int AS rejected FROM ingest_outcome');
  if (rejectedSoFar > 0) {
    const { rowCount } = await client.query(`
      SELECT 1 FROM ingest_outcome o JOIN ingest_stage r ON r.file_line = o.file_line
      JOIN ingest_stage a ON ${keyMatch('a', 'r')} AND a.file_line <> r.file_line LIMIT 1`);
    fast = !rowCount;
  }
  if (fast) {
    await client.query('SAVEPOINT ingest_fast');
    try {
      for (const statement of spec.insert(accepted)) loaded = (await run(statement)).rowCount ?? 0;
      await client.query('RELEASE SAVEPOINT ingest_fast');
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await client.query('ROLLBACK TO SAVEPOINT ingest_fast');
      fast = false;
    }
  }
  if (!fast) {
    // Full path: compare with the existing rows, then find the keys repeated in the file.
    const keyText = `format('${spec.key.map((k) => `${k} %s`).join(', ')}', ${spec.key.map((k) => `s.${k}`).join(', ')})`;
    await run(`
      INSERT INTO ingest_outcome (file_line, reason, duplicate)
      SELECT s.file_line,
             CASE WHEN (${spec.sameContent}) IS NOT TRUE THEN ${keyText} || ' already exists with other content' END,
             (${spec.sameContent}) IS TRUE
      FROM ingest_stage s ${spec.joins} ${spec.existing}
      WHERE e.${spec.key[0]} IS NOT NULL AND ${accepted}`);
    // A key repeated within the file: the first line stands; a later identical line is a
    // duplicate, a later line with other content is rejected.
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
      JOIN ingest_stage s ON ${keyMatch('s', 'd')} AND s.file_line > d.first_line
      JOIN ingest_stage f ON f.file_line = d.first_line
      ON CONFLICT (file_line) DO NOTHING`);
    for (const statement of spec.insert(accepted)) loaded = (await run(statement)).rowCount ?? 0;
  }

  // 5. Quarantine the rejected rows (personal data masked).
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
  const {
    rows: [{ duplicates }],
  } = await client.query<{ duplicates: number }>(
    'SELECT count(*)::int AS duplicates FROM ingest_outcome WHERE duplicate',
  );
  if (loaded + (rejected ?? 0) + duplicates !== read || read !== stager.rows) {
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
  return { read, loaded, rejected: rejected ?? 0, duplicates, skipped: false, path: 'STAGED' };
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
  if (error instanceof CsvFormatError) return `${file}:${error.line}: unreadable CSV: ${error.message}`;
  const where = (error as { where?: string }).where ?? '';
  const line = /line \d+(?:, column \w+)?: "(\d+),/.exec(where)?.[1];
  const message = error instanceof Error ? error.message : String(error);
  const isCopy = /COPY ingest_stage/.test(where);
  return `${file}${line ? `:${line}` : ''}: ${isCopy ? 'unreadable CSV: ' : ''}${message}`;
}

/** INGEST_TIMING=1: every statement's duration on stderr (for measuring the loader). */
function traceQueries(client: Client): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const started = process.hrtime.bigint();
    const result = query(...args);
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string }).text ?? 'COPY');
    const done = () =>
      process.stderr.write(
        `[ingest] ${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(0).padStart(7)} ms  ${text.replace(/\s+/g, ' ').slice(0, 110)}\n`,
      );
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(done, done);
    else if (result && typeof (result as NodeJS.EventEmitter).on === 'function')
      (result as NodeJS.EventEmitter).on('finish', done);
    return result;
  };
}
