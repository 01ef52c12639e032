/**
 * 数据归集: loads a batch folder of 医保信息平台 CSV exports (DATA-DICTIONARY.md) into the
 * reference and fact tables — fast (COPY into a staging table, set-based checks, one
 * INSERT … SELECT per table), validated (every rejected row reported as `file:line: reason`
 * and kept in ingest_quarantine), idempotent (a row already present with the same content
 * is a duplicate, with other content it is rejected, never overwritten) and crash-safe
 * (one transaction per file). docs/INGEST.md describes the behaviour.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { AppServices } from '../../app';
import { TIME_ZONE } from '../../core/constants';
import { Connection } from '../../core/pagination';
import { fileChecksum, readCsvHeader } from './csv-lines';
import { INGEST_FILES, IngestFileSpec, LookupName } from './ingest.files';
import { isLocalCheck } from './row-checks';
import { BatchMemory, canLoadDirect, loadDirect, lookupTiming, scanMonths } from './direct-load';
import { PackedRows } from './packed-rows';
import { isMonthPartitioned, monthsMissingFrom } from './fresh-months';
import { CsvFormatError, RecordStager } from './stage-stream';
import { RowWorkerPool, rowWorkersWanted } from './row-worker';
import {
  acceptedShareKeyWithRejected,
  analyzeStage,
  beginFile,
  commit,
  copyIntoStage,
  countDuplicates,
  createStage,
  analyzeLoaded,
  flushStatistics,
  ensureMonthPartitions,
  finishFile,
  insertAccepted,
  ingestFilePage,
  IngestFileRow,
  insertLoadingFile,
  isUniqueViolation,
  markFileFailed,
  previousLoad,
  quarantineStaged,
  recordCheckOutcomes,
  recordKeyOutcomes,
  reportQuarantined,
  reportStagedRejections,
  rollback,
  savepoint,
  SpecValues,
  stagedMonths,
} from './ingest.repository';

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
  /**
   * The direct path's keyed hashes and encryptions on a worker thread (crypto-worker.ts), for
   * files of more than one chunk; default: INGEST_CRYPTO_WORKER (1 or 0), else when the machine
   * has a second core.
   */
  cryptoWorker?: boolean;
  /**
   * Worker threads splitting, checking and encoding the rows of the direct path's files of
   * more than one chunk (row-worker.ts; 0: the loader's thread does, with the crypto worker);
   * default INGEST_ROW_WORKERS, else 2 on a machine with a second core.
   */
  rowWorkers?: number;
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
    // Timestamps without an offset are in TIME_ZONE (the SQL says so explicitly too);
    // staging tables are temporary, so give them room in this session only.
    options: `-c timezone=${TIME_ZONE} -c temp_buffers=256MB -c work_mem=256MB`,
  });
  // The direct path's lookups of referenced rows run beside the file's COPY.
  const lookupClient = new Client({ connectionString: services.config.databaseUrl, application_name: 'ingest-lookup' });
  // ANALYZE of the files already loaded, beside the next file's load.
  const statsClient = new Client({ connectionString: services.config.databaseUrl, application_name: 'ingest-stats' });
  await client.connect();
  try {
    await lookupClient.connect();
    await statsClient.connect();
  } catch (error) {
    await client.end();
    await lookupClient.end().catch(() => undefined);
    throw error;
  }
  if (services.config.ingestTiming) traceQueries(client);
  const connections: Connections = {
    client,
    lookupClient,
    memory: new BatchMemory(options.memoryLimit),
    scans: new Map(),
    months: new Set(),
    rowWorkers: new RowWorkerPool(),
  };
  // The row workers start while the first files load, when a file is large enough for them.
  if (options.path !== 'staged' && (await anyLargeDirectFile(batchPath, present, options.chunkBytes)))
    connections.rowWorkers.prestart(options.rowWorkers ?? rowWorkersWanted());
  // Month scans (settlements) run while the files before them load.
  if (options.path !== 'staged') {
    for (const spec of present) {
      const scan = scanMonths(spec, join(batchPath, spec.file), headers.get(spec)!);
      if (scan) connections.scans.set(spec.file, scan);
    }
  }
  try {
    // The statistics of what the batch filled, so that the first collision run after it only
    // checks: each file's tables are analyzed on their own connection while the next file
    // loads, the last ones at the end on two connections.
    let filled: string[] = [];
    let analyzing: Promise<unknown> = Promise.resolve();
    for (const [index, spec] of present.entries()) {
      const counts = await loadFile(services, connections, spec, batchPath, headers.get(spec)!, options, summary);
      summary.files[spec.file] = counts;
      if (counts.loaded > 0) filled.push(...filledRelations(spec, connections.months));
      if (filled.length && index < present.length - 1) {
        const relations = filled;
        filled = [];
        await flushStatistics(client);
        analyzing = analyzing.then(() =>
          analyzeLoaded([statsClient], relations).catch((error: Error) =>
            services.log.warn({ err: error.message }, 'ingest: ANALYZE after the load failed'),
          ),
        );
      }
    }
    await analyzing;
    if (filled.length) {
      await flushStatistics(client);
      await analyzeLoaded([client, statsClient], filled);
    }
  } finally {
    await connections.rowWorkers.close();
    await client.end();
    await lookupClient.end();
    await statsClient.end();
    if (services.config.ingestTiming) process.stderr.write(`[ingest] lookups: ${JSON.stringify(lookupTiming)}\n`);
  }
  summary.ok = true;
  return summary;
}

