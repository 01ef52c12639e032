/**
 * Every SQL statement of problems (问题清单) and their rectification measures (整改措施). State
 * changes are not here: they go through the problem and measure machines (applyEvent,
 * applySystemEventInBulk), which this module feeds with rows and set-based selections.
 */
import { amountRangeSql, dateRangeSql, regionSql } from '../../core/filters';
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import type { ProblemTable, RectificationMeasureTable } from '../../db/tables';
import { Actor, CASE_WORKERS, problemVisibleSql } from '../../policy';
import { statesFiring } from '../../workflow/machine';
import { measureMachine, MeasureStatus } from './measure.machine';
import { ProblemSource, ProblemStatus } from './problem.machine';

type Db = DataSource | EntityManager;

export type ProblemRow = Omit<ProblemTable, 'status' | 'source'> & { status: ProblemStatus; source: ProblemSource };
export type MeasureRow = Omit<RectificationMeasureTable, 'status'> & { status: MeasureStatus };

/** Visible problems by id (ids not visible are absent); `lock` serialises concurrent changes. */
export function visibleProblems(
  db: Db,
  actor: Actor,
  ids: readonly string[],
  lock?: 'FOR NO KEY UPDATE',
): Promise<ProblemRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT p.* FROM problem p WHERE p.id = ANY($1::uuid[]) AND ${problemVisibleSql(actor, params)}
     ${lock ? `${lock} OF p` : ''}`,
    params.values,
  );
}

/** Problems by id, whoever asks (for the system and for measures already checked). */
export function problemsByIds(db: Db, ids: readonly string[], lock?: 'FOR NO KEY UPDATE'): Promise<ProblemRow[]> {
  return db.query(`SELECT * FROM problem WHERE id = ANY($1::uuid[]) ${lock ?? ''}`, [ids]);
}

/** Visible problems of clues (Clue.problems), oldest first. */
export function visibleProblemsByClueIds(db: Db, actor: Actor, clueIds: readonly string[]): Promise<ProblemRow[]> {
  const params = new SqlParams([clueIds]);
  return db.query(
    `SELECT p.* FROM problem p WHERE p.clue_id = ANY($1::uuid[]) AND ${problemVisibleSql(actor, params)}
     ORDER BY p.created_at, p.id`,
    params.values,
  );
}

export interface ProblemListFilter {
  status?: ProblemStatus[] | null;
  source?: ProblemSource | null;
  institutionCode?: string | null;
  responsibleDepartmentId?: string | null;
  supervisingDepartmentId?: string | null;
  campaignId?: string | null;
  overdue?: boolean | null;
  regionCode?: string | null;
  category?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
  caseId?: string | null;
  clueId?: string | null;
  inspectionId?: string | null;
  /** Civil dates (TIME_ZONE), inclusive. */
  createdFrom?: string | null;
  createdTo?: string | null;
  closedFrom?: string | null;
  closedTo?: string | null;
}

/** SQL: an OPEN measure of problem `p` whose deadline (a date in TIME_ZONE) has passed. */
const overdueMeasureExists = (params: SqlParams, p = 'p') =>
  `EXISTS (SELECT 1 FROM rectification_measure om WHERE om.problem_id = ${p}.id
     AND om.status = ANY(${params.add(statesFiring(measureMachine, 'MARK_OVERDUE'), 'text[]')})
     AND om.deadline < (now() AT TIME ZONE ${params.add(TIME_ZONE)})::date)`;

/** Problems the actor may see, newest first. */
export function problemPage(
  db: Db,
  actor: Actor,
  filter: ProblemListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<ProblemRow>> {
  const params = new SqlParams();
  const where = [problemVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter.status?.length) where.push(`p.status = ANY(${p(filter.status)})`);
  if (filter.source) where.push(`p.source = ${p(filter.source)}`);
  if (filter.institutionCode) where.push(`p.institution_code = ${p(filter.institutionCode)}`);
  if (filter.responsibleDepartmentId) where.push(`p.responsible_department_id = ${p(filter.responsibleDepartmentId)}`);
  if (filter.supervisingDepartmentId) where.push(`p.supervising_department_id = ${p(filter.supervisingDepartmentId)}`);
  if (filter.campaignId) where.push(`p.campaign_id = ${p(filter.campaignId)}`);
  if (filter.regionCode) where.push(regionSql(params, 'p.region_code', filter.regionCode));
  if (filter.overdue != null) where.push(`${filter.overdue ? '' : 'NOT '}${overdueMeasureExists(params)}`);
  if (filter.category) where.push(`p.category = ${p(filter.category)}`);
  where.push(...amountRangeSql(params, 'p.amount', { min: filter.minAmount, max: filter.maxAmount }));
  if (filter.caseId) where.push(`p.case_id = ${p(filter.caseId)}`);
  if (filter.clueId) where.push(`p.clue_id = ${p(filter.clueId)}`);
  if (filter.inspectionId) where.push(`p.inspection_id = ${p(filter.inspectionId)}`);
  where.push(...dateRangeSql(params, 'p.created_at', { from: filter.createdFrom, to: filter.createdTo }, 'created'));
  where.push(...dateRangeSql(params, 'p.closed_at', { from: filter.closedFrom, to: filter.closedTo }, 'closed'));
  return paginate<TimeOrderedRow<ProblemRow>, ProblemRow>({
    ...timeOrdered<ProblemRow>({ table: 'problem', alias: 'p' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: ({ time_us: _t, ...row }) => row as ProblemRow,
  });
}

/** A new problem, OPEN, with its code WT<year>-NNNNNN (the year in TIME_ZONE). */
export async function insertProblem(
  m: EntityManager,
  p: Pick<
    ProblemRow,
    | 'source'
    | 'category'
    | 'description'
    | 'amount'
    | 'institution_code'
    | 'subject_department_id'
    | 'responsible_department_id'
    | 'supervising_department_id'
    | 'region_code'
    | 'case_id'
    | 'clue_id'
    | 'supervision_item_id'
    | 'campaign_id'
    | 'inspection_id'
    | 'created_by'
  >,
  status: ProblemStatus,
): Promise<ProblemRow> {
  const [row]: ProblemRow[] = await m.query(
    `INSERT INTO problem (code, source, category, description, amount, institution_code, subject_department_id,
       responsible_department_id, supervising_department_id, region_code, case_id, clue_id, supervision_item_id,
       campaign_id, inspection_id, created_by, status)
     VALUES ('WT' || to_char(now() AT TIME ZONE $17, 'YYYY') || '-' || lpad(nextval('problem_code_seq')::text, 6, '0'),
       $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     RETURNING *`,
    [
      p.source,
      p.category,
      p.description,
      p.amount,
      p.institution_code,
      p.subject_department_id,
      p.responsible_department_id,
      p.supervising_department_id,
      p.region_code,
      p.case_id,
      p.clue_id,
      p.supervision_item_id,
      p.campaign_id,
      p.inspection_id,
      p.created_by,
      status,
      TIME_ZONE,
    ],
  );
  return row;
}

/** The region a problem belongs to: its institution's, else its subject department's, else the responsible one's. */
export async function problemRegion(
  m: EntityManager,
  institutionCode: string | null,
  subjectDepartmentId: string | null,
  responsibleDepartmentId: string,
): Promise<string | null> {
  const [row]: { region_code: string | null }[] = await m.query(
    `SELECT coalesce((SELECT region_code FROM institution WHERE code = $1),
                     (SELECT region_code FROM department WHERE id = $2),
                     (SELECT region_code FROM department WHERE id = $3)) AS region_code`,
    [institutionCode, subjectDepartmentId, responsibleDepartmentId],
  );
  return row?.region_code ?? null;
}

/** Whether an institution exists (a problem's subject). */
export async function institutionExists(m: EntityManager, code: string): Promise<boolean> {
  const rows: unknown[] = await m.query('SELECT 1 FROM institution WHERE code = $1', [code]);
  return rows.length > 0;
}

/**
 * The problem that collects a case's rectification items for one department (addRectification):
 * sourced from the case, that department responsible, the case's owner supervising, in one of
 * `states` (those where measures may still be added); the oldest, locked.
 */
export async function findCaseProblem(
  m: EntityManager,
  key: { caseId: string; responsibleDepartmentId: string; supervisingDepartmentId: string },
  states: readonly ProblemStatus[],
): Promise<ProblemRow | undefined> {
  const rows: ProblemRow[] = await m.query(
    `SELECT * FROM problem
     WHERE source = 'CASE' AND case_id = $1 AND responsible_department_id = $2 AND supervising_department_id = $3
       AND status = ANY($4::text[])
     ORDER BY created_at, id LIMIT 1 FOR NO KEY UPDATE`,
    [key.caseId, key.responsibleDepartmentId, key.supervisingDepartmentId, states],
  );
  return rows[0];
}

/** A new measure of a problem (its creation is recorded by the caller through the machine). */
export async function insertMeasure(
  m: EntityManager,
  measure: { id?: string; problemId: string; description: string; deadline: string },
  status: MeasureStatus,
): Promise<MeasureRow> {
  const [row]: MeasureRow[] = await m.query(
    // clock_timestamp(): measures added in one transaction keep the order they were given in.
    `INSERT INTO rectification_measure (id, problem_id, description, deadline, status, created_at)
     VALUES (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, clock_timestamp()) RETURNING *`,
    [measure.id ?? null, measure.problemId, measure.description, measure.deadline, status],
  );
  return row;
}

/** Measures by id, with their problem locked when `lock` is given. */
export function measuresByIds(db: Db, ids: readonly string[], lock?: 'FOR NO KEY UPDATE'): Promise<MeasureRow[]> {
  return db.query(
    `SELECT * FROM rectification_measure WHERE id = ANY($1::uuid[]) ORDER BY created_at, id ${lock ?? ''}`,
    [ids],
  );
}

/** Measures of visible problems, by measure id. */
export function visibleMeasures(db: Db, actor: Actor, ids: readonly string[]): Promise<MeasureRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT r.* FROM rectification_measure r JOIN problem p ON p.id = r.problem_id
     WHERE r.id = ANY($1::uuid[]) AND ${problemVisibleSql(actor, params)}`,
    params.values,
  );
}

