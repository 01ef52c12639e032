/**
 * The keyed hashes and encryptions of the direct path's chunks on a worker thread
 * (node:worker_threads), so that they run on the second core while the loader's thread splits,
 * checks and encodes the next chunk (direct-load.ts).
 *
 * The loader writes each row as before but leaves room for a hashed column's 32 bytes and an
 * encrypted column's ciphertext (CbcSlots.bytes), and queues the value's UTF-8 bytes
 * (`CryptoSlots`). At the end of the chunk it sends the queued values of every such column to
 * the worker (one message, the buffers transferred), and fills the slots of the chunk's COPY
 * input with what comes back before handing it on: the bytes are those of keyedHashWriter and
 * CbcSlots (the same code runs in the worker), chunks stay in file order, and the rows, their
 * checks and the per-file rejected keys stay on the loader's thread.
 *
 * A worker that fails or exits fails every job it has: the file's COPY stream errors, and the
 * file fails as on any other error (its transaction rolled back, nothing of it loaded).
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { startModuleWorker } from './worker-thread';
import { CbcSlots } from './cbc-slots';
import { keyedHashBytesWriter } from './keyed-hash';

/** One column's queued values: their UTF-8 bytes one after the other, and where each ends. */
export interface CryptoColumnJob {
  kind: 'hash' | 'encrypt';
  plain: Uint8Array;
  ends: Int32Array;
}

interface JobMessage {
  id: number;
  columns: CryptoColumnJob[];
  /** Tests: the worker exits instead of answering (a crash). */
  crash?: boolean;
}

type ResultMessage = { id: number; outputs: Uint8Array[] } | { id: number; error: string };

/**
 * For tests: the job number (0-based, counted per worker) at which the worker exits abruptly,
 * and the jobs sent so far (all workers).
 */
export const cryptoWorkerTesting = { crashAtJob: -1, jobs: 0 };

/**
 * Whether the direct path hands its hashes and encryptions to a worker: INGEST_CRYPTO_WORKER=1
 * or 0 decides, otherwise when the machine has a second core.
 */
export function cryptoWorkerWanted(): boolean {
  const setting = process.env.INGEST_CRYPTO_WORKER;
  if (setting === '1') return true;
  if (setting === '0') return false;
  return availableParallelism() > 1;
}

/** The values a chunk's rows queued for one hashed or encrypted column, and their slots. */
export class CryptoSlots {
  private plain = Buffer.allocUnsafe(1 << 16);
  private length = 0;
  private ends: number[] = [];
  private slots: number[] = [];
  private widths: number[] = [];

  constructor(readonly kind: 'hash' | 'encrypt') {}

  /** The bytes the value takes in the COPY input. */
  width(value: string): number {
    return this.kind === 'hash' ? 32 : CbcSlots.bytes(value);
  }

  /** Queues a value whose bytes go at `slot` of the chunk's output. */
  add(value: string, slot: number): void {
    const most = value.length * 3;
    if (this.length + most > this.plain.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.plain.length * 2, this.length + most));
      this.plain.copy(bigger, 0, 0, this.length);
      this.plain = bigger;
    }
    this.length += this.plain.write(value, this.length, 'utf8');
    this.ends.push(this.length);
    this.slots.push(slot);
    this.widths.push(this.width(value));
  }

  /**
   * The queued values as a job's column (copied out, to be transferred to the worker), and the
   * queue emptied; the slots and widths of the values go with it.
   */
  take(): QueuedColumn {
    const job: CryptoColumnJob = {
      kind: this.kind,
      plain: Uint8Array.prototype.slice.call(this.plain, 0, this.length),
      ends: Int32Array.from(this.ends),
    };
    const { slots, widths } = this;
    this.length = 0;
    this.ends = [];
    this.slots = [];
    this.widths = [];
    return { job, slots, widths };
  }
}

export interface QueuedColumn {
  job: CryptoColumnJob;
  /** Where each value's bytes go in the chunk's output, and how many there are. */
  slots: number[];
  widths: number[];
}