/** Whether a file of the batch would be loaded by the direct path with row workers (more than one chunk). */
async function anyLargeDirectFile(batchPath: string, present: IngestFileSpec[], chunkBytes = 4 << 20): Promise<boolean> {
  for (const spec of present)
    if (canLoadDirect(spec) && (await stat(join(batchPath, spec.file))).size > chunkBytes) return true;
  return false;
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

/** The tables a loaded file filled: its table, or the month partitions the batch wrote (months 'YYYY-MM-DD'). */
export const TABLE_OF_FILE: Record<IngestFileSpec['file'], string> = {
  'regions.csv': 'region',
  'institutions.csv': 'institution',
  'persons.csv': 'person',
  'relations.csv': 'person_relation',
  'price_catalog.csv': 'price_catalog',
  'settlements.csv': 'settlement',
  'settlement_items.csv': 'settlement_item',
  'drug_purchases.csv': 'drug_purchase',
  'rules.csv': 'rule',
};

function filledRelations(spec: IngestFileSpec, months: Set<string>): string[] {
  const table = TABLE_OF_FILE[spec.file];
  if (table !== 'settlement' && table !== 'settlement_item') return [table];
  const partitions = [...months].map((m) => `${table}_${m.slice(0, 4)}${m.slice(5, 7)}`);
  return table === 'settlement' ? [...partitions, 'settlement_key'] : partitions;
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
  /** Months of the partitions the batch loads into ('YYYY-MM-DD', first days). */
  months: Set<string>;
  /** The batch's row workers (row-worker.ts), kept from one large file to the next. */
  rowWorkers: RowWorkerPool;
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
  const ingestFileId = await insertLoadingFile(client, { batch_path: batchPath, file_name: spec.file, checksum });
  const report = (line: number, reason: string) => options.onReject?.(`${spec.file}:${line}: ${oneLine(reason)}`);
  try {
    await beginFile(client, spec.file);
    const counts =
      (!options.revalidate && (await skipLoadedFile(client, spec, checksum, ingestFileId, report))) ||
      (await validateAndLoad(services, connections, spec, path, header, ingestFileId, options, report));
    await finishFile(client, ingestFileId, {
      status: counts.skipped ? 'SKIPPED' : 'LOADED',
      read_rows: counts.read,
      loaded_rows: counts.loaded,
      rejected_rows: counts.rejected,
      duplicate_rows: counts.duplicates,
      load_path: counts.path ?? null,
    });
    await commit(client);
    if (counts.remembered) connections.memory.add(counts.remembered.lookup, counts.remembered.rows);
    return { read: counts.read, loaded: counts.loaded, rejected: counts.rejected, duplicates: counts.duplicates };
  } catch (error) {
    const message = oneLine(error instanceof IngestBatchError ? error.message : describeFailure(spec.file, error));
    // The file's failure is what is reported; a connection too broken to roll back or to
    // record it leaves the row LOADING (a killed attempt), and that is logged.
    try {
      await rollback(client);
      await markFileFailed(client, ingestFileId, message);
    } catch (bookkeeping) {
      services.log.warn({ file: spec.file, err: (bookkeeping as Error).message }, 'ingest: failure not recorded');
    }
    throw new IngestBatchError(message, summary);
  }
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A reason quotes values of the file: their control characters (and U+2028/2029) are escaped,
 * so that each rejection stays one `file:line: reason` line (a CR or LF inside a quoted field
 * would otherwise split it, or forge another file's line).
 */
// eslint-disable-next-line no-control-regex -- control characters are what is escaped
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/g;

export const oneLine = (reason: string): string =>
  reason.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

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
  const previous = await previousLoad(client, { file_name: spec.file, checksum }, ingestFileId);
  if (!previous) return null;
  await reportQuarantined(client, previous.id, report);
  return {
    read: previous.read_rows,
    loaded: 0,
    rejected: previous.rejected_rows,
    duplicates: previous.read_rows - previous.rejected_rows,
    skipped: true,
  };
}

interface LoadCounts extends FileCounts {
  skipped: boolean;
  path?: 'DIRECT' | 'STAGED';
  /** Rows for BatchMemory, added once the file is committed. */
  remembered?: { lookup: LookupName; rows: PackedRows };
}

async function validateAndLoad(
  services: AppServices,
  { client, lookupClient, memory, scans, months: filledMonths, rowWorkers }: Connections,
  spec: IngestFileSpec,
  path: string,
  header: string[],
  ingestFileId: string,
  options: IngestOptions,
  report: (line: number, reason: string) => void,
): Promise<LoadCounts> {
  const values: SpecValues = { ...services.personalDataKeys, ingestFileId };

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
      (months) => ensureMonthPartitions(services.db, months),
      {
        batchMonths: [...filledMonths],
        onMonths: (months) => months.forEach((month) => filledMonths.add(month)),
        chunkBytes: options.chunkBytes,
        cryptoWorker: options.cryptoWorker,
        rowWorkers: options.rowWorkers,
        rowWorkerPool: rowWorkers,
        scanned: scans.get(spec.file),
        trace: services.config.ingestTiming ? (line) => process.stderr.write(`[ingest] ${line}\n`) : undefined,
      },
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
    services.log.info({ file: spec.file, reason: direct.why }, 'ingest: the staged path loads the file');
  }

  // 1. Stage the file: each record with the physical line it starts on, its fields as text,
  //    the first row-local check it fails (index and reason, computed in Node while
  //    PostgreSQL copies) and the derived columns (typed or encrypted values).
  await createStage(client, spec);
  const stager = new RecordStager({
    columns: spec.columns,
    header,
    tests: spec.checks.map((check) => (isLocalCheck(check) ? check.local(spec.columns) : null)),
    derived: (spec.derived ?? []).map((d) => d.value(services.personalDataKeys, spec.columns)),
  });
  const copy = copyIntoStage(client, spec, header);
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), stager, copy);
  const read = copy.rowCount;
  await analyzeStage(client);

  // 2. Month partitions, before this transaction touches the partitioned tables: created
  //    and committed on another connection, so readers of the facts are not held up. Items
  //    carry their settlements' months: those of the batch (a direct load of the settlements
  //    made only the settlement partitions of new months).
  const table = TABLE_OF_FILE[spec.file];
  if (!spec.months && (await isMonthPartitioned(client, table))) {
    const months = [...new Set([...filledMonths, ...(await monthsMissingFrom(client, table))])];
    if (months.length) await ensureMonthPartitions(services.db, months);
  }
  if (spec.months) {
    const months = await stagedMonths(client, spec.months);
    for (const month of months) filledMonths.add(month);
    if (months.length) await ensureMonthPartitions(services.db, months);
  }

  // 3. Each line's outcome when it is not loaded: rejected (reason) or duplicate.
  const setChecks = spec.checks.flatMap((check, index) =>
    isLocalCheck(check) ? [] : [{ index, condition: check[0], reason: check[1] }],
  );
  await recordCheckOutcomes(client, spec, setChecks, values);

  // 4. Fast path: no accepted row has a key that exists already or appears on another line
  //    of the file. The key indexes decide that while inserting: a unique violation rolls
  //    the attempt back to the savepoint and the file takes the full path. A key shared
  //    with a rejected line is looked for first (the full path reports it).
  let loaded = 0;
  let fast = !(await acceptedShareKeyWithRejected(client, spec));
  if (fast) {
    const attempt = await savepoint(client, 'ingest_fast');
    try {
      loaded = await insertAccepted(client, spec, values);
      await attempt.release();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await attempt.rollBack();
      fast = false;
    }
  }
  if (!fast) {
    // Full path: compare with the existing rows, then find the keys repeated in the file.
    await recordKeyOutcomes(client, spec, values);
    loaded = await insertAccepted(client, spec, values);
  }

  // 5. Quarantine the rejected rows (personal data masked).
  const rejected = await quarantineStaged(client, spec, ingestFileId);
  const duplicates = await countDuplicates(client);
  if (loaded + rejected + duplicates !== read || read !== stager.rows) {
    throw new Error(
      `${spec.file}: ${read} rows read but ${loaded} loaded, ${rejected} rejected, ${duplicates} duplicates`,
    );
  }
  await reportStagedRejections(client, report);
  return { read, loaded, rejected, duplicates, skipped: false, path: 'STAGED' };
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
  // The CPU time of a statement's work, when it took long enough to matter: Node's (this
  // process, all threads, and its main thread) and its server process's (Linux /proc, same
  // machine). On a shared machine, the wall time says how busy the others were; these don't.
  const backend = (client as unknown as { processID?: number }).processID;
  const cpu = () => ({
    wall: process.hrtime.bigint(),
    node: process.cpuUsage(),
    main: threadCpuMs(process.pid, process.pid),
    server: backend ? threadCpuMs(backend, backend) : null,
  });
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const before = cpu();
    const started = before.wall;
    const result = query(...args);
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string }).text ?? 'COPY');
    const done = () => {
      const after = cpu();
      const ms = Number(after.wall - started) / 1e6;
      const node = process.cpuUsage(before.node);
      const cpuNote =
        ms >= 500
          ? ` [cpu ms: node ${((node.user + node.system) / 1e3).toFixed(0)}, main thread ${
              after.main !== null && before.main !== null ? after.main - before.main : '?'
            }, server ${after.server !== null && before.server !== null ? after.server - before.server : '?'}]`
          : '';
      process.stderr.write(
        `[ingest] ${ms.toFixed(0).padStart(7)} ms  ${text.replace(/\s+/g, ' ').slice(0, 110)}${cpuNote}\n`,
      );
    };
    if (result && typeof (result as Promise<unknown>).then === 'function')
      (result as Promise<unknown>).then(done, done);
    else if (result && typeof (result as NodeJS.EventEmitter).on === 'function')
      (result as NodeJS.EventEmitter).on('finish', done);
    return result;
  };
}

/** CPU milliseconds of a thread (Linux /proc); null where it cannot be read. */
function threadCpuMs(pid: number, tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** The ingest log (数据归集记录), newest first. */
export const listIngestFiles = <T>(
  services: AppServices,
  options: { first: number; after?: string | null; map: (row: IngestFileRow) => T },
): Promise<Connection<T>> => ingestFilePage(services.db, options);