/** The measures of problems, oldest first. */
export function measuresByProblemIds(db: Db, problemIds: readonly string[]): Promise<MeasureRow[]> {
  return db.query('SELECT * FROM rectification_measure WHERE problem_id = ANY($1::uuid[]) ORDER BY created_at, id', [
    problemIds,
  ]);
}

/** What CLOSE's guard reads: how many measures, how many not ACCEPTED (in the caller's transaction). */
export async function measureCounts(
  m: EntityManager,
  problemId: string,
): Promise<{ measures: number; openMeasures: number }> {
  const [row]: { measures: number; open: number }[] = await m.query(
    `SELECT count(*)::int AS measures, count(*) FILTER (WHERE status <> $2)::int AS open
     FROM rectification_measure WHERE problem_id = $1`,
    [problemId, measureMachine.events.ACCEPT.to],
  );
  return { measures: row.measures, openMeasures: row.open };
}

/** The date today in TIME_ZONE, YYYY-MM-DD (as the database sees it). */
export async function todayInTimeZone(db: Db): Promise<string> {
  const [row]: { today: string }[] = await db.query(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY-MM-DD') AS today`, [
    TIME_ZONE,
  ]);
  return row.today;
}

/**
 * For MARK_OVERDUE in bulk: measures in a state it fires from, not flagged yet, whose deadline
 * (a date in TIME_ZONE) is before today.
 */
