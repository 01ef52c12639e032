/**
 * The per-row work of the direct path (direct-load.ts), a chunk of records at a time: split
 * each record into its fields, run the file's checks in the spec's order (the set-based ones
 * reading the rows the chunk's lookups found), and write the accepted rows as COPY binary
 * input (copy-binary.ts) with their computed columns, keyed hashes and ciphertexts, the rows
 * of `direct.also` and the entries later files look up (`direct.remember`); rejected rows are
 * kept with their line and reason.
 *
 * It runs either on the loader's thread or, for files of more than one chunk, on a worker
 * thread (row-worker.ts) while the loader's thread reads the next chunk and resolves its
 * lookups: the same code, fed the same chunks in file order, so rows, rejections and reasons
 * are the same either way.
 */
import { isAscii } from 'node:buffer';
import {
  Computed,
  ComputedColumn,
  DirectLoad,
  IngestFileSpec,
  LoadContext,
  Lookup,
  LookupName,
  LookupRow,
  NotDirect,
} from './ingest.files';
import { Fields, isLocalCheck } from './row-checks';
import { CbcSlots } from './cbc-slots';
import { PackedList, PackedRows } from './packed-rows';
import { BinaryEncoder, encoderFor, writeLength, writeNull } from './copy-binary';
import { keyedHashWriter } from './keyed-hash';
import { CryptoSlots } from './crypto-worker';
import { OutputBuffer, splitFields } from './stage-stream';

/** Buffer's own decoders, called without toString's argument checks (bounds are the records'). */
type Slicing = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
};

/** More rejections than this are left to the staged path (they are kept in memory here). */
export const MAX_REJECTS = 100_000;

export interface Rejected {
  line: number;
  reason: string;
  /** The row's fields in the spec's column order. */
  fields: Fields;
}

/** A value the checks look up: the lookup and the header position of the value. */
export interface LookupNeed {
  lookup: LookupName;
  headerIndex: number;
}

type CompiledCheck =
  | { local: true; test: (f: Fields) => string | null }
  | {
      local: false;
      lookup: LookupName;
      column: number;
      /** Its entry in `needs`. */
      need: number;
      test: (f: Fields, found: LookupRow | null) => string | null;
    };

/** The computed columns in the order they are written: per row, then per chunk. */
const computedOrder = (direct: DirectLoad): ComputedColumn[] => [
  ...direct.computed.filter((c) => 'value' in c),
  ...direct.computed.filter((c) => 'hashes' in c),
  ...direct.computed.filter((c) => 'encrypts' in c),
];

/** What encoding a chunk gave: the COPY input of its accepted rows and of `direct.also`. */
export interface EncodedChunk {
  out: Buffer | null;
  alsoOut: Buffer | null;
}

export class RowEncoder {
  /** The rejected rows (on a worker: since the last takeRejected). */
  rejected: Rejected[] = [];
  /** Rows rejected in all. */
  private rejectedCount = 0;
  /**
   * The loaded rows as later files look them up (DirectLoad.remember), up to `rememberLimit`;
   * on a worker a list drained chunk by chunk (the loader's thread keys them).
   */
  readonly remembered: PackedRows | PackedList | null;
  /** The distinct (lookup, header position) pairs the checks read. */
  readonly needs: LookupNeed[];
  /** The target columns of the COPY: the file's (less `omit`) in header order, then the computed ones. */
  readonly copyColumns: string[];
  /** COPY input of the rows (without the binary format's header and trailer). */
  readonly output = new OutputBuffer();
  /**
   * With a crypto worker (crypto-worker.ts): the hashed, then the encrypted columns' queued
   * values, sent at the end of each chunk; null when the encoder hashes and encrypts itself.
   */
  readonly offloaded: CryptoSlots[] | null;
  private readonly remember: ((f: Fields, computed: Computed) => LookupRow & { key: string }) | null;
  private readonly direct: DirectLoad;
  private readonly order: number[];
  private readonly checks: CompiledCheck[];
  private readonly computed: { value: (f: Fields, lookup: Lookup) => string | null; encode: BinaryEncoder }[];
  /** The current row's computed values, in `computed` order, and their positions by name. */
  private readonly computedValues: (string | null)[] = [];
  private readonly computedAt = new Map<string, number>();
  private readonly computedValue: Computed = (name) => this.computedValues[this.computedAt.get(name)!] ?? null;
  /** Keyed-hash columns: the column they hash, and the writer. */
  private readonly hashed: { column: number; write: (value: string, out: Buffer, at: number) => number }[];
  /** Encrypted columns: the column they encrypt, and their slots in the output. */
  private readonly encrypted: { column: number; slots: CbcSlots }[];
  /** `direct.also`: its columns' values and encoders, and its COPY input of the chunk being written. */
  private readonly also: { value: (f: Fields, computed: Computed) => string | null; encode: BinaryEncoder }[] | null;
  private readonly alsoOutput = new OutputBuffer();
  /** The key's columns in the spec's column order. */
  readonly keyColumns: number[];
  /** The file columns the COPY takes: header position and encoder. */
  private readonly fileEncoders: { at: number; encode: BinaryEncoder }[];
  private readonly rejectedKeys = new Set<string>();
  private readonly f: Fields;
  /** The record being encoded: its fields in header order and the rows its lookups found. */
  private values: string[] = [];
  private found: (LookupRow | null)[][] = [];
  private record = 0;
  /** Where a value not among the record's lookups is looked up (the loader's memory); none in a worker. */
  private fallback: Lookup | null = null;
  private readonly lookup: Lookup = (name, value) => {
    const needs = this.needs;
    for (let n = 0; n < needs.length; n++)
      if (needs[n].lookup === name && this.values[needs[n].headerIndex] === value) return this.found[n][this.record];
    return this.fallback ? this.fallback(name, value) : null;
  };

