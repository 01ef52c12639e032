/**
 * The direct path of the loader: a file's accepted rows are copied straight into their fact
 * table (COPY's multi-row inserts, no staging table, no INSERT … SELECT), with every check
 * of the file's spec run in Node while PostgreSQL copies:
 *
 *   - the row-local checks as in the staged path (row-checks.ts);
 *   - the set-based ones through lookups: the referenced rows a chunk of records needs are
 *     found in the batch's memory (what its earlier direct loads committed) or fetched in one
 *     query on a second connection (committed rows only), and each check's Node form
 *     (`SqlCheck[2]`) reads them. A row is rejected for the first check that fails, in the
 *     spec's order, with the same reason text as the staged path.
 *
 * Accepted rows go to PostgreSQL in COPY's binary format (copy-binary.ts), each value encoded
 * by its column's type as read from the table.
 *
 * Rejected rows stay in memory and go to the quarantine after the copy. Whatever the direct
 * path cannot decide the way the staged path would — a key that exists already or repeats
 * in the file (the unique index stops the copy), a key shared with a rejected line, too
 * many rejections, a value it cannot derive exactly — rolls back to a savepoint and the
 * caller loads the file by the staged path instead, so the outcome is always the staged
 * path's (test/integration/ingest-direct.test.ts compares both on the fixtures). Those are
 * the only hand-overs: `NotDirect` where the direct path decides, a unique violation where
 * the index does; any other error is the file's failure, as on the staged path.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  finishFreshMonths,
  isMonthPartitioned,
  monthsMissingFrom,
  prepareFreshMonths,
  withLoadSearchPath,
} from './fresh-months';
import {
  IngestFileSpec,
  LoadContext,
  Lookup,
  LOOKUPS,
  LookupName,
  LookupRow,
  NotDirect,
} from './ingest.files';
import { isDateText, isLocalCheck, isTimestampText, maskBankAccount, maskIdNumber, shanghaiDate } from './row-checks';
import { PackedRows } from './packed-rows';
import { columnTypes, COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './copy-binary';
import { isUniqueViolation, quarantineRows, savepoint } from './ingest.repository';
import { CryptoWorker, cryptoWorkerWanted, fillSlots } from './crypto-worker';
import { keyHash, LookupNeed, MAX_REJECTS, Rejected, RowEncoder } from './row-encoder';
import { RowJob, RowWorker, rowWorkerCanLoad, RowWorkerPool, rowWorkersWanted } from './row-worker';
import { CsvRecordStream } from './stage-stream';

/**
 * Rows the batch's committed direct loads remembered (DirectLoad.remember), per lookup: later
 * files find them here rather than in the database — a settlement's items, a person's
 * settlements. Bounded: past LIMIT entries per lookup the rest is looked up in the database.
 */
export class BatchMemory {
  static readonly LIMIT = 2_000_000;
  /** Packed (packed-rows.ts): at 2 M settlements these rows are most of the heap. */
  private readonly rows = new Map<LookupName, PackedRows>();

  constructor(readonly limit = BatchMemory.LIMIT) {}

  get(lookup: LookupName, value: string): LookupRow | undefined {
    return this.rows.get(lookup)?.get(value);
  }

  /** A lookup's remembered rows, by value. */
  rowsOf(lookup: LookupName): { get(value: string): LookupRow | undefined } | undefined {
    return this.rows.get(lookup);
  }

  /** A committed file's rows. */
  add(lookup: LookupName, entries: PackedRows): void {
    let rows = this.rows.get(lookup);
    if (!rows) this.rows.set(lookup, (rows = new PackedRows()));
    rows.addFrom(entries, this.limit);
  }
}

/** Time spent waiting for lookups (INGEST_TIMING). */
export const lookupTiming = { ms: 0, queries: 0, values: 0, fromMemory: 0 };

export interface Rejection {
  line: number;
  reason: string;
}

