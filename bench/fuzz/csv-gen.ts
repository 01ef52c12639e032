/**
 * Hostile ingest batches (issue 16, item 5): each case is the valid fixture batch
 * (test/fixtures/ingest/valid plus test/fixtures/rules/valid/rules.csv, files as
 * DATA-DICTIONARY.md defines them) with one to three files damaged by a seeded mutation:
 * random bytes, NUL, a BOM (at the start: still valid; inside: a value), mixed or CR-only line
 * ends, unbalanced quotes, a 1 MB field, 10,000 columns (header or row), a truncated file,
 * invalid UTF-8, an empty or header-only file, blank lines, a field too many or too few,
 * shuffled columns, repeated rows, edge-case values, a 1 MB line without a line end.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from './random';

export type Mutation =
  | 'randomBytes'
  | 'randomBody'
  | 'nul'
  | 'bom'
  | 'bomInside'
  | 'mixedLineEnds'
  | 'crOnly'
  | 'unbalancedQuote'
  | 'hugeField'
  | 'wideHeader'
  | 'wideRow'
  | 'truncate'
  | 'invalidUtf8'
  | 'empty'
  | 'headerOnly'
  | 'blankLines'
  | 'fieldCount'
  | 'shuffleColumns'
  | 'repeatRows'
  | 'edgeValue'
  | 'longLine';

export const MUTATIONS: Mutation[] = [
  'randomBytes',
  'randomBody',
  'nul',
  'bom',
  'bomInside',
  'mixedLineEnds',
  'crOnly',
  'unbalancedQuote',
  'hugeField',
  'wideHeader',
  'wideRow',
  'truncate',
  'invalidUtf8',
  'empty',
  'headerOnly',
  'blankLines',
  'fieldCount',
  'shuffleColumns',
  'repeatRows',
  'edgeValue',
  'longLine',
];

const EDGE_VALUES = [
  '',
  ' ',
  '-0',
  '1e5',
  '0x10',
  ' 100.00',
  '100.00 ',
  '１００',
  '２０２５-03-01',
  '2025-02-29',
  '2024-02-29T24:00:00',
  '9999-12-31T23:59:59+14:00',
  '99999999999999.99',
  '-99999999999.999',
  'NaN',
  'null',
  '\\N',
  '"',
  '\u0000',
  '\ufeff',
  '\u202e',
  '😀',
  '𠮷',
  'é',
  "'; DROP TABLE person; --",
  'x'.repeat(41),
  'P001',
  '610302',
];

/** The files of the base batch, by name. */
export function baseBatch(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const valid = join(root, 'test', 'fixtures', 'ingest', 'valid');
  for (const name of readdirSync(valid)) files.set(name, readFileSync(join(valid, name)));
  files.set('rules.csv', readFileSync(join(root, 'test', 'fixtures', 'rules', 'valid', 'rules.csv')));
  return files;
}

function lines(text: string): string[] {
  return text.replace(/\n$/, '').split('\n');
}

