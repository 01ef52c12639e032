import { createWriteStream, WriteStream } from 'node:fs';
import { once } from 'node:events';

const NEEDS_QUOTING = /[",\r\n]/;

/** RFC 4180 field: quoted only when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  return NEEDS_QUOTING.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const FLUSH_AT_CHARS = 1 << 18;

/**
 * A CSV file written through a stream with back-pressure: rows collect in a buffer that is
 * handed to the stream in large chunks, and the producer awaits `drain` whenever the stream
 * says its queue is full, so memory stays bounded however many rows are written.
 */
export class CsvFileWriter {
  rows = 0;
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private bufferedChars = 0;
  /** Set when the stream's queue is full; listening at once so a quick `drain` is not missed. */
  private drained: Promise<unknown> | null = null;

  constructor(path: string, header: readonly string[]) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.buffer.push(header.join(',') + '\n');
  }

  /** Appends one row of already formatted fields (text fields must pass through csvField). */
  writeRow(fields: readonly string[]): void {
    const line = fields.join(',') + '\n';
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.rows++;
    if (this.bufferedChars >= FLUSH_AT_CHARS) this.flush();
  }

  /** Resolves at once unless the stream asked the producer to wait. */
  async ready(): Promise<void> {
    if (!this.drained) return;
    await this.drained;
    this.drained = null;
  }

  async close(): Promise<void> {
    this.flush();
    await this.ready();
    this.stream.end();
    await once(this.stream, 'finish');
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    if (!this.stream.write(this.buffer.join('')) && !this.drained) this.drained = once(this.stream, 'drain');
    this.buffer = [];
    this.bufferedChars = 0;
  }
}

/** Parses RFC 4180 text (either line ending, optional BOM) into records of fields. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  const length = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let record: string[] = [];
  while (i < length) {
    let field: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      field = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote < 0) throw new Error('unterminated quoted field');
        field += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          field += '"';
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
    } else {
      let end = i;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === 44 || code === 10 || code === 13) break;
        end++;
      }
      field = text.slice(i, end);
      i = end;
    }
    record.push(field);
    const separator = text.charCodeAt(i);
    if (separator === 44) {
      i++;
      if (i === length) record.push('');
      continue;
    }
    records.push(record);
    record = [];
    if (separator === 13 && text.charCodeAt(i + 1) === 10) i += 2;
    else i++;
  }
  return records;
}