export type DirectOutcome =
  | {
      loaded: true;
      read: number;
      rows: number;
      rejections: Rejection[];
      /** For BatchMemory once the file is committed. */
      remembered: PackedRows | null;
    }
  | { loaded: false; why: string };

/** True when every set-based check of the spec has a Node form. */
export const canLoadDirect = (spec: IngestFileSpec): boolean =>
  !!spec.direct && spec.checks.every((check) => isLocalCheck(check) || !!check[2]);

/**
 * Loads the file straight into its table inside a savepoint, or rolls back to it and says
 * why the staged path must load it.
 */
export async function loadDirect(
  client: Client,
  lookupClient: Client,
  memory: BatchMemory,
  spec: IngestFileSpec,
  path: string,
  header: string[],
  context: LoadContext,
  ensureMonths: (months: string[]) => Promise<void>,
  options: {
    /** Bytes read at a time (default 4 MB). */
    chunkBytes?: number;
    /** The months of `direct.monthOf`, when a scan was started early (scanMonths). */
    scanned?: Promise<string[] | null>;
    /** INGEST_TIMING: where the time spent waiting is reported. */
    trace?: (line: string) => void;
    /** The batch's months so far ('YYYY-MM-01'): those a month-partitioned table without `monthOf` may need. */
    batchMonths?: readonly string[];
    /** Told every month of `monthOf` the file has, before anything loads. */
    onMonths?: (months: string[]) => void;
    /** Hashes and encryptions on a worker thread (crypto-worker.ts); default cryptoWorkerWanted(). */
    cryptoWorker?: boolean;
    /** Row workers splitting, checking and encoding a large file's rows (row-worker.ts); default rowWorkersWanted(). */
    rowWorkers?: number;
    /** Where the row workers come from and go back to (the batch's); default: started for this file. */
    rowWorkerPool?: RowWorkerPool;
  } = {},
): Promise<DirectOutcome> {
  const { chunkBytes = 4 << 20, scanned, trace } = options;
  const direct = spec.direct!;
  const partitioned = await isMonthPartitioned(client, direct.table);
  let months: string[] = [...(options.batchMonths ?? [])];
  if (partitioned && !direct.monthOf)
    months = [...new Set([...months, ...(await monthsMissingFrom(client, direct.table))])];
  if (direct.monthOf) {
    const started = Date.now();
    months = (await scanned) ?? (await monthsIn(path, header, direct.monthOf));
    trace?.(`${Date.now() - started} ms waiting for the month scan`);
    options.onMonths?.(months);
    // A month-partitioned table gets its missing months as new, unindexed tables (fresh-months.ts).
    if (months.length && !partitioned) await ensureMonths(months);
  }
  const attempt = await savepoint(client, 'ingest_direct');
  // Files of more than one chunk: the rows on a row worker (hashes and encryptions included),
  // else (without one) the hashes and encryptions on a crypto worker.
  const large = (await fileSize(path)) > chunkBytes;
  const rowWorkerCount = large && rowWorkerCanLoad(spec) ? (options.rowWorkers ?? rowWorkersWanted()) : 0;
  const pool = options.rowWorkerPool ?? new RowWorkerPool();
  const rowWorkers = pool.take(rowWorkerCount);
  const offload =
    !rowWorkers.length &&
    (options.cryptoWorker ?? cryptoWorkerWanted()) &&
    direct.computed.some((c) => 'hashes' in c || 'encrypts' in c) &&
    large;
  const worker = offload ? new CryptoWorker(context.keys) : null;
  try {
    const fresh = partitioned ? await prepareFreshMonths(client, direct.table, months) : null;
    const types = await columnTypes(client, direct.table);
    const alsoTypes = direct.also ? await columnTypes(client, direct.also.table) : new Map<string, string>();
    const loader = new DirectLoader(spec, header, context, lookupClient, memory, types, alsoTypes, worker, rowWorkers);
    // Not waited for: a worker takes its messages in order, and a failed init fails its first chunk.
    for (const rowWorker of rowWorkers)
      rowWorker
        .init(spec, header, context, types, alsoTypes, { rememberLimit: memory.limit, hashKeys: rowWorkers.length > 1 })
        .catch(() => undefined);
    const runCopy = async () => {
      const stream = client.query(
        copyFrom(`COPY ${direct.table} (${loader.copyColumns.join(', ')}) FROM STDIN WITH (FORMAT binary)`),
      );
      // Large chunks: fewer lookup round trips.
      await pipeline(createReadStream(path, { highWaterMark: chunkBytes }), loader, stream);
      return stream;
    };
    // New months go into their new tables through the load table, which shadows the real one
    // on the search_path for this statement only (fresh-months.ts).
    const copy = fresh ? await withLoadSearchPath(client, fresh, runCopy) : await runCopy();
    if (direct.also) {
      await pipeline(
        Readable.from(loader.alsoChunks),
        client.query(
          copyFrom(`COPY ${direct.also.table} (${direct.also.columns.join(', ')}) FROM STDIN WITH (FORMAT binary)`),
        ),
      );
    }
    if (fresh) {
      const started = Date.now();
      await finishFreshMonths(client, fresh);
      trace?.(`${Date.now() - started} ms building the indexes of ${fresh.parts.map((p) => p.name).join(', ')}`);
    }
    await quarantine(client, spec, context.ingestFileId, loader.rejected);
    await attempt.release();
    return {
      loaded: true,
      read: loader.rows,
      rows: copy.rowCount,
      rejections: loader.rejected.map(({ line, reason }) => ({ line, reason })),
      remembered: loader.remembered,
    };
  } catch (error) {
    const why = handOverReason(error);
    if (why === null) throw error;
    await attempt.rollBack();
    return { loaded: false, why };
  } finally {
    await worker?.close();
    await pool.give(rowWorkers);
    if (!options.rowWorkerPool) await pool.close();
  }
}