function mutate(rng: Random, mutation: Mutation, file: Buffer): Buffer {
  const text = file.toString('utf8');
  const rows = lines(text);
  const header = rows[0];
  const columns = header.split(',');
  const dataIndex = () => (rows.length > 1 ? rng.int(1, rows.length - 1) : 0);
  const at = (s: string) => rng.int(0, s.length);
  const joinRows = (r: string[]) => Buffer.from(`${r.join('\n')}\n`);
  switch (mutation) {
    case 'randomBytes':
      return rng.bytes(rng.int(0, 4096));
    case 'randomBody':
      return Buffer.concat([Buffer.from(`${header}\n`), rng.bytes(rng.int(1, 4096))]);
    case 'nul': {
      const i = dataIndex();
      const p = at(rows[i]);
      rows[i] = `${rows[i].slice(0, p)}\u0000${rows[i].slice(p)}`;
      return joinRows(rows);
    }
    case 'bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), file]);
    case 'bomInside': {
      const i = dataIndex();
      rows[i] = `\ufeff${rows[i]}`;
      return joinRows(rows);
    }
    case 'mixedLineEnds':
      return Buffer.from(rows.map((r) => r + rng.pick(['\n', '\r\n', '\r', '\n\r'])).join(''));
    case 'crOnly':
      return Buffer.from(`${rows.join('\r')}\r`);
    case 'unbalancedQuote': {
      const i = dataIndex();
      const p = rng.chance(0.5) ? 0 : at(rows[i]);
      rows[i] = `${rows[i].slice(0, p)}"${rows[i].slice(p)}`;
      return joinRows(rows);
    }
    case 'hugeField': {
      const i = dataIndex() || 1;
      const fields = (rows[i] ?? '').split(',');
      const unit = rng.pick(['x', '渭', '😀', 'a,b\n"c"']);
      const huge = unit.repeat(Math.ceil((1 << 20) / Buffer.byteLength(unit)));
      fields[rng.int(0, Math.max(0, fields.length - 1))] = /[,\n"]/.test(unit) ? `"${huge.replace(/"/g, '""')}"` : huge;
      rows[i] = fields.join(',');
      return joinRows(rows);
    }
    case 'wideHeader':
      rows[0] = [...columns, ...Array.from({ length: 10_000 - columns.length }, (_, k) => `extra_${k}`)].join(',');
      return joinRows(rows);
    case 'wideRow': {
      const i = dataIndex() || 1;
      rows[i] = Array.from({ length: 10_000 }, (_, k) =>
        k < columns.length ? ((rows[i] ?? '').split(',')[k] ?? '') : 'x',
      ).join(',');
      return joinRows(rows);
    }
    case 'truncate':
      return file.subarray(0, rng.int(0, file.length - 1));
    case 'invalidUtf8': {
      const p = rng.int(header.length + 1, Math.max(header.length + 1, file.length - 1));
      return Buffer.concat([
        file.subarray(0, p),
        Buffer.from(rng.pick([[0xff], [0xc3], [0xe6, 0xb8], [0xed, 0xa0, 0x80], [0xc0, 0xaf]])),
        file.subarray(p),
      ]);
    }
    case 'empty':
      return Buffer.alloc(0);
    case 'headerOnly':
      return Buffer.from(`${header}${rng.pick(['\n', '\r\n', ''])}`);
    case 'blankLines': {
      const i = dataIndex();
      rows.splice(i, 0, rng.pick(['', ' ', '\t', ',,,', '\r']));
      return joinRows(rows);
    }
    case 'fieldCount': {
      const i = dataIndex();
      rows[i] = rng.chance(0.5) ? `${rows[i]},extra` : rows[i].slice(0, rows[i].lastIndexOf(','));
      return joinRows(rows);
    }
    case 'shuffleColumns': {
      const order = rng.sample(
        columns.map((_, k) => k),
        columns.length,
      );
      // Only rows without quotes can be split on commas.
      if (rows.some((r) => r.includes('"'))) return file;
      return joinRows(rows.map((r) => order.map((k) => r.split(',')[k] ?? '').join(',')));
    }
    case 'repeatRows': {
      const i = dataIndex();
      rows.splice(i, 0, rows[i]);
      return joinRows(rows);
    }
    case 'edgeValue': {
      const i = dataIndex();
      if (rows[i].includes('"')) return file;
      const fields = rows[i].split(',');
      const value = rng.pick(EDGE_VALUES);
      fields[rng.int(0, fields.length - 1)] = /[,"\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
      rows[i] = fields.join(',');
      return joinRows(rows);
    }
    case 'longLine':
      return Buffer.concat([file, Buffer.from('y'.repeat(1 << 20))]);
  }
}

export interface CsvCase {
  index: number;
  folder: string;
  mutations: { file: string; mutation: Mutation }[];
}

/** Writes case `index` of seed `seed` into `folder` (created). */
export function writeCase(rng: Random, base: Map<string, Buffer>, folder: string, index: number): CsvCase {
  mkdirSync(folder, { recursive: true });
  const names = [...base.keys()];
  const mutations = rng.sample(names, rng.int(1, 3)).map((file) => ({ file, mutation: rng.pick(MUTATIONS) }));
  // Now and then a file of the batch is left out (its dependants then reject their references).
  const omitted = rng.chance(0.1) ? rng.pick(names) : null;
  for (const [name, content] of base) {
    if (name === omitted) continue;
    const applied = mutations.filter((m) => m.file === name);
    let out = content;
    for (const m of applied) out = mutate(rng, m.mutation, out);
    writeFileSync(join(folder, name), out);
  }
  return { index, folder, mutations };
}
