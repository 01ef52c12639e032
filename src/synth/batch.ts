import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DICTIONARY_COLUMNS } from '../domain/ingest/dictionary';
import { parseCsv } from './csv';

/**
 * A batch (数据批次) as DATA-DICTIONARY.md defines it: one CSV file per fact or reference
 * table, fields kept as the text that was in the file (empty string = NULL), so that the
 * oracle parses money, decimals and timestamps itself exactly as the ingest must.
 */
export const BATCH_COLUMNS = DICTIONARY_COLUMNS;

export type BatchFileName = keyof typeof BATCH_COLUMNS;
export const BATCH_FILE_NAMES = Object.keys(BATCH_COLUMNS) as BatchFileName[];

type RowOf<F extends BatchFileName> = Record<(typeof BATCH_COLUMNS)[F][number], string>;

export type RegionRow = RowOf<'regions.csv'>;
export type InstitutionRow = RowOf<'institutions.csv'>;
export type PersonRow = RowOf<'persons.csv'>;
export type RelationRow = RowOf<'relations.csv'>;
export type SettlementRow = RowOf<'settlements.csv'>;
export type SettlementItemRow = RowOf<'settlement_items.csv'>;
export type PriceCatalogRow = RowOf<'price_catalog.csv'>;
export type DrugPurchaseRow = RowOf<'drug_purchases.csv'>;
export type RuleRow = RowOf<'rules.csv'>;

export interface Batch {
  regions: RegionRow[];
  institutions: InstitutionRow[];
  persons: PersonRow[];
  relations: RelationRow[];
  settlements: SettlementRow[];
  settlementItems: SettlementItemRow[];
  priceCatalog: PriceCatalogRow[];
  drugPurchases: DrugPurchaseRow[];
  rules: RuleRow[];
}

/** Reads one batch file into rows keyed by column name; an absent file reads as no rows. */
export function readBatchFile<F extends BatchFileName>(folder: string, file: F): RowOf<F>[] {
  const path = join(folder, file);
  if (!existsSync(path)) return [];
  const records = parseCsv(readFileSync(path, 'utf8'));
  if (records.length === 0) return [];
  const header = records[0];
  const columns = BATCH_COLUMNS[file] as readonly string[];
  const positions = columns.map((column) => {
    const position = header.indexOf(column);
    if (position < 0) throw new Error(`${file}: missing column ${column}`);
    return position;
  });
  const rows: RowOf<F>[] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r];
    if (record.length === 1 && record[0] === '') continue;
    const row: Record<string, string> = {};
    for (let c = 0; c < columns.length; c++) row[columns[c]] = record[positions[c]] ?? '';
    rows.push(row as RowOf<F>);
  }
  return rows;
}

/** Reads a batch folder (the CSV folder reader the oracle runs on). */
export function readBatchFolder(folder: string): Batch {
  return {
    regions: readBatchFile(folder, 'regions.csv'),
    institutions: readBatchFile(folder, 'institutions.csv'),
    persons: readBatchFile(folder, 'persons.csv'),
    relations: readBatchFile(folder, 'relations.csv'),
    settlements: readBatchFile(folder, 'settlements.csv'),
    settlementItems: readBatchFile(folder, 'settlement_items.csv'),
    priceCatalog: readBatchFile(folder, 'price_catalog.csv'),
    drugPurchases: readBatchFile(folder, 'drug_purchases.csv'),
    rules: readBatchFile(folder, 'rules.csv'),
  };
}
