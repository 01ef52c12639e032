/**
 * Byte-level CSV helpers for the loader: reading a file's header record, and a stream
 * Transform that prefixes every record with the physical line it starts on, so that a
 * rejected row is reported at its line in the file even when earlier quoted fields hold
 * line breaks. PostgreSQL's COPY does the actual CSV parsing.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

/**
 * Prefixes each CSV record with `<line>,` where line is the 1-based physical line the
 * record starts on (the header record is line 1). Blank lines between records are dropped
 * (they are not rows) but still counted. Quote state is tracked by parity, which RFC 4180
 * escaping (`""`) preserves, so only quote and line-feed bytes are looked at.
 */
export class LineNumberPrefixer extends Transform {
  /** Physical line of the next byte. */
  private line = 1;
  private inQuotes = false;
  private atRecordStart = true;
  /** A CR that ended a chunk at a record start: maybe the first half of a blank CRLF line. */
  private carry: Buffer | null = null;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const out: Buffer[] = [];
    const length = buf.length;
    let i = 0;
    let nextQuote = buf.indexOf(QUOTE, 0);
    while (i < length) {
      if (this.atRecordStart) {
        if (buf[i] === LF) {
          this.line++;
          i++;
          continue;
        }
        if (buf[i] === CR) {
          if (i + 1 === length) {
            this.carry = buf.subarray(i);
            break;
          }
          if (buf[i + 1] === LF) {
            this.line++;
            i += 2;
            continue;
          }
        }
        out.push(Buffer.from(`${this.line},`, 'latin1'));
        this.atRecordStart = false;
      }
      // Walk line by line until a line feed outside quotes ends the record.
      const start = i;
      let end = -1;
      while (i < length) {
        const lf = buf.indexOf(LF, i);
        const limit = lf === -1 ? length : lf;
        while (nextQuote !== -1 && nextQuote < limit) {
          this.inQuotes = !this.inQuotes;
          nextQuote = buf.indexOf(QUOTE, nextQuote + 1);
        }
        if (lf === -1) {
          i = length;
          break;
        }
        this.line++;
        i = lf + 1;
        if (!this.inQuotes) {
          end = i;
          break;
        }
      }
      out.push(buf.subarray(start, i));
      if (end !== -1) this.atRecordStart = true;
    }
    if (out.length) this.push(out.length === 1 ? out[0] : Buffer.concat(out));
    done();
  }

  override _flush(done: TransformCallback): void {
    // A lone CR at the very end of the file is a line end, not data.
    this.carry = null;
    done();
  }
}

/** Splits one CSV record (without its line end) into fields. */
export function splitCsvRecord(record: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (record.charCodeAt(i) === QUOTE) {
      i++;
      for (;;) {
        const quote = record.indexOf('"', i);
        if (quote < 0) throw new Error('unterminated quoted field');
        field += record.slice(i, quote);
        if (record.charCodeAt(quote + 1) === QUOTE) {
          field += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
    } else {
      const comma = record.indexOf(',', i);
      const end = comma < 0 ? record.length : comma;
      field = record.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (record.charCodeAt(i) === COMMA) i++;
    else if (i >= record.length) return fields;
    else throw new Error('unexpected character after a quoted field');
  }
}

/**
 * The header record of a CSV file (BOM stripped), or null for an empty file. Reads only
 * as far as the end of the first record.
 */
export async function readCsvHeader(path: string, maxBytes = 1 << 16): Promise<string[] | null> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes, 0);
    let text = buffer.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let inQuotes = false;
    let end = -1;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === QUOTE) inQuotes = !inQuotes;
      else if (code === LF && !inQuotes) {
        end = i;
        break;
      }
    }
    if (end === -1) {
      if (bytesRead === maxBytes) throw new Error(`no end of the header within ${maxBytes} bytes`);
      end = text.length;
    }
    const record = text.slice(0, end).replace(/\r$/, '');
    return record === '' ? null : splitCsvRecord(record);
  } finally {
    await handle.close();
  }
}

/** SHA-256 of a file's bytes, hex. */
export async function fileChecksum(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
