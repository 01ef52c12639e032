/**
 * The two export formats, written row by row to a Writable (the HTTP response) with
 * back-pressure: `flush()` waits while the destination's buffer is full, so that a slow
 * client slows the reading of pages instead of filling memory.
 *
 * CSV: UTF-8 with a byte-order mark (Excel then reads the Chinese headers), RFC 4180 quoting,
 * CRLF line ends; a text cell that a spreadsheet would run as a formula (= + - @ tab CR first)
 * is prefixed with an apostrophe (CSV injection). XLSX: exceljs's streaming WorkbookWriter
 * (rows are committed as they are added, no shared strings), one sheet, a header row.
 */
import ExcelJS from 'exceljs';
import { Writable } from 'node:stream';

export type CellKind = 'text' | 'money' | 'integer' | 'number';
export type Cell = string | number | null;

export interface ColumnSpec {
  header: string;
  kind: CellKind;
  /** XLSX column width in characters. */
  width?: number;
}

export interface ExportWriter {
  readonly contentType: string;
  readonly extension: 'csv' | 'xlsx';
  start(columns: readonly ColumnSpec[], sheetName: string): void;
  row(cells: readonly Cell[]): void;
  /** Resolves when the destination can take more (at once unless its buffer is full). */
  flush(): Promise<void>;
  /** Ends the file and the destination. */
  finish(): Promise<void>;
}

const gone = () => new Error('the destination closed before the export ended');

/** Waits for `drain`; rejects when the destination is closed or fails first (client gone). */
export function drained(out: Writable): Promise<void> {
  if (out.destroyed) return Promise.reject(gone());
  if (!out.writableNeedDrain) return Promise.resolve();
  return untilClosed(out, (resolve) => out.once('drain', resolve));
}

/**
 * Runs `wait` (which resolves through its callback); rejects instead when the destination
 * closes or fails before it does, so that no export waits forever on a client that hung up.
 */
function untilClosed(
  out: Writable,
  wait: (resolve: () => void, reject: (error: Error) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      out.off('close', onClose);
      out.off('error', settle);
      if (error) reject(error);
      else resolve();
    };
    const onClose = () => settle(out.writableFinished ? undefined : gone());
    out.on('close', onClose);
    out.on('error', settle);
    wait(() => settle(), settle);
  });
}

const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: Cell, kind: CellKind): string {
  if (value === null) return '';
  let text = String(value);
  if (kind === 'text' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV text is handed to the destination in chunks of about this size, not line by line. */
const CSV_CHUNK = 64 * 1024;

export function csvWriter(out: Writable): ExportWriter {
  let kinds: CellKind[] = [];
  let pending: string[] = [];
  let pendingLength = 0;
  const push = (line: string) => {
    pending.push(line);
    pendingLength += line.length;
    if (pendingLength >= CSV_CHUNK) send();
  };
  const send = () => {
    if (!pending.length) return;
    out.write(pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  return {
    contentType: 'text/csv; charset=utf-8',
    extension: 'csv',
    start(columns) {
      kinds = columns.map((c) => c.kind);
      push(`\uFEFF${columns.map((c) => csvField(c.header, 'text')).join(',')}\r\n`);
    },
    row(cells) {
      push(`${cells.map((cell, i) => csvField(cell, kinds[i])).join(',')}\r\n`);
    },
    flush() {
      send();
      return drained(out);
    },
    finish() {
      if (out.destroyed) return Promise.reject(gone());
      send();
      return untilClosed(out, (resolve) => out.end(resolve));
    },
  };
}

/**
 * Money goes to XLSX as a number with two decimals shown: every amount is an exact decimal of at
 * most 2 places below 10^13, which a double holds so that it reads back as the same decimal.
 */
function xlsxCell(value: Cell, kind: CellKind): Cell {
  if (value === null || kind === 'text') return value;
  return typeof value === 'number' ? value : Number(value);
}

export function xlsxWriter(out: Writable): ExportWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  let sheet: ExcelJS.Worksheet;
  let kinds: CellKind[] = [];
  return {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    extension: 'xlsx',
    start(columns, sheetName) {
      kinds = columns.map((c) => c.kind);
      sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = columns.map((c, i) => ({
        key: String(i),
        header: c.header,
        width: c.width ?? Math.max(10, [...c.header].length * 2 + 2),
        style: c.kind === 'money' ? { numFmt: '0.00' } : {},
      }));
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
    },
    row(cells) {
      sheet.addRow(cells.map((cell, i) => xlsxCell(cell, kinds[i]))).commit();
    },
    flush: () => drained(out),
    async finish() {
      if (out.destroyed) throw gone();
      sheet.commit();
      await untilClosed(out, (resolve, reject) => void workbook.commit().then(resolve, reject));
    },
  };
}
