/**
 * The direct path's per-row work on a worker thread (node:worker_threads): a file's chunks are
 * split, checked and encoded there (row-encoder.ts, hashes and encryptions included) while the
 * loader's thread reads the next chunk, finds its records and lines, resolves its lookups and
 * feeds the COPY (direct-load.ts).
 *
 * One worker per file, fed the chunks in file order: it keeps the file's rejected keys and its
 * count of rejections as the loader's own encoder would, and answers each chunk with its COPY
 * input, its rows of `direct.also`, its rejections (line, reason, fields) and the entries later
 * files look up; the loader's thread hands the chunks on in order and merges the rejections.
 * An error of a chunk (a check's hand-over to the staged path, a record that does not parse)
 * comes back as that error; a worker that fails or exits fails every chunk it has, and the
 * file fails as on any other error (its transaction rolled back, nothing of it loaded).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startModuleWorker } from './worker-thread';
import { INGEST_FILES, IngestFileSpec, LoadContext, LookupRow, NotDirect } from './ingest.files';
import { PackedEntries } from './packed-rows';
import { Rejected, RowEncoder } from './row-encoder';
import { CsvFormatError } from './stage-stream';

/** What the worker needs to build the file's encoder (the spec is found by its file name). */
export interface RowWorkerInit {
  file: string;
  header: readonly string[];
  keys: { hashKey: Uint8Array; encKey: Uint8Array };
  ingestFileId: string;
  types: [string, string][];
  alsoTypes: [string, string][];
  rememberLimit: number;
  /** More than one row worker: each chunk's accepted key hashes go back too. */
  hashKeys: boolean;
}

/** A chunk: its records' bytes, where each starts and ends in them, its lines, what its lookups found. */
export interface RowJob {
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  lines: Float64Array;
  /** Per lookup need: the distinct rows found, and each record's (-1: none). */
  found: { rows: LookupRow[]; index: Int32Array }[];
}

export interface RowJobResult {
  out: Uint8Array | null;
  alsoOut: Uint8Array | null;
  rejected: Rejected[];
  remembered: PackedEntries | null;
  /** The accepted rows' key hashes (keyHash), with `hashKeys`. */
  acceptedKeys: Int32Array | null;
}

type Failure = { kind: 'notDirect' | 'csv' | 'other'; message: string; line?: number };

type Message = { id: number; init: RowWorkerInit } | { id: number; job: RowJob; crash?: boolean };

type ResultMessage = { id: number; result: RowJobResult | null } | { id: number; failure: Failure };

/** For tests: the job number (per worker, 0 = the first chunk) at which the worker exits, and the jobs sent. */
export const rowWorkerTesting = { crashAtJob: -1, jobs: 0 };

/**
 * How many worker threads split, check and encode a large file's rows on the direct path:
 * INGEST_ROW_WORKERS=N decides (0: none, the loader's thread does), otherwise two on a machine
 * with a second core (the chunks in turn: the row work is the critical path, and one worker
 * alone does it no faster than the loader's thread did; docs/PERFORMANCE.md), else none.
 */
export function rowWorkersWanted(): number {
  const setting = process.env.INGEST_ROW_WORKERS;
  if (setting !== undefined && /^\d+$/.test(setting)) return Number(setting);
  return availableParallelism() > 1 ? 2 : 0;
}

/** Whether the worker can build this spec's encoder (it finds the spec by its file name). */
export const rowWorkerCanLoad = (spec: IngestFileSpec): boolean => INGEST_FILES.includes(spec);