export function overdueMeasureCandidates(params: SqlParams): string {
  const from = params.add(statesFiring(measureMachine, 'MARK_OVERDUE'), 'text[]');
  return `SELECT o.id FROM rectification_measure o
    WHERE o.status = ANY(${from}) AND o.overdue_at IS NULL AND o.deadline < (now() AT TIME ZONE ${params.add(TIME_ZONE)})::date
    FOR UPDATE OF o SKIP LOCKED`;
}

/** OPEN measures not reminded yet whose deadline is within `horizonDays` calendar days (the sweep narrows them by working days). */
export function measuresNearDeadline(
  db: Db,
  horizonDays: number,
): Promise<{ id: string; deadline: string; region_code: string }[]> {
  return db.query(
    `SELECT r.id, to_char(r.deadline, 'YYYY-MM-DD') AS deadline, p.region_code
     FROM rectification_measure r JOIN problem p ON p.id = r.problem_id
     WHERE r.status = ANY($1::text[]) AND r.reminded_at IS NULL AND r.overdue_at IS NULL
       AND r.deadline >= (now() AT TIME ZONE $2)::date AND r.deadline <= (now() AT TIME ZONE $2)::date + $3::int`,
    [statesFiring(measureMachine, 'REMIND'), TIME_ZONE, horizonDays],
  );
}

/** For REMIND in bulk: of the given ids, those still not reminded (claimed). */
export function reminderMeasureCandidates(params: SqlParams, ids: readonly string[]): string {
  return `SELECT o.id FROM rectification_measure o WHERE o.id = ANY(${params.add(ids, 'uuid[]')}) AND o.reminded_at IS NULL
    FOR UPDATE OF o SKIP LOCKED`;
}

/**
 * Notifications of a sweep to the responsible department's case workers, one per measure and
 * user: MEASURE_REMINDER or MEASURE_OVERDUE.
 */
export function measureSweepNotifications(
  params: SqlParams,
  kind: 'MEASURE_REMINDER' | 'MEASURE_OVERDUE',
  ids: readonly string[],
): string {
  const title = kind === 'MEASURE_REMINDER' ? `'整改措施即将到期：' || p.code` : `'整改措施已逾期：' || p.code`;
  const body =
    kind === 'MEASURE_REMINDER'
      ? `'「' || r.description || '」将于 ' || to_char(r.deadline, 'YYYY-MM-DD') || ' 到期，请按期提交整改报告'`
      : `'「' || r.description || '」已超过整改期限 ' || to_char(r.deadline, 'YYYY-MM-DD') || '，尚未提交整改报告'`;
  const prefix = kind === 'MEASURE_REMINDER' ? 'measure-reminder' : 'measure-overdue';
  return `SELECT u.id AS user_id, ${params.add(kind, 'text')} AS kind, 'RectificationMeasure' AS entity_type, r.id AS entity_id,
      ${title} AS message, ${body} AS body, '${prefix}:' || r.id || ':' || u.id AS dedupe_key
    FROM rectification_measure r JOIN problem p ON p.id = r.problem_id
    JOIN app_user u ON u.active AND u.department_id = p.responsible_department_id AND u.roles && ${params.add(CASE_WORKERS, 'text[]')}
    WHERE r.id = ANY(${params.add(ids, 'uuid[]')})`;
}