  constructor(
    spec: IngestFileSpec,
    private readonly header: readonly string[],
    context: LoadContext,
    /** The column types (columnTypes) of the target table and of `direct.also`'s. */
    types: Map<string, string>,
    alsoTypes: Map<string, string>,
    options: { offload: boolean; rememberLimit: number; hashKeys?: boolean; onWorker?: boolean },
  ) {
    this.chunkText = options.onWorker ?? false;
    this.hashKeys = options.hashKeys ?? false;
    this.direct = spec.direct!;
    const columns = spec.columns;
    this.order = columns.map((c) => header.indexOf(c));
    this.checks = spec.checks.map((check): CompiledCheck => {
      if (isLocalCheck(check)) return { local: true, test: check.local(columns) };
      const node = check[2];
      if (!node) throw new NotDirect(`${spec.file}: a check has no Node form`);
      return {
        local: false,
        lookup: node.lookup,
        column: columns.indexOf(node.column),
        need: -1,
        test: node.test(columns),
      };
    });
    const encoder = (column: string): BinaryEncoder => {
      const encode = encoderFor(types.get(column) ?? '');
      if (!encode) throw new NotDirect(`${this.direct.table}.${column}: no binary form for its type`);
      return encode;
    };
    const bytea = (column: string) => {
      if (types.get(column) !== 'bytea') throw new NotDirect(`${this.direct.table}.${column} is not bytea`);
    };
    this.computed = [];
    this.hashed = [];
    this.encrypted = [];
    const order = computedOrder(this.direct);
    for (const c of order) {
      if ('value' in c) {
        this.computedAt.set(c.name, this.computed.length);
        this.computed.push({ value: c.value(context), encode: encoder(c.name) });
      } else if ('hashes' in c) {
        bytea(c.name);
        this.hashed.push({ column: columns.indexOf(c.hashes), write: keyedHashWriter(context.keys.hashKey) });
      } else {
        bytea(c.name);
        this.encrypted.push({ column: columns.indexOf(c.encrypts), slots: new CbcSlots(context.keys.encKey, true) });
      }
    }
    this.offloaded =
      options.offload && (this.hashed.length || this.encrypted.length)
        ? [...this.hashed.map(() => new CryptoSlots('hash')), ...this.encrypted.map(() => new CryptoSlots('encrypt'))]
        : null;
    const also = this.direct.also;
    this.also = also
      ? also.values(context).map((value, i) => {
          const encode = encoderFor(alsoTypes.get(also.columns[i]) ?? '');
          if (!encode) throw new NotDirect(`${also.table}.${also.columns[i]}: no binary form for its type`);
          return { value, encode };
        })
      : null;
    this.keyColumns = spec.key.map((k) => columns.indexOf(k));
    const omit = new Set(this.direct.omit ?? []);
    this.fileEncoders = header.flatMap((c, at) => (omit.has(c) ? [] : [{ at, encode: encoder(c) }]));
    this.copyColumns = [...header.filter((c) => !omit.has(c)), ...order.map((c) => c.name)];
    const needs = new Map<string, LookupNeed>();
    for (const check of this.checks) {
      if (check.local) continue;
      const headerIndex = this.order[check.column];
      const key = `${check.lookup}:${headerIndex}`;
      if (!needs.has(key)) needs.set(key, { lookup: check.lookup, headerIndex });
      check.need = [...needs.keys()].indexOf(key);
    }
    this.needs = [...needs.values()];
    this.f = new Array<string | null>(columns.length).fill(null);
    const remember = this.direct.remember;
    this.remember = remember ? remember.entry(columns) : null;
    this.remembered = remember ? (options.onWorker ? new PackedList() : new PackedRows()) : null;
    this.rememberLimit = options.rememberLimit;
  }