const fileSize = async (path: string): Promise<number> => (await stat(path)).size;

/** Why the staged path must load the file, for the errors that hand it over; null for any other. */
function handOverReason(error: unknown): string | null {
  if (error instanceof NotDirect) return error.message;
  if (isUniqueViolation(error)) return `a key exists already or repeats in the file: ${(error as Error).message}`;
  return null;
}

/** Rejected rows into the quarantine, personal data masked (as the staged path keeps them). */
async function quarantine(client: Client, spec: IngestFileSpec, ingestFileId: string, rejected: Rejected[]) {
  const maskers = spec.columns.map((c) => {
    const mask = spec.masked?.[c];
    return mask === 'id' ? maskIdNumber : mask === 'account' ? maskBankAccount : (value: string) => value;
  });
  for (let from = 0; from < rejected.length; from += 10_000) {
    const rows = rejected.slice(from, from + 10_000).map(({ line, reason, fields }) => ({
      line,
      reason,
      raw: Object.fromEntries(spec.columns.map((c, i) => [c, fields[i] === null ? null : maskers[i](fields[i]!)])),
    }));
    await quarantineRows(client, { ingestFileId, fileName: spec.file }, rows);
  }
}

/**
 * Starts the month scan of a file whose direct load needs month partitions, so that it runs
 * while the batch's earlier files load; null when the file needs none. A failed scan gives
 * null (the load scans again and meets the error itself).
 */
export function scanMonths(spec: IngestFileSpec, path: string, header: string[]): Promise<string[] | null> | null {
  if (!canLoadDirect(spec) || !spec.direct!.monthOf) return null;
  return monthsIn(path, header, spec.direct!.monthOf).catch(() => null);
}

/** The first days of the months (in TIME_ZONE) of a timestamp column's valid values. */
async function monthsIn(path: string, header: string[], column: string): Promise<string[]> {
  const scanner = new MonthScanner(header, header.indexOf(column));
  await pipeline(createReadStream(path, { highWaterMark: 4 << 20 }), scanner);
  return [...scanner.months];
}

