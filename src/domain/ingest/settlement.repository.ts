import { DataSource } from 'typeorm';
import { SettlementItemRow, SettlementRow } from './settlement.types';

/**
 * Settlements by id, with their institution's region (for visibility). The global key
 * gives each settlement's month, so only that partition is read.
 */
export function loadSettlements(db: DataSource, settlementIds: readonly string[]): Promise<SettlementRow[]> {
  return db.query(
    `SELECT s.settlement_id, s.settled_on::text AS settled_on, s.person_id, s.institution_code, i.region_code,
            s.visit_type, s.admit_date::text AS admit_date, s.discharge_date::text AS discharge_date, s.settled_at,
            s.diagnosis_code, s.total_amount::text AS total_amount, s.fund_amount::text AS fund_amount,
            s.self_amount::text AS self_amount
     FROM settlement_key k
     JOIN settlement s ON s.settled_on = k.settled_on AND s.settlement_id = k.settlement_id
     JOIN institution i ON i.code = s.institution_code
     WHERE k.settlement_id = ANY($1::text[])`,
    [settlementIds],
  );
}

/** The items of settlements, in line order. */
export function loadSettlementItems(db: DataSource, settlementIds: readonly string[]): Promise<SettlementItemRow[]> {
  return db.query(
    `SELECT it.settlement_id, it.line_no, it.item_code, it.item_kind, it.item_name, it.quantity::text AS quantity,
            it.unit_price::text AS unit_price, it.amount::text AS amount, it.charged_on::text AS charged_on, it.trace_code
     FROM settlement_key k
     JOIN settlement_item it ON it.settled_on = k.settled_on AND it.settlement_id = k.settlement_id
     WHERE k.settlement_id = ANY($1::text[])
     ORDER BY it.settlement_id, it.line_no`,
    [settlementIds],
  );
}
