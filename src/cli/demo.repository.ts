/** The demo's own reads: which seeded users, clues and settlements it walks through. */
import { DataSource } from 'typeorm';
import { clueMachine } from '../domain/clue/clue.machine';

export async function userIdByUsername(db: DataSource, username: string): Promise<string> {
  const [row]: { id: string }[] = await db.query('SELECT id FROM app_user WHERE username = $1', [username]);
  if (!row) throw new Error(`demo: no user ${username}`);
  return row.id;
}

export async function departmentIdOf(db: DataSource, kind: string, regionCode: string): Promise<string> {
  const [row]: { id: string }[] = await db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [
    kind,
    regionCode,
  ]);
  if (!row) throw new Error(`demo: no ${kind} department in ${regionCode}`);
  return row.id;
}

export async function cluesInState(db: DataSource, state: keyof typeof clueMachine.states): Promise<number> {
  const [{ n }]: { n: number }[] = await db.query('SELECT count(*)::int AS n FROM clue WHERE status = $1', [state]);
  return n;
}

export interface DemoClue {
  id: string;
  code: string;
  model: string | null;
  institution_code: string | null;
  department_region: string;
}

/** Routed 医保 clues of the collision, largest first; clues of `preferModel` first. */
export function routedInsuranceClues(db: DataSource, preferModel: string, limit: number): Promise<DemoClue[]> {
  return db.query(
    `SELECT c.id, c.code, c.model, c.institution_code, d.region_code AS department_region FROM clue c
     JOIN department d ON d.id = c.owner_department_id
     WHERE c.status = $1 AND d.kind = 'MEDICAL_INSURANCE' AND c.source = 'DATA_COLLISION'
     ORDER BY (c.model = $2) DESC, c.amount_involved DESC, c.code LIMIT $3`,
    [clueMachine.events.ROUTE.to, preferModel, limit],
  );
}

export const hitIdsOfClue = async (db: DataSource, clueId: string): Promise<string[]> =>
  (await db.query('SELECT id FROM collision_hit WHERE clue_id = $1 ORDER BY amount_involved DESC, id', [clueId])).map(
    (r: { id: string }) => r.id,
  );

/** A settlement behind one of the clue's hits, with its lines, as the batch files carry them. */
export async function settlementOfClue(
  db: DataSource,
  clueId: string,
): Promise<{ settlement: Record<string, string | null>; items: Record<string, string | null>[] } | null> {
  const [settlement] = await db.query(
    `SELECT s.settlement_id, s.person_id, s.institution_code, s.visit_type, s.diagnosis_code, s.dip_group,
            (s.discharge_date - s.admit_date)::text AS stay_days,
            s.total_amount, s.fund_amount, s.self_amount, s.doctor_id
     FROM collision_hit h JOIN settlement s ON s.settlement_id = h.settlement_ids[1]
     WHERE h.clue_id = $1 ORDER BY h.amount_involved DESC, h.id LIMIT 1`,
    [clueId],
  );
  if (!settlement) return null;
  const items = await db.query(
    `SELECT line_no::text, item_code, item_kind, item_name, quantity, unit_price, amount, trace_code
     FROM settlement_item WHERE settlement_id = $1 ORDER BY line_no`,
    [settlement.settlement_id],
  );
  return { settlement, items };
}