export class RowWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: RowJobResult | null) => void; reject: (e: Error) => void }>();
  private next = 0;
  private jobs = 0;
  private failure: Error | null = null;

  constructor() {
    const data = { rowWorker: true };
    this.worker = startModuleWorker(__filename, data);
    this.worker.on('message', (message: ResultMessage) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if ('failure' in message) job.reject(failureError(message.failure));
      else job.resolve(message.result);
    });
    this.worker.on('error', (error) => this.fail(new Error(`the row worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`the row worker stopped (exit code ${code})`)));
  }

  /** Builds the file's encoder in the worker (before the first chunk). */
  init(
    spec: IngestFileSpec,
    header: readonly string[],
    context: LoadContext,
    types: Map<string, string>,
    alsoTypes: Map<string, string>,
    options: { rememberLimit: number; hashKeys: boolean },
  ): Promise<unknown> {
    const init: RowWorkerInit = {
      file: spec.file,
      header,
      keys: { hashKey: context.keys.hashKey, encKey: context.keys.encKey },
      ingestFileId: context.ingestFileId,
      types: [...types],
      alsoTypes: [...alsoTypes],
      ...options,
    };
    return this.send({ id: this.next++, init }, []);
  }

  /** A chunk's rows encoded, in the order chunks are sent. */
  run(job: RowJob): Promise<RowJobResult | null> {
    rowWorkerTesting.jobs++;
    const crash = this.jobs++ === rowWorkerTesting.crashAtJob || undefined;
    return this.send({ id: this.next++, job, crash }, [
      job.bytes.buffer as ArrayBuffer,
      job.starts.buffer as ArrayBuffer,
      job.ends.buffer as ArrayBuffer,
      job.lines.buffer as ArrayBuffer,
    ]) as Promise<RowJobResult | null>;
  }

  /** Whether the worker can take more work (it has not failed, exited or been closed). */
  get usable(): boolean {
    return this.failure === null;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the row worker is closed');
    await this.worker.terminate();
  }

  private send(message: Message, transfer: ArrayBuffer[]): Promise<RowJobResult | null> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(this.failure);
    this.pending.clear();
  }
}

/**
 * A batch's row workers, kept from one file to the next (a thread started and its code
 * compiled once per batch, not per file); a worker that failed is not used again.
 */
export class RowWorkerPool {
  private readonly idle: RowWorker[] = [];

  /** Starts workers ahead of their first file (their start overlaps the batch's first files). */
  prestart(count: number): void {
    while (this.idle.length < count) this.idle.push(new RowWorker());
  }

  /** `count` workers for a file. */
  take(count: number): RowWorker[] {
    const workers = this.idle.splice(0, count).filter((w) => w.usable);
    while (workers.length < count) workers.push(new RowWorker());
    return workers;
  }

  /** The file's workers back, those still usable kept. */
  async give(workers: RowWorker[]): Promise<void> {
    for (const worker of workers) if (worker.usable) this.idle.push(worker);
    await Promise.all(workers.filter((w) => !w.usable).map((w) => w.close()));
  }

  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((w) => w.close()));
  }
}

/** The error a chunk failed with, as the loader's own encoder would have thrown it. */
function failureError({ kind, message, line }: Failure): Error {
  if (kind === 'notDirect') return new NotDirect(message);
  if (kind === 'csv') return new CsvFormatError(line!, message);
  return new Error(message);
}

function failureOf(error: unknown): Failure {
  if (error instanceof NotDirect) return { kind: 'notDirect', message: error.message };
  if (error instanceof CsvFormatError) return { kind: 'csv', message: error.message, line: error.line };
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/** A chunk's output as a view that owns its memory (transferable), copied out only when it does not (Buffer's pool). */
const fresh = (bytes: Buffer | null): Uint8Array | null =>
  !bytes ? null : bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);

/** The worker's side: one encoder for the file, the chunks encoded in the order they come. */
function serve(port: NonNullable<typeof parentPort>): void {
  let encoder: RowEncoder | null = null;
  let init: RowWorkerInit | null = null;
  let initFailure: unknown = null;
  port.on('message', (message: Message) => {
    try {
      if ('init' in message) {
        initFailure = null;
        encoder = null;
        init = message.init;
        const file = init.file;
        const spec = INGEST_FILES.find((s) => s.file === file);
        if (!spec) throw new Error(`no spec for ${file}`);
        const keys = { hashKey: Buffer.from(init.keys.hashKey), encKey: Buffer.from(init.keys.encKey) };
        encoder = new RowEncoder(
          spec,
          init.header,
          { keys, ingestFileId: init.ingestFileId, columns: spec.columns },
          new Map(init.types),
          new Map(init.alsoTypes),
          { offload: false, rememberLimit: init.rememberLimit, hashKeys: init.hashKeys, onWorker: true },
        );
        port.postMessage({ id: message.id, result: null } satisfies ResultMessage);
        return;
      }
      if (initFailure) throw initFailure;
      if (message.crash) process.exit(70);
      if (!encoder) throw new Error('the row worker has no file');
      const { bytes, starts, ends, lines, found } = message.job;
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const rows = found.map(({ rows: distinct, index }) => {
        const out = new Array<LookupRow | null>(index.length);
        for (let r = 0; r < index.length; r++) out[r] = index[r] < 0 ? null : distinct[index[r]];
        return out;
      });
      encoder.encodeChunk(buf, starts, ends, lines, rows, null);
      const { out, alsoOut } = encoder.take();
      const result: RowJobResult = {
        out: fresh(out),
        alsoOut: fresh(alsoOut),
        rejected: encoder.rejected,
        remembered: encoder.remembered ? encoder.remembered.drain() : null,
        acceptedKeys: init?.hashKeys ? encoder.takeAcceptedKeys() : null,
      };
      encoder.rejected = [];
      const transfer = [result.out, result.alsoOut, result.acceptedKeys].flatMap((b) =>
        b ? [b.buffer as ArrayBuffer] : [],
      );
      port.postMessage({ id: message.id, result } satisfies ResultMessage, transfer);
    } catch (error) {
      if ('init' in message) initFailure = error;
      port.postMessage({ id: message.id, failure: failureOf(error) } satisfies ResultMessage);
    }
  });
}

if (!isMainThread && parentPort && (workerData as { rowWorker?: unknown } | null)?.rowWorker) serve(parentPort);