  private readonly rememberLimit: number;
  /**
   * An ASCII chunk read as one string, each record a slice of it (on a worker, where nothing of a
   * chunk is kept past it: rejected rows and remembered entries are taken out and posted, i.e.
   * copied, chunk by chunk; on the loader's thread they would keep whole chunks alive).
   */
  private readonly chunkText: boolean;
  /**
   * Whether the accepted rows' key hashes are kept (takeAcceptedKeys): with more than one row
   * worker, the loader's thread compares them with the keys rejected in other workers' chunks.
   */
  private readonly hashKeys: boolean;
  /** Rows remembered so far (`remembered` is drained chunk by chunk on a worker). */
  private rememberedCount = 0;

  /**
   * Encodes a chunk's records, [starts[r], ends[r]) of `buf` starting on line lines[r], with
   * the rows their lookups found (found[need][r]); `fallback` answers the computed columns'
   * other lookups. The output stays in `output` and the also-output in `alsoOutput` until
   * `take()`.
   */
  encodeChunk(
    buf: Buffer,
    starts: ArrayLike<number>,
    ends: ArrayLike<number>,
    lines: ArrayLike<number>,
    found: (LookupRow | null)[][],
    fallback: Lookup | null,
  ): void {
    if (!starts.length) return;
    this.found = found;
    this.fallback = fallback;
    // Bytes below 0x80 read as Latin-1 are their UTF-8 reading (a one-byte string, no decoding).
    const ascii = isAscii(buf);
    if (ascii && this.chunkText) {
      const text = (buf as Slicing).latin1Slice(0, buf.length);
      for (let r = 0; r < starts.length; r++) {
        this.record = r;
        this.row(text.slice(starts[r], ends[r]), lines[r]);
      }
    } else {
      const decode = ascii ? (buf as Slicing).latin1Slice : (buf as Slicing).utf8Slice;
      for (let r = 0; r < starts.length; r++) {
        this.record = r;
        this.row(decode.call(buf, starts[r], ends[r]), lines[r]);
      }
    }
    this.found = [];
    this.values = [];
  }

  /** The chunk's COPY input (ciphertexts filled unless offloaded) and also-input, taken out. */
  take(): EncodedChunk {
    if (!this.offloaded) for (const { slots } of this.encrypted) slots.fill(this.output.out);
    return { out: this.output.take(), alsoOut: this.alsoOutput.take() };
  }