/** Where a timestamp's date and time of day have digits. */
const DIGIT_POSITIONS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15];

class MonthScanner extends CsvRecordStream {
  readonly months = new Set<string>();

  constructor(
    header: readonly string[],
    private readonly column: number,
  ) {
    super(header);
  }

  protected record(buf: Buffer, start: number, end: number): void {
    const quoted = this.hasQuote(buf, start, end);
    if (!quoted && this.fastMonth(buf, start, end)) return;
    const value = quoted
      ? this.splitRecord(buf.toString('utf8', start, end))[this.column]
      : fieldAt(buf, start, end, this.column);
    if (!isTimestampText(value)) return;
    const day = shanghaiDate(value);
    if (day !== null) this.months.add(`${day.slice(0, 7)}-01`);
  }

  /**
   * The common forms read from the bytes, without a string (the scan runs on the loader's
   * thread while the earlier files load): a real day followed by a time of day without an
   * offset, or with +08:00 from 1992 on — its Shanghai month is the month written. False for
   * anything else, which the exact reading above decides.
   */
  private fastMonth(buf: Buffer, start: number, end: number): boolean {
    let from = start;
    for (let k = 0; k < this.column; k++) {
      const comma = buf.indexOf(44, from);
      if (comma === -1 || comma >= end) return false;
      from = comma + 1;
    }
    let to = buf.indexOf(44, from);
    if (to === -1 || to > end) to = end;
    const length = to - from;
    const offset = length === 25 || length === 22 ? 6 : 0;
    if (length - offset !== 16 && length - offset !== 19) return false;
    if (offset && !(buf[to - 6] === 43 && buf[to - 5] === 48 && buf[to - 4] === 56 && buf[to - 3] === 58)) return false;
    if (offset && !(buf[to - 2] === 48 && buf[to - 1] === 48)) return false;
    const d = (i: number) => buf[from + i] - 48;
    for (const i of DIGIT_POSITIONS) if (d(i) < 0 || d(i) > 9) return false;
    if (buf[from + 4] !== 45 || buf[from + 7] !== 45 || buf[from + 13] !== 58) return false;
    if (buf[from + 10] !== 84 && buf[from + 10] !== 32) return false;
    const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const month = d(5) * 10 + d(6);
    const day = d(8) * 10 + d(9);
    if (offset && year < 1992) return false;
    if (d(11) * 10 + d(12) > 23 || d(14) > 5) return false;
    if (length - offset === 19 && (buf[from + 16] !== 58 || d(17) < 0 || d(17) > 5 || d(18) < 0 || d(18) > 9))
      return false;
    if (month < 1 || month > 12 || day < 1 || day > 31) return false;
    if (day > 28 && !isDateText(buf.toString('latin1', from, from + 10))) return false;
    const key = year * 100 + month;
    if (key !== this.lastMonth) {
      this.lastMonth = key;
      this.months.add(`${buf.toString('latin1', from, from + 7)}-01`);
    }
    return true;
  }

  private lastMonth = 0;

  protected endOfChunk(done: TransformCallback): void {
    done();
  }
}

/** Field `index` of a record without quotes, [start, end) of `buf`, found by its commas. */
function fieldAt(buf: Buffer, start: number, end: number, index: number): string {
  let from = start;
  for (let k = 0; k < index; k++) {
    const comma = buf.indexOf(44, from);
    if (comma === -1 || comma >= end) return '';
    from = comma + 1;
  }
  let to = buf.indexOf(44, from);
  if (to === -1 || to > end) to = end;
  return buf.toString('utf8', from, to);
}

/**
 * The records of one chunk, kept as offsets into its buffer (no strings: the chunk waits for
 * its lookups, and retained strings would make the garbage collector copy them), with the
 * values its lookups need.
 */
