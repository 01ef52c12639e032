/**
 * The SQL of 回头看 rows that the problem workflow needs: scheduling (insert) and reading per
 * problem. The recheck runner (which moves a recheck through START/PASS/RECUR) has its own
 * statements beside this file.
 */
import { DataSource, EntityManager } from 'typeorm';
import type { RecheckTable } from '../../db/tables';
import type { Recommendation, RecheckStatus } from './recheck.machine';

type Db = DataSource | EntityManager;

export type RecheckRow = Omit<RecheckTable, 'status' | 'recommendation'> & {
  status: RecheckStatus;
  recommendation: Recommendation | null;
};

/** A new SCHEDULED recheck (its creation is recorded by the caller through the recheck machine). */
export async function insertRecheck(
  m: EntityManager,
  r: { problemId: string; dueOn: string; manual: boolean; createdBy: string | null },
): Promise<RecheckRow> {
  const [row]: RecheckRow[] = await m.query(
    `INSERT INTO recheck (problem_id, due_on, manual, status, created_by)
     VALUES ($1, $2, $3, 'SCHEDULED', $4) RETURNING *`,
    [r.problemId, r.dueOn, r.manual, r.createdBy],
  );
  return row;
}

/** The rechecks of problems, by due date. */
export function rechecksByProblemIds(db: Db, problemIds: readonly string[]): Promise<RecheckRow[]> {
  return db.query('SELECT * FROM recheck WHERE problem_id = ANY($1::uuid[]) ORDER BY due_on, created_at, id', [
    problemIds,
  ]);
}

/** Rechecks by id. */
export function rechecksByIds(db: Db, ids: readonly string[]): Promise<RecheckRow[]> {
  return db.query('SELECT * FROM recheck WHERE id = ANY($1::uuid[])', [ids]);
}