  private row(text: string, line: number): void {
    const values = splitFields(text, this.header.length, this.header, line);
    this.values = values;
    const f = this.f;
    const order = this.order;
    for (let c = 0; c < order.length; c++) {
      const v = values[order[c]];
      f[c] = v === '' ? null : v;
    }
    let reason: string | null = null;
    for (const check of this.checks) {
      if (check.local) reason = check.test(f);
      else {
        const value = f[check.column];
        reason = check.test(f, value === null ? null : this.found[check.need][this.record]);
      }
      if (reason !== null) break;
    }
    if (reason !== null) {
      this.rejected.push({ line, reason, fields: f.slice() });
      if (++this.rejectedCount > MAX_REJECTS) throw new NotDirect(`more than ${MAX_REJECTS} rows rejected`);
      const key = this.keyOf(f);
      if (key !== null) this.rejectedKeys.add(key);
      return;
    }
    if (this.rejectedKeys.size && this.rejectedKeys.has(this.keyOf(f)!))
      throw new NotDirect(`line ${line} repeats the key of a rejected line`);
    if (this.hashKeys) this.addAcceptedKey(f);

    const o = this.output;
    o.ensure(2);
    o.out.writeInt16BE(this.copyColumns.length, o.pos);
    o.pos += 2;
    for (const { at, encode } of this.fileEncoders) {
      const v = values[at];
      if (v === '') writeNull(o);
      else encode(v, o);
    }
    for (let c = 0; c < this.computed.length; c++) {
      const { value, encode } = this.computed[c];
      const v = value(f, this.lookup);
      this.computedValues[c] = v;
      if (v === null) writeNull(o);
      else encode(v, o);
    }
    if (this.offloaded) this.queueCrypto(f, o);
    else {
      for (const { column, write } of this.hashed) {
        const value = f[column];
        if (value === null) writeNull(o);
        else {
          writeLength(o, 32);
          o.pos = write(value, o.out, o.pos);
        }
      }
      // Encrypted columns: room for their bytes, filled when the chunk's values are encrypted.
      for (const { column, slots } of this.encrypted) {
        const value = f[column];
        if (value === null) writeNull(o);
        else {
          const width = CbcSlots.bytes(value);
          writeLength(o, width);
          slots.add(value, o.pos);
          o.pos += width;
        }
      }
    }
    if (this.also) {
      const a = this.alsoOutput;
      a.ensure(2);
      a.out.writeInt16BE(this.also.length, a.pos);
      a.pos += 2;
      for (const { value, encode } of this.also) {
        const v = value(f, this.computedValue);
        if (v === null) writeNull(a);
        else encode(v, a);
      }
    }
    if (this.remember && this.rememberedCount < this.rememberLimit) {
      const entry = this.remember(f, this.computedValue);
      this.remembered!.set(entry.key, entry);
      this.rememberedCount++;
    }
  }

  /** Room for the row's hashes and ciphertexts, their values queued for the crypto worker. */
  private queueCrypto(f: Fields, o: OutputBuffer): void {
    const queues = this.offloaded!;
    const hashed = this.hashed.length;
    for (let q = 0; q < queues.length; q++) {
      const value = f[q < hashed ? this.hashed[q].column : this.encrypted[q - hashed].column];
      if (value === null) writeNull(o);
      else {
        const width = queues[q].width(value);
        writeLength(o, width);
        queues[q].add(value, o.pos);
        o.pos += width;
      }
    }
  }

  /** Accepted rows' key hashes of the chunk being encoded (keyHash), when `hashKeys`. */
  private acceptedKeys = new Int32Array(1 << 14);
  private acceptedCount = 0;

  /** The accepted rows' key hashes since the last call, taken out. */
  takeAcceptedKeys(): Int32Array {
    const keys = this.acceptedKeys.slice(0, this.acceptedCount);
    this.acceptedCount = 0;
    return keys;
  }

  private addAcceptedKey(f: Fields): void {
    const hash = keyHash(f, this.keyColumns);
    if (hash === null) return;
    if (this.acceptedCount === this.acceptedKeys.length) {
      const bigger = new Int32Array(this.acceptedKeys.length * 2);
      bigger.set(this.acceptedKeys);
      this.acceptedKeys = bigger;
    }
    this.acceptedKeys[this.acceptedCount++] = hash;
  }

  /** The key as text; null when a part of it is empty (such a row shares no key). */
  private keyOf(f: Fields): string | null {
    const parts = this.keyColumns.map((i) => f[i]);
    return parts.some((p) => p === null) ? null : JSON.stringify(parts);
  }
}

/**
 * A 32-bit hash (FNV-1a) of a row's key, `keyColumns` of its fields; null when a part is empty.
 * Equal keys hash equal; a collision only sends a file to the staged path.
 */
export function keyHash(f: Fields, keyColumns: readonly number[]): number | null {
  let hash = 0x811c9dc5;
  for (let k = 0; k < keyColumns.length; k++) {
    const part = f[keyColumns[k]];
    if (part === null) return null;
    for (let i = 0; i < part.length; i++) hash = Math.imul(hash ^ part.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0xffff, 0x01000193);
  }
  return hash | 0;
}
