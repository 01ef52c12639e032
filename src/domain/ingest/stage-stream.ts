/**
 * The staging stream: reads a batch file's bytes once, on Node's side of the COPY (a
 * second core while PostgreSQL copies), and writes the COPY input for `ingest_stage`:
 *
 *   <line>,<the record's bytes as they are>,<_check>,<_reason>[,<derived>…]\n
 *
 * `line` is the physical line the record starts on (header = line 1; quoted line breaks
 * and blank lines counted). The record is parsed (RFC 4180 as PostgreSQL's CSV reader
 * reads it: a quote toggles quoting anywhere in a field, `""` inside quotes is a quote)
 * only to run the row-local checks: `_check` is the index in the spec's check list of
 * the first local check that fails and `_reason` its reason, both empty (NULL) when the
 * row passes. Derived columns (typed or encrypted values) are written for passing rows
 * only. The record's own bytes go to PostgreSQL unchanged, which stays the judge of the
 * encoding; field-count and quoting errors are raised here with PostgreSQL's wording.
 */
import { isUtf8 } from 'node:buffer';
import { Transform, TransformCallback } from 'node:stream';
import { Fields, RowTest } from './row-checks';

const LF = 10;
const CR = 13;
const QUOTE = 34;
/** A record still open after this many bytes is taken for an unterminated quote. */
const MAX_RECORD = 64 << 20;

/** The CSV does not parse; `line` is where the record starts. */
export class CsvFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export interface StageLayout {
  /** The spec's columns (the order the checks see). */
  columns: readonly string[];
  /** The file's header (the order of the fields in a record). */
  header: readonly string[];
  /** Per entry of the spec's check list: the local test, or null for a SQL check. */
  tests: readonly (RowTest | null)[];
  /** Values of extra staged columns for rows that pass the local checks. */
  derived: readonly ((f: Fields) => string | null)[];
}

/**
 * Splits a CSV byte stream into records and keeps the physical line each starts on;
 * subclasses decide what a record becomes (`record`) and when a chunk is done (`endOfChunk`).
 */
export abstract class CsvRecordStream extends Transform {
  /** Physical line of the next byte to scan; during `record`, the line the record starts on. */
  protected line = 1;
  private headerSeen = false;
  /** Bytes of an incomplete record carried to the next chunk. */
  private pending: Buffer | null = null;
  /** Rows seen (data records). */
  rows = 0;

  constructor(protected readonly header: readonly string[]) {
    super();
  }

  /** One data record, bytes [start, end) of `buf` without its line end. */
  protected abstract record(buf: Buffer, start: number, end: number): void;

  /** Called after the records of a chunk (and at the end of the input); must call `done`. */
  protected abstract endOfChunk(done: TransformCallback, atEnd: boolean): void;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
      this.pending = null;
      this.scan(buf, false);
    } catch (error) {
      done(error as Error);
      return;
    }
    this.endOfChunk(done, false);
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.pending) {
        const buf = this.pending;
        this.pending = null;
        this.scan(buf, true);
      }
    } catch (error) {
      done(error as Error);
      return;
    }
    this.endOfChunk(done, true);
  }

  /** Splits `buf` into records; at the end of the file a record needs no line feed. */
  private scan(buf: Buffer, atEnd: boolean): void {
    const length = buf.length;
    // PostgreSQL stores no NUL in text: the record holding the chunk's first one is refused.
    this.nulAt = buf.indexOf(0);
    let i = 0;
    let nextQuote = buf.indexOf(QUOTE, 0);
    while (i < length) {
      // Blank lines between records are not rows, but they are lines.
      const b = buf[i];
      if (b === LF) {
        this.line++;
        i++;
        continue;
      }
      if (b === CR) {
        if (i + 1 === length) {
          if (!atEnd) this.pending = buf.subarray(i);
          return;
        }
        if (buf[i + 1] === LF) {
          this.line++;
          i += 2;
          continue;
        }
      }
      // The record ends at the first line feed outside quotes.
      const start = i;
      let inQuotes = false;
      let lines = 0;
      let end = -1;
      let j = i;
      for (;;) {
        const lf = buf.indexOf(LF, j);
        const limit = lf === -1 ? length : lf;
        if (nextQuote !== -1 && nextQuote < start) nextQuote = buf.indexOf(QUOTE, start);
        while (nextQuote !== -1 && nextQuote < limit) {
          inQuotes = !inQuotes;
          nextQuote = buf.indexOf(QUOTE, nextQuote + 1);
        }
        if (lf === -1) break;
        lines++;
        j = lf + 1;
        if (!inQuotes) {
          end = lf;
          break;
        }
      }
      if (end === -1) {
        if (!atEnd) {
          // Incomplete: rescan from its start with the next chunk.
          if (length - start > MAX_RECORD) throw new CsvFormatError(this.line, 'unterminated CSV quoted field');
          this.pending = buf.subarray(start);
          return;
        }
        if (inQuotes) throw new CsvFormatError(this.line, 'unterminated CSV quoted field');
        this.handle(buf, start, length);
        return;
      }
      this.handle(buf, start, end);
      this.line += lines;
      i = end + 1;
    }
  }

  /** Where the current chunk's first NUL byte is (-1: none). */
  private nulAt = -1;

  private handle(buf: Buffer, start: number, end: number): void {
    if (this.nulAt !== -1 && this.nulAt >= start && this.nulAt < end)
      throw new CsvFormatError(this.line, 'NUL character (0x00)');
    if (end > start && buf[end - 1] === CR) end--;
    if (!this.headerSeen) {
      this.headerSeen = true;
      return;
    }
    this.rows++;
    this.record(buf, start, end);
  }

  /** The next quote at or after the current record in quoteBuf (-1: none after it). */
  private quoteBuf: Buffer | null = null;
  private quoteAt = -1;

  /** Whether the record [start, end) of `buf` has a quote (without scanning past it each time). */
  protected hasQuote(buf: Buffer, start: number, end: number): boolean {
    if (buf !== this.quoteBuf || (this.quoteAt !== -1 && this.quoteAt < start)) {
      this.quoteBuf = buf;
      this.quoteAt = buf.indexOf(QUOTE, start);
    }
    return this.quoteAt !== -1 && this.quoteAt < end;
  }

  /** Whether the last record split had a quote in it. */
  protected quoted = false;

  /** A record's fields in header order, as PostgreSQL's CSV reader reads them ('' for empty). */
  protected splitRecord(text: string): string[] {
    this.quoted = text.indexOf('"') !== -1;
    return splitFields(text, this.header.length, this.header, this.line);
  }
}

