/**
 * The SQL of the 回头看 runner (recheck-runner.ts): which rechecks are due or waiting for
 * their collision run, what a recheck re-runs, and what its run found.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { SqlParams } from '../../core/sql';
import { RecheckStatus } from './recheck.machine';

type Db = DataSource | EntityManager;

/** What a recheck needs to know about itself, its problem and its run, dates as YYYY-MM-DD. */
export interface RecheckPlan {
  id: string;
  problem_id: string;
  problem_code: string;
  problem_status: string;
  due_on: string;
  /** The day after the problem's closure (its Asia/Shanghai date), else after the recheck was scheduled. */
  window_from: string;
  institution_code: string | null;
  institution_name: string | null;
  institution_region: string | null;
  responsible_department_id: string;
  supervising_department_id: string;
  run_id: string | null;
  run_status: string | null;
  window_to: string | null;
}

const PLAN_SELECT = `
  SELECT r.id, r.problem_id, p.code AS problem_code, p.status AS problem_status, r.due_on::text AS due_on,
         ((coalesce(p.closed_at, r.created_at) AT TIME ZONE '${TIME_ZONE}')::date + 1)::text AS window_from,
         r.window_to::text AS window_to,
         p.institution_code, i.name AS institution_name, i.region_code AS institution_region,
         p.responsible_department_id, p.supervising_department_id, r.run_id, cr.status AS run_status
  FROM recheck r
  JOIN problem p ON p.id = r.problem_id
  LEFT JOIN institution i ON i.code = p.institution_code
  LEFT JOIN collision_run cr ON cr.id = r.run_id`;

/** Rechecks in `states` due on or before `today`, the earliest first (not locked: each is claimed on its own). */
export async function dueRecheckIds(
  db: Db,
  states: readonly RecheckStatus[],
  today: string,
  limit: number,
): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM recheck WHERE status = ANY($1::text[]) AND due_on <= $2::date ORDER BY due_on, id LIMIT $3`,
    [states, today, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Running rechecks whose collision run has ended (or that have none): the ones the sweep has
 * something to do for — except those whose run failed again after `maxReruns` reruns (they
 * wait for someone to look at the failed runs).
 */
export async function runningRecheckIds(
  db: Db,
  states: readonly RecheckStatus[],
  limit: number,
  maxReruns: number,
): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT r.id FROM recheck r LEFT JOIN collision_run cr ON cr.id = r.run_id
     WHERE r.status = ANY($1::text[]) AND (cr.id IS NULL OR cr.status IN ('SUCCEEDED', 'FAILED'))
       AND NOT (cr.status = 'FAILED' AND (SELECT count(*) FROM state_change sc
                                          WHERE sc.entity_type = 'Recheck' AND sc.entity_id = r.id
                                            AND sc.event = 'RERUN') >= $3)
     ORDER BY r.due_on, r.id LIMIT $2`,
    [states, limit, maxReruns],
  );
  return rows.map((r) => r.id);
}

/**
 * Locks one recheck in `states` (skipping it when another sweep holds it) and reads its plan;
 * null when it is locked, gone or no longer in those states.
 */
export async function lockRecheckPlan(
  m: EntityManager,
  id: string,
  states: readonly RecheckStatus[],
): Promise<RecheckPlan | null> {
  const rows: RecheckPlan[] = await m.query(
    `${PLAN_SELECT} WHERE r.id = $1 AND r.status = ANY($2::text[]) FOR UPDATE OF r SKIP LOCKED`,
    [id, states],
  );
  return rows[0] ?? null;
}

/**
 * The models behind a problem's hits: those of the hits on its clue and on the clues of its
 * case. Empty when it has none (a problem from a self-check, an inspection or by hand).
 */
export async function problemModels(db: Db, problemId: string): Promise<string[]> {
  const rows: { model: string }[] = await db.query(
    `SELECT DISTINCT h.model FROM problem p
     JOIN collision_hit h ON h.clue_id = p.clue_id
                          OR h.clue_id IN (SELECT cc.clue_id FROM case_clue cc WHERE cc.case_id = p.case_id)
     WHERE p.id = $1 ORDER BY h.model`,
    [problemId],
  );
  return rows.map((r) => r.model);
}

/** The hits a recheck's run found for the institution: how many, their total amount, their models. */
export async function runHitsOfInstitution(
  db: Db,
  runId: string,
  institutionCode: string,
): Promise<{ hits: number; amount: string; models: string[] }> {
  const [row]: { hits: number; amount: string; models: string[] }[] = await db.query(
    `SELECT count(*)::int AS hits, coalesce(sum(amount_involved), 0)::text AS amount,
            coalesce(array_agg(DISTINCT model ORDER BY model) FILTER (WHERE model IS NOT NULL), '{}') AS models
     FROM collision_hit WHERE last_run_id = $1 AND institution_code = $2`,
    [runId, institutionCode],
  );
  return row;
}

/** Gives the run's hits of the institution that have no clue yet to the RECHECK clue. Returns how many. */
export async function attachRunHitsToClue(
  m: EntityManager,
  runId: string,
  institutionCode: string,
  clueId: string,
): Promise<number> {
  const rows: unknown[] = await m.query(
    `UPDATE collision_hit SET clue_id = $3
     WHERE last_run_id = $1 AND institution_code = $2 AND clue_id IS NULL RETURNING id`,
    [runId, institutionCode, clueId],
  );
  return rows.length;
}

/**
 * Earlier recurrences of the institution within `months` before `dueOn`: RECURRED rechecks of
 * any of its problems, dated by their due date (the recheck's date in the application's time).
 */
export async function earlierRecurrences(
  db: Db,
  recheckId: string,
  institutionCode: string,
  dueOn: string,
  months: number,
): Promise<number> {
  const [row]: { n: number }[] = await db.query(
    `SELECT count(*)::int AS n FROM recheck r JOIN problem p ON p.id = r.problem_id
     WHERE p.institution_code = $2 AND r.status = 'RECURRED' AND r.id <> $1
       AND r.due_on > ($3::date - make_interval(months => $4::int))::date AND r.due_on <= $3::date`,
    [recheckId, institutionCode, dueOn, months],
  );
  return row.n;
}

/** A setting of the institution's region as a number (the longest prefix wins), else `fallback`. */
export async function numericRegionSetting(db: Db, regionCode: string, key: string, fallback: number): Promise<number> {
  const rows: { value: unknown }[] = await db.query(
    `SELECT value FROM region_setting WHERE $1 LIKE region_prefix || '%' AND key = $2
     ORDER BY length(region_prefix) DESC LIMIT 1`,
    [regionCode, key],
  );
  const value = Number(rows[0]?.value);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `SELECT $n::uuid`: the candidates of a bulk transition of one row. */
export function oneRow(params: SqlParams, id: string): string {
  return `SELECT ${params.add(id, 'uuid')}`;
}
