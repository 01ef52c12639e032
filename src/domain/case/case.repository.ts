/**
 * Every SQL statement of cases (案件) and their content: sanctions (处理处罚), rectification
 * items (整改事项: read from the measures of the case's CASE problems), links to other cases (关联案件) and the clues they were filed from. Reads
 * that a caller makes carry the visibility predicate of src/policy; state, version and
 * timeline are written by applyEvent/recordCreation only (src/workflow/transition.ts).
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { amountRangeSql, dateRangeSql } from '../../core/filters';
import { Actor, caseVisibleSql, clueVisibleSql, rectificationVisibleSql } from '../../policy';
import { CLUE_SELECT } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { CaseStatus } from './case.machine';
import { CaseRelationKind, CaseRelationRow, CaseRow, RectificationRow, SanctionKind, SanctionRow } from './case.types';
import { measureMachine } from '../problem/measure.machine';
import { preparedRead } from '../../db/prepared';

type Db = DataSource | EntityManager;

/** A row lock on a case, so that its content cannot slip past a guard being evaluated concurrently. */
export type RowLock = 'FOR NO KEY UPDATE' | 'FOR SHARE';

/**
 * The case rectification items, aliased `r`: the measures of problems sourced from a case (source
 * CASE), in the shape of RectificationRow — DONE once ACCEPTED (the state the measure machine's
 * COMPLETE and ACCEPT reach), the acceptance as the completion, the acceptance note (else the
 * report) as the note, the problem's responsible department as the owner department. The date
 * column is read as text: node-postgres would turn it into a local-midnight Date.
 */
function rectificationsFrom(params: SqlParams): string {
  const done = params.add(measureMachine.events.COMPLETE.to);
  return `(SELECT rm.id, p.case_id, rm.problem_id, rm.description, p.responsible_department_id AS owner_department_id,
      rm.deadline::text AS deadline, CASE WHEN rm.status = ${done} THEN 'DONE' ELSE 'OPEN' END AS status,
      CASE WHEN rm.status = ${done} THEN rm.accepted_at END AS completed_at,
      CASE WHEN rm.status = ${done} THEN rm.accepted_by END AS completed_by,
      coalesce(rm.acceptance_note, rm.report) AS note, rm.created_at, rm.version
    FROM rectification_measure rm JOIN problem p ON p.id = rm.problem_id
    WHERE p.source = 'CASE' AND p.case_id IS NOT NULL) r`;
}

// ---------------------------------------------------------------------------------------
// Cases.
// ---------------------------------------------------------------------------------------

export async function findVisibleCase(
  db: Db,
  actor: Actor,
  caseId: string,
  lock?: RowLock,
): Promise<CaseRow | undefined> {
  const params = new SqlParams([caseId]);
  const rows: CaseRow[] = await db.query(
    `SELECT k.* FROM "case" k WHERE k.id = $1 AND ${caseVisibleSql(actor, params)} ${lock ? `${lock} OF k` : ''}`,
    params.values,
  );
  return rows[0];
}

/**
 * A case locked for an event, whoever may see it: for the case's timeline entry of an event
 * of one of its parts (a rectification item completed by a department that may not see the case).
 */
export async function lockCase(m: EntityManager, caseId: string): Promise<CaseRow | undefined> {
  const rows: CaseRow[] = await m.query('SELECT k.* FROM "case" k WHERE k.id = $1 FOR NO KEY UPDATE OF k', [caseId]);
  return rows[0];
}