/**
 * A record's fields (RFC 4180 as PostgreSQL's CSV reader reads them, '' for empty); a record
 * that has not exactly `count` fields fails with PostgreSQL's wording at `line`.
 */
export function splitFields(text: string, count: number, header: readonly string[], line: number): string[] {
  let values: string[];
  if (text.indexOf('"') === -1) {
    values = text.split(',');
  } else {
    values = [];
    let field = '';
    let inQuotes = false;
    let from = 0;
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (inQuotes) {
        if (c === QUOTE) {
          field += text.slice(from, k);
          if (text.charCodeAt(k + 1) === QUOTE) {
            field += '"';
            k++;
          } else inQuotes = false;
          from = k + 1;
        }
      } else if (c === QUOTE) {
        field += text.slice(from, k);
        inQuotes = true;
        from = k + 1;
      } else if (c === 44) {
        values.push(field + text.slice(from, k));
        field = '';
        from = k + 1;
      }
    }
    values.push(field + text.slice(from));
  }
  if (values.length > count) throw new CsvFormatError(line, 'extra data after last expected column');
  if (values.length < count) throw new CsvFormatError(line, `missing data for column "${header[values.length]}"`);
  return values;
}

/** Writes COPY input into a growing buffer, pushed once per chunk. */
export class OutputBuffer {
  out: Buffer = Buffer.allocUnsafe(1 << 21);
  pos = 0;

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.out.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + bytes));
    this.out.copy(bigger, 0, 0, this.pos);
    this.out = bigger;
  }

  /** The line number in decimal, then a comma. */
  writeLineNumber(line: number): void {
    const out = this.out;
    let digits = 1;
    for (let p = 10; p <= line; p *= 10) digits++;
    for (let k = digits - 1; k >= 0; k--) {
      out[this.pos + k] = 48 + (line % 10);
      line = Math.floor(line / 10);
    }
    this.pos += digits;
    out[this.pos++] = 44;
  }

  /** The bytes written since the last take, copied out. */
  take(): Buffer | null {
    if (this.pos === 0) return null;
    const chunk = Buffer.from(this.out.subarray(0, this.pos));
    this.pos = 0;
    return chunk;
  }
}

export class RecordStager extends CsvRecordStream {
  private readonly order: number[];
  private readonly local: { index: number; test: RowTest }[];
  private readonly fields: Fields;
  private readonly output = new OutputBuffer();

  constructor(private readonly layout: StageLayout) {
    super(layout.header);
    this.order = layout.columns.map((c) => layout.header.indexOf(c));
    this.local = layout.tests.flatMap((test, index) => (test ? [{ index, test }] : []));
    this.fields = new Array<string | null>(layout.columns.length).fill(null);
  }

  protected endOfChunk(done: TransformCallback): void {
    const chunk = this.output.take();
    if (chunk) this.push(chunk);
    done();
  }

  protected record(buf: Buffer, start: number, end: number): void {
    const text = buf.toString('utf8', start, end);
    // Bytes that are not UTF-8 decode to U+FFFD. PostgreSQL would refuse them in the COPY, with
    // no line of ours in its message: the record's line is known here.
    if (text.includes('\ufffd') && !isUtf8(buf.subarray(start, end)))
      throw new CsvFormatError(this.line, 'invalid UTF-8 byte sequence');
    const values = this.splitRecord(text);
    const f = this.fields;
    const order = this.order;
    for (let c = 0; c < order.length; c++) {
      const v = values[order[c]];
      f[c] = v === '' ? null : v;
    }
    let check = -1;
    let reason = '';
    for (const { index, test } of this.local) {
      const failed = test(f);
      if (failed !== null) {
        check = index;
        reason = failed;
        break;
      }
    }
    const size = end - start;
    let suffix: string | null = null;
    if (check === -1) {
      if (this.layout.derived.length) {
        suffix = ',,';
        for (const derive of this.layout.derived) suffix += `,${derive(f) ?? ''}`;
        suffix += '\n';
      }
    } else {
      suffix = `,${check},"${reason.replace(/"/g, '""')}"${','.repeat(this.layout.derived.length)}\n`;
    }
    const o = this.output;
    o.ensure(12 + size + (suffix === null ? 3 : suffix.length * 3));
    o.writeLineNumber(this.line);
    buf.copy(o.out, o.pos, start, end);
    o.pos += size;
    if (suffix === null) {
      o.out[o.pos++] = 44;
      o.out[o.pos++] = 44;
      o.out[o.pos++] = LF;
    } else o.pos += o.out.write(suffix, o.pos, 'utf8');
  }
}
