import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './csv';

/**
 * A batch (数据批次) as DATA-DICTIONARY.md defines it: one CSV file per fact or reference
 * table, fields kept as the text that was in the file (empty string = NULL), so that the
 * oracle parses money, decimals and timestamps itself exactly as the ingest must.
 */
export const BATCH_COLUMNS = {
  'regions.csv': ['code', 'name', 'level', 'parent_code'],
  'institutions.csv': ['code', 'name', 'kind', 'level', 'ownership', 'region_code'],
  'persons.csv': [
    'person_id',
    'id_number',
    'name',
    'gender',
    'birth_date',
    'region_code',
    'death_date',
    'is_public_official',
    'employer_code',
    'bank_account',
  ],
  'relations.csv': ['person_a', 'person_b', 'kind'],
  'settlements.csv': [
    'settlement_id',
    'person_id',
    'institution_code',
    'visit_type',
    'admit_date',
    'discharge_date',
    'settled_at',
    'diagnosis_code',
    'dip_group',
    'total_amount',
    'fund_amount',
    'self_amount',
    'payee_account',
    'doctor_id',
  ],
  'settlement_items.csv': [
    'settlement_id',
    'line_no',
    'item_code',
    'item_kind',
    'item_name',
    'quantity',
    'unit_price',
    'amount',
    'charged_on',
    'trace_code',
  ],
  'price_catalog.csv': [
    'item_code',
    'item_kind',
    'item_name',
    'region_code',
    'max_unit_price',
    'max_daily_quantity',
    'max_monthly_quantity',
    'includes',
  ],
  'drug_purchases.csv': ['purchase_id', 'institution_code', 'item_code', 'quantity', 'purchased_on'],
} as const;

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

export interface Batch {
  regions: RegionRow[];
  institutions: InstitutionRow[];
  persons: PersonRow[];
  relations: RelationRow[];
  settlements: SettlementRow[];
  settlementItems: SettlementItemRow[];
  priceCatalog: PriceCatalogRow[];
  drugPurchases: DrugPurchaseRow[];
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
  };
}