/** Visible cases by id, for batch loading (ids not visible are absent). */
export function visibleCasesByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<CaseRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT k.* FROM "case" k WHERE k.id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`,
    params.values,
  );
}

/** For Clue.case: the visible cases of clues, each with the `clue_id` it was asked for. */
export function visibleCasesByClueIds(
  db: Db,
  actor: Actor,
  clueIds: readonly string[],
): Promise<(CaseRow & { clue_id: string })[]> {
  const params = new SqlParams([clueIds]);
  return preparedRead(
    db,
    `SELECT k.*, kc.clue_id FROM case_clue kc JOIN "case" k ON k.id = kc.case_id
     WHERE kc.clue_id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`,
    params.values,
  );
}

export interface CaseListFilter {
  status?: readonly CaseStatus[] | null;
  ownerDepartmentId?: string | null;
  /** LIKE prefix of the region codes (src/core/regions.ts `codePrefix`); '' for everywhere. */
  regionPrefix?: string | null;
  model?: string | null;
  institutionCode?: string | null;
  personId?: string | null;
  campaignId?: string | null;
  leadInvestigatorId?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
  /** Civil dates (TIME_ZONE), inclusive. */
  filedFrom?: string | null;
  filedTo?: string | null;
  closedFrom?: string | null;
  closedTo?: string | null;
}

/** A predicate over the case's clues (aliased `fc`). */
const withClue = (k: string, predicate: string): string =>
  `EXISTS (SELECT 1 FROM case_clue fkc JOIN clue fc ON fc.id = fkc.clue_id WHERE fkc.case_id = ${k}.id AND ${predicate})`;

/** The visible cases, newest first. */
export function listVisibleCases(
  db: Db,
  actor: Actor,
  filter: CaseListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CaseRow>> {
  const params = new SqlParams();
  const where = [caseVisibleSql(actor, params)];
  if (filter.status?.length) where.push(`k.status = ANY(${params.add(filter.status)})`);
  if (filter.ownerDepartmentId) where.push(`k.owner_department_id = ${params.add(filter.ownerDepartmentId)}`);
  if (filter.regionPrefix) where.push(`k.region_code LIKE ${params.add(`${filter.regionPrefix}%`)}`);
  if (filter.model) where.push(withClue('k', `fc.model = ${params.add(filter.model)}`));
  if (filter.institutionCode) where.push(withClue('k', `fc.institution_code = ${params.add(filter.institutionCode)}`));
  if (filter.campaignId) where.push(withClue('k', `fc.campaign_id = ${params.add(filter.campaignId)}`));
  if (filter.personId) {
    const person = params.add(filter.personId);
    where.push(`(${withClue('k', `EXISTS (SELECT 1 FROM clue_person fcp WHERE fcp.clue_id = fc.id AND fcp.person_id = ${person})`)}
      OR EXISTS (SELECT 1 FROM sanction fs WHERE fs.case_id = k.id AND fs.person_id = ${person}))`);
  }
  if (filter.leadInvestigatorId) where.push(`k.lead_investigator_id = ${params.add(filter.leadInvestigatorId)}`);
  if (filter.minAmount || filter.maxAmount) {
    const total = `(SELECT coalesce(sum(fc.amount_involved), 0) FROM case_clue fkc JOIN clue fc ON fc.id = fkc.clue_id WHERE fkc.case_id = k.id)`;
    where.push(...amountRangeSql(params, total, { min: filter.minAmount, max: filter.maxAmount }));
  }
  where.push(...dateRangeSql(params, 'k.filed_at', { from: filter.filedFrom, to: filter.filedTo }, 'filed'));
  where.push(...dateRangeSql(params, 'k.closed_at', { from: filter.closedFrom, to: filter.closedTo }, 'closed'));
  return paginate<TimeOrderedRow<CaseRow>, CaseRow>({
    ...timeOrdered<CaseRow>({ table: '"case"', alias: 'k' }),
    query: (sql, values) => db.query(sql, values),
    where,
    params,
    first,
    after,
    map: (row) => row,
  });
}

/** 立案: a new case in its initial state, with a code from the case sequence (AJ<year>-000001). */
export async function insertCase(
  m: EntityManager,
  row: Pick<
    CaseRow,
    'title' | 'status' | 'owner_department_id' | 'region_code' | 'lead_investigator_id' | 'created_by'
  >,
): Promise<CaseRow> {
  const params = new SqlParams();
  const [inserted]: CaseRow[] = await m.query(
    `INSERT INTO "case" (code, title, status, owner_department_id, region_code, lead_investigator_id, created_by)
     VALUES ('AJ' || to_char(now() AT TIME ZONE ${params.add(TIME_ZONE)}, 'YYYY') || '-' || lpad(nextval('case_code_seq')::text, 6, '0'),
             ${params.add(row.title)}, ${params.add(row.status)}, ${params.add(row.owner_department_id)},
             ${params.add(row.region_code)}, ${params.add(row.lead_investigator_id)}, ${params.add(row.created_by)})
     RETURNING *`,
    params.values,
  );
  return inserted;
}

export async function insertCaseClues(m: EntityManager, caseId: string, clueIds: readonly string[]): Promise<void> {
  await m.query('INSERT INTO case_clue (case_id, clue_id) SELECT $1, unnest($2::uuid[])', [caseId, clueIds]);
}

/** The visible clues of `clueIds`, in that order, locked: a clue filed concurrently is then seen as filed. */
export function lockVisibleClues(m: EntityManager, actor: Actor, clueIds: readonly string[]): Promise<ClueRow[]> {
  const params = new SqlParams([clueIds]);
  return m.query(
    `SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}
     ORDER BY array_position($1::uuid[], c.id) FOR NO KEY UPDATE OF c`,
    params.values,
  );
}

export async function isActiveUserOf(m: EntityManager, userId: string, departmentId: string): Promise<boolean> {
  const rows: unknown[] = await m.query('SELECT 1 FROM app_user WHERE id = $1 AND department_id = $2 AND active', [
    userId,
    departmentId,
  ]);
  return rows.length > 0;
}

export async function departmentExists(m: EntityManager, departmentId: string): Promise<boolean> {
  const rows: unknown[] = await m.query('SELECT 1 FROM department WHERE id = $1', [departmentId]);
  return rows.length > 0;
}

/**
 * What the DECIDE and CLOSE guards read: the case's sanctions, and what is still to rectify —
 * the measures in `openMeasureStates` of the problems sourced from the case (source CASE),
 * which are its rectification items.
 */
export async function caseContentCounts(
  m: EntityManager,
  caseId: string,
  openMeasureStates: readonly string[],
): Promise<{ sanctions: number; openRectifications: number }> {
  const [counts]: { sanctions: number; open_rectifications: number }[] = await m.query(
    `SELECT (SELECT count(*) FROM sanction WHERE case_id = $1)::int AS sanctions,
            (SELECT count(*) FROM rectification_measure rm JOIN problem p ON p.id = rm.problem_id
             WHERE p.case_id = $1 AND p.source = 'CASE' AND rm.status = ANY($2::text[]))::int AS open_rectifications`,
    [caseId, openMeasureStates],
  );
  return { sanctions: counts.sanctions, openRectifications: counts.open_rectifications };
}

// ---------------------------------------------------------------------------------------
// Batch reads for the Case fields (one query per field and request, through dataloaders).
// ---------------------------------------------------------------------------------------

export function sanctionsByCaseIds(db: Db, caseIds: readonly string[]): Promise<SanctionRow[]> {
  return db.query('SELECT * FROM sanction WHERE case_id = ANY($1::uuid[]) ORDER BY decided_at, id', [caseIds]);
}

export function rectificationsByCaseIds(db: Db, caseIds: readonly string[]): Promise<RectificationRow[]> {
  const params = new SqlParams([caseIds]);
  return db.query(
    `SELECT r.* FROM ${rectificationsFrom(params)} WHERE r.case_id = ANY($1::uuid[]) ORDER BY r.created_at, r.id`,
    params.values,
  );
}

/** The related cases the actor may see, each with the case it was asked for (`relation_of`). */
export function visibleRelationsByCaseIds(
  db: Db,
  actor: Actor,
  caseIds: readonly string[],
): Promise<CaseRelationRow[]> {
  const params = new SqlParams([caseIds]);
  return db.query(
    `SELECT k.*, cr.case_id AS relation_of, cr.kind AS relation_kind
     FROM case_relation cr JOIN "case" k ON k.id = cr.other_case_id
     WHERE cr.case_id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}
     ORDER BY cr.created_at, k.id`,
    params.values,
  );
}

/** The clues of the cases that the actor may see, each with its `case_id`. */
export function visibleCluesByCaseIds(
  db: Db,
  actor: Actor,
  caseIds: readonly string[],
): Promise<(ClueRow & { case_id: string })[]> {
  const params = new SqlParams([caseIds]);
  return db.query(
    `SELECT kc.case_id, ${CLUE_SELECT} FROM case_clue kc JOIN clue c ON c.id = kc.clue_id
     WHERE kc.case_id = ANY($1::uuid[]) AND ${clueVisibleSql(actor, params)}
     ORDER BY c.created_at, c.id`,
    params.values,
  );
}

// ---------------------------------------------------------------------------------------
// Sanctions.
// ---------------------------------------------------------------------------------------

/** Whether the target of a sanction exists: a person (by person id) or else an institution (by code). */
export async function sanctionTargetExists(
  m: EntityManager,
  target: { personId: string | null; institutionCode: string | null },
): Promise<boolean> {
  const [row]: { found: boolean }[] = await m.query(
    `SELECT CASE WHEN $1::text IS NOT NULL THEN EXISTS (SELECT 1 FROM person WHERE person_id = $1)
                 ELSE EXISTS (SELECT 1 FROM institution WHERE code = $2) END AS found`,
    [target.personId, target.institutionCode],
  );
  return row.found;
}

export async function insertSanction(
  m: EntityManager,
  row: Pick<SanctionRow, 'id' | 'case_id' | 'person_id' | 'institution_code' | 'amount' | 'note' | 'decided_by'> & {
    kind: SanctionKind;
  },
): Promise<SanctionRow> {
  const [inserted]: SanctionRow[] = await m.query(
    `INSERT INTO sanction (id, case_id, kind, person_id, institution_code, amount, note, decided_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [row.id, row.case_id, row.kind, row.person_id, row.institution_code, row.amount, row.note, row.decided_by],
  );
  return inserted;
}