class Chunk {
  buf: Buffer | null = null;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  readonly lines: number[] = [];
  /** Per lookup need, the value of each record ('' when empty). */
  readonly keys: string[][];
  /** Per lookup need, the row each record's value refers to (null: none), once resolved. */
  readonly found: (LookupRow | null)[][];

  constructor(needs: number) {
    this.keys = Array.from({ length: needs }, () => []);
    this.found = Array.from({ length: needs }, () => []);
  }
}

/**
 * Records → checked rows: COPY input for the accepted ones, the rejected ones kept. This
 * thread finds the records, their lines and their lookups; the rows are split, checked and
 * encoded by the encoder (row-encoder.ts), here or on a row worker (row-worker.ts).
 */
class DirectLoader extends CsvRecordStream {
  readonly rejected: Rejected[];
  /** The loaded rows as later files look them up (DirectLoad.remember), up to the memory's limit. */
  readonly remembered: PackedRows | null;
  /** COPY input of `direct.also`, per chunk. */
  readonly alsoChunks: Buffer[] = [];
  /** The target columns of the COPY. */
  readonly copyColumns: string[];
  private readonly encoder: RowEncoder;
  /** The distinct (lookup, header position) pairs the checks read. */
  private readonly needs: LookupNeed[];
  /** The looked-up rows of the chunk being processed, per lookup. */
  private queried = new Map<LookupName, Map<string, LookupRow>>();
  /** The binary format's header is written. */
  private started = false;
  private chunk: Chunk;
  /** The chunks handed on so far, in order, once their worker job is back (null: none pending). */
  private handedOn: Promise<void> | null = null;
  /** The last value looked up per lookup and its row: files come sorted by their references. */
  private lastName: LookupName | null = null;
  private lastValue = '';
  private lastRow: LookupRow | null = null;
  /** The computed columns' other lookups (none in the specs): the batch's memory, then the chunk's queries. */
  private readonly fallback: Lookup = (name, value) => {
    if (name === this.lastName && value === this.lastValue) return this.lastRow;
    this.lastName = name;
    this.lastValue = value;
    return (this.lastRow = this.memory.get(name, value) ?? this.queried.get(name)?.get(value) ?? null);
  };

  constructor(
    spec: IngestFileSpec,
    header: readonly string[],
    context: LoadContext,
    private readonly lookupClient: Client,
    private readonly memory: BatchMemory,
    /** The column types (columnTypes) of the target table and of `direct.also`'s. */
    types: Map<string, string>,
    alsoTypes: Map<string, string>,
    /** Hashes and encryptions on this worker (crypto-worker.ts), when the rows are encoded here. */
    private readonly worker: CryptoWorker | null = null,
    /** The rows split, checked and encoded on these workers (row-worker.ts), a chunk each in turn. */
    private readonly rowWorkers: RowWorker[] = [],
  ) {
    super(header);
    const offloaded = rowWorkers.length > 0;
    this.encoder = new RowEncoder(spec, header, context, types, alsoTypes, {
      offload: !!worker && !offloaded,
      rememberLimit: memory.limit,
    });
    this.needs = this.encoder.needs;
    this.copyColumns = this.encoder.copyColumns;
    this.rejected = offloaded ? [] : this.encoder.rejected;
    this.remembered = offloaded
      ? this.encoder.remembered
        ? new PackedRows()
        : null
      : (this.encoder.remembered as PackedRows | null);
    this.chunk = new Chunk(this.needs.length);
    if (spec.direct!.also) this.alsoChunks.push(COPY_BINARY_HEADER);
    this.withAlso = !!spec.direct!.also;
  }

  private readonly withAlso: boolean;

