/**
 * CSV helpers for the loader: reading a file's header record, the file's checksum. The
 * staging stream (records, line numbers, row-local checks) is stage-stream.ts.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';

const LF = 10;
const QUOTE = 34;
const COMMA = 44;

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