/** Visible sanctions by id (a sanction is visible with its case). */
export function visibleSanctionsByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<SanctionRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT s.* FROM sanction s JOIN "case" k ON k.id = s.case_id
     WHERE s.id = ANY($1::uuid[]) AND ${caseVisibleSql(actor, params)}`,
    params.values,
  );
}

// ---------------------------------------------------------------------------------------
// Rectification items (written as measures by the problem repository's insertMeasure).
// ---------------------------------------------------------------------------------------

/** A rectification item the actor may see (with its case, or as the rectifying department). */
export async function findVisibleRectification(
  db: Db,
  actor: Actor,
  id: string,
): Promise<RectificationRow | undefined> {
  const params = new SqlParams([id]);
  const rows: RectificationRow[] = await db.query(
    `SELECT r.* FROM ${rectificationsFrom(params)} WHERE r.id = $1 AND ${rectificationVisibleSql(actor, params)}`,
    params.values,
  );
  return rows[0];
}

// ---------------------------------------------------------------------------------------
// Relations.
// ---------------------------------------------------------------------------------------

/** Links two cases both ways; linking again with another kind changes the kind. */
export async function upsertRelation(
  m: EntityManager,
  caseId: string,
  otherCaseId: string,
  kind: CaseRelationKind,
): Promise<void> {
  await m.query(
    `INSERT INTO case_relation (case_id, other_case_id, kind) VALUES ($1, $2, $3), ($2, $1, $3)
     ON CONFLICT (case_id, other_case_id) DO UPDATE SET kind = EXCLUDED.kind`,
    [caseId, otherCaseId, kind],
  );
}