  protected record(buf: Buffer, start: number, end: number): void {
    const chunk = this.chunk;
    chunk.buf = buf;
    chunk.starts.push(start);
    chunk.ends.push(end);
    chunk.lines.push(this.line);
    if (!this.needs.length) return;
    // The looked-up columns' values: found by their commas, unless the record has quotes.
    const values = this.hasQuote(buf, start, end) ? this.splitRecord(buf.toString('utf8', start, end)) : null;
    for (let n = 0; n < this.needs.length; n++) {
      const h = this.needs[n].headerIndex;
      const value = values ? values[h] : fieldAt(buf, start, end, h);
      chunk.keys[n].push(value);
    }
  }

  protected endOfChunk(done: TransformCallback, atEnd: boolean): void {
    const chunk = this.chunk;
    this.chunk = new Chunk(this.needs.length);
    this.resolve(chunk)
      .then(() => {
        if (!this.started) {
          this.started = true;
          this.push(COPY_BINARY_HEADER);
        }
        if (this.rowWorkers.length) {
          this.handOnFromWorker(chunk, atEnd, done);
          return;
        }
        const { buf, starts, ends, lines } = chunk;
        this.encoder.encodeChunk(buf!, starts, ends, lines, chunk.found, this.fallback);
        const { out, alsoOut } = this.encoder.take();
        if (alsoOut) this.alsoChunks.push(alsoOut);
        if (atEnd && this.withAlso) this.alsoChunks.push(COPY_BINARY_TRAILER);
        if (!this.encoder.offloaded) {
          if (out) this.push(out);
          if (atEnd) this.push(COPY_BINARY_TRAILER);
          done();
          return;
        }
        this.handOn(out, atEnd, done);
      })
      .catch((error: unknown) => done(error as Error));
  }

  /**
   * Chunks are handed on in order, each once its worker job is back; the next chunk is read as
   * soon as the one before this is handed on (two chunks in flight at most); at the end, once
   * every chunk is.
   */
  private inOrder(work: () => Promise<void>, atEnd: boolean, done: TransformCallback): void {
    const before = this.handedOn ?? Promise.resolve();
    const handedOn = before.then(work);
    // A failed job fails the chunks after it; it is reported through `done` below (or the
    // stream has failed already).
    handedOn.catch(() => undefined);
    this.handedOn = handedOn;
    const wait = atEnd ? handedOn : before;
    wait.then(
      () => done(),
      (error: unknown) => done(error as Error),
    );
  }

  /** With a crypto worker: the chunk's hashes and ciphertexts computed there, filled in before it goes on. */
  private handOn(out: Buffer | null, atEnd: boolean, done: TransformCallback): void {
    const columns = this.encoder.offloaded!.map((slots) => slots.take());
    const job = columns.some((c) => c.slots.length) ? this.worker!.run(columns.map((c) => c.job)) : null;
    job?.catch(() => undefined);
    this.inOrder(
      async () => {
        if (job) fillSlots(out!, columns, await job);
        if (out) this.push(out);
        if (atEnd) this.push(COPY_BINARY_TRAILER);
      },
      atEnd,
      done,
    );
  }

  /** Chunks sent to the row workers so far. */
  private sent = 0;
  /** Key hashes (keyHash) of the rows rejected so far, with several row workers. */
  private readonly rejectedKeys = new Set<number>();