/** Copies a job's outputs into the slots of the chunk's COPY input. */
export function fillSlots(out: Buffer, columns: QueuedColumn[], outputs: Uint8Array[]): void {
  columns.forEach(({ slots, widths }, c) => {
    const result = outputs[c];
    let from = 0;
    for (let v = 0; v < slots.length; v++) {
      const width = widths[v];
      // Loops rather than set(subarray): a call costs more than copying these few bytes.
      for (let i = 0, to = slots[v]; i < width; i++) out[to + i] = result[from + i];
      from += width;
    }
  });
}

/** The worker's work: every column's values hashed or encrypted, one after the other. */
export function runCryptoJob(
  columns: CryptoColumnJob[],
  hash: (src: Buffer, start: number, end: number, out: Buffer, at: number) => number,
  cbc: CbcSlots,
): Uint8Array[] {
  return columns.map(({ kind, plain, ends }) => {
    const bytes = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
    let size = 0;
    for (let v = 0, start = 0; v < ends.length; start = ends[v++])
      size += kind === 'hash' ? 32 : 16 + 16 * (((ends[v] - start) >> 4) + 1);
    // Not from Buffer's shared pool: the buffer is transferred to the loader's thread.
    const out = Buffer.from(new ArrayBuffer(size));
    let at = 0;
    for (let v = 0, start = 0; v < ends.length; start = ends[v++]) {
      if (kind === 'hash') at = hash(bytes, start, ends[v], out, at);
      else {
        cbc.addBytes(bytes, start, ends[v], at);
        at += 16 + 16 * (((ends[v] - start) >> 4) + 1);
      }
    }
    if (kind === 'encrypt') cbc.fill(out);
    return out;
  });
}

/** A worker thread doing the hashes and encryptions of chunks, answering in order. */
export class CryptoWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (o: Uint8Array[]) => void; reject: (e: Error) => void }>();
  private next = 0;
  private failure: Error | null = null;

  constructor(keys: { hashKey: Buffer; encKey: Buffer }) {
    const data = { hashKey: keys.hashKey, encKey: keys.encKey };
    this.worker = startModuleWorker(__filename, data);
    this.worker.on('message', (message: ResultMessage) => {
      const job = this.pending.get(message.id);
      if (!job) return;
      this.pending.delete(message.id);
      if ('error' in message) job.reject(new Error(`the encryption worker failed: ${message.error}`));
      else job.resolve(message.outputs);
    });
    this.worker.on('error', (error) => this.fail(new Error(`the encryption worker failed: ${error.message}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`the encryption worker stopped (exit code ${code})`)));
  }

  /** The hashes and ciphertexts of the columns' values, each column's one after the other. */
  run(columns: CryptoColumnJob[]): Promise<Uint8Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    cryptoWorkerTesting.jobs++;
    const message: JobMessage = { id, columns, crash: id === cryptoWorkerTesting.crashAtJob || undefined };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(
        message,
        columns.flatMap((c) => [c.plain.buffer as ArrayBuffer, c.ends.buffer as ArrayBuffer]),
      );
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the encryption worker is closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const job of this.pending.values()) job.reject(this.failure);
    this.pending.clear();
  }
}

if (!isMainThread && parentPort && (workerData as { hashKey?: unknown } | null)?.hashKey) {
  const { hashKey, encKey } = workerData as { hashKey: Uint8Array; encKey: Uint8Array };
  const hash = keyedHashBytesWriter(Buffer.from(hashKey));
  const cbc = new CbcSlots(Buffer.from(encKey), true);
  const port = parentPort;
  port.on('message', ({ id, columns, crash }: JobMessage) => {
    if (crash) process.exit(70);
    try {
      const outputs = runCryptoJob(columns, hash, cbc);
      port.postMessage(
        { id, outputs } satisfies ResultMessage,
        outputs.map((o) => o.buffer as ArrayBuffer),
      );
    } catch (error) {
      port.postMessage({ id, error: (error as Error).message } satisfies ResultMessage);
    }
  });
}