  /**
   * With row workers: the chunk's records sent to the next one in turn; its COPY input,
   * rejections and entries taken back in file order. Each worker knows the keys its own chunks
   * rejected; the keys rejected in another worker's earlier chunks are compared here.
   */
  private handOnFromWorker(chunk: Chunk, atEnd: boolean, done: TransformCallback): void {
    const job = chunk.starts.length ? this.rowWorkers[this.sent++ % this.rowWorkers.length].run(jobOf(chunk)) : null;
    job?.catch(() => undefined);
    this.inOrder(
      async () => {
        const result = job ? await job : null;
        if (result) {
          const accepted = result.acceptedKeys;
          if (accepted && this.rejectedKeys.size)
            for (let k = 0; k < accepted.length; k++)
              if (this.rejectedKeys.has(accepted[k])) throw new NotDirect('a line repeats the key of a rejected line');
          if (result.out) this.push(asBuffer(result.out));
          if (result.alsoOut) this.alsoChunks.push(asBuffer(result.alsoOut));
          for (const rejected of result.rejected) {
            this.rejected.push(rejected);
            if (accepted) {
              const hash = keyHash(rejected.fields, this.encoder.keyColumns);
              if (hash !== null) this.rejectedKeys.add(hash);
            }
          }
          if (this.rejected.length > MAX_REJECTS) throw new NotDirect(`more than ${MAX_REJECTS} rows rejected`);
          if (result.remembered) this.remembered!.addEntries(result.remembered, this.memory.limit);
        }
        if (atEnd) {
          this.push(COPY_BINARY_TRAILER);
          if (this.withAlso) this.alsoChunks.push(COPY_BINARY_TRAILER);
        }
      },
      atEnd,
      done,
    );
  }

  /** Fetches the referenced rows the chunk needs, one query per lookup. */
  private async resolve(chunk: Chunk): Promise<void> {
    // Each record's row, found once: from the batch's memory, else marked missing (undefined)
    // and its value queried. Files come sorted by their references: runs of one value.
    const missing = new Map<LookupName, Set<string>>();
    this.needs.forEach(({ lookup }, n) => {
      const memory = this.memory.rowsOf(lookup);
      const keys = chunk.keys[n];
      const out = chunk.found[n];
      let previous = '';
      let row: LookupRow | null | undefined = null;
      for (let r = 0; r < keys.length; r++) {
        const value = keys[r];
        if (value !== previous) {
          previous = value;
          row = value === '' ? null : memory?.get(value);
          if (row === undefined) {
            let set = missing.get(lookup);
            if (!set) missing.set(lookup, (set = new Set()));
            set.add(value);
          } else if (row !== null) lookupTiming.fromMemory++;
        }
        out.push(row as LookupRow | null);
      }
    });
    const queried = new Map<LookupName, Map<string, LookupRow>>();
    for (const [lookup, values] of missing) {
      const rows = new Map<string, LookupRow>();
      queried.set(lookup, rows);
      const started = Date.now();
      const result = await this.lookupClient.query<LookupRow & { key: string }>(LOOKUPS[lookup], [[...values]]);
      lookupTiming.ms += Date.now() - started;
      lookupTiming.queries++;
      lookupTiming.values += values.size;
      for (const row of result.rows) rows.set(row.key, row);
    }
    this.queried = queried;
    this.lastName = null;
    if (!queried.size) return;
    this.needs.forEach(({ lookup }, n) => {
      const rows = queried.get(lookup);
      if (!rows) return;
      const keys = chunk.keys[n];
      const out = chunk.found[n];
      for (let r = 0; r < keys.length; r++) if (out[r] === undefined) out[r] = rows.get(keys[r]) ?? null;
    });
  }
}

/** A chunk as a row worker's job: its records' bytes copied out (offsets made relative), the rows found deduplicated. */
function jobOf(chunk: Chunk): RowJob {
  const { buf, starts, ends, lines } = chunk;
  const first = starts[0];
  const last = ends[ends.length - 1];
  const bytes = Uint8Array.prototype.slice.call(buf!, first, last);
  const relative = (offsets: number[]) => {
    const out = new Int32Array(offsets.length);
    for (let r = 0; r < offsets.length; r++) out[r] = offsets[r] - first;
    return out;
  };
  const found = chunk.found.map((rows) => {
    const distinct: LookupRow[] = [];
    const index = new Int32Array(rows.length);
    let previous: LookupRow | null = null;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      if (row === null) index[r] = -1;
      else {
        if (row !== previous) {
          distinct.push(row);
          previous = row;
        }
        index[r] = distinct.length - 1;
      }
    }
    return { rows: distinct, index };
  });
  return { bytes, starts: relative(starts), ends: relative(ends), lines: Float64Array.from(lines), found };
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
