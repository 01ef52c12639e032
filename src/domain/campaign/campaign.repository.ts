/**
 * Every SQL statement of campaigns (专项行动) and self-check reports (自查自纠). Phase changes
 * are not here: they go through campaignMachine (applyEvent).
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { regionSql } from '../../core/filters';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import type { CampaignTable, SelfCheckReportTable } from '../../db/tables';
import { Actor, campaignVisibleSql } from '../../policy';
import { CampaignPhase } from './campaign.machine';

type Db = DataSource | EntityManager;

/** A campaign with its participants (the leading department among them) and its number of targets. */
export type CampaignRow = Omit<CampaignTable, 'status'> & {
  status: CampaignPhase;
  participant_department_ids: string[];
  target_count: number;
};

/** (A mapped copy of the table type: pagination needs a type alias, not an interface.) */
export type SelfCheckReportRow = Pick<SelfCheckReportTable, keyof SelfCheckReportTable>;

const CAMPAIGN_SELECT = (g: string) => `${g}.*,
  ARRAY(SELECT gp.department_id FROM campaign_participant gp WHERE gp.campaign_id = ${g}.id ORDER BY gp.department_id)
    AS participant_department_ids,
  (SELECT count(*)::int FROM campaign_target gt WHERE gt.campaign_id = ${g}.id) AS target_count`;

/** Visible campaigns by id (ids not visible are absent); `lock` serialises concurrent changes. */
export function visibleCampaigns(
  db: Db,
  actor: Actor,
  ids: readonly string[],
  lock?: 'FOR NO KEY UPDATE',
): Promise<CampaignRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT ${CAMPAIGN_SELECT('g')} FROM campaign g WHERE g.id = ANY($1::uuid[]) AND ${campaignVisibleSql(actor, params)}
     ${lock ? `${lock} OF g` : ''}`,
    params.values,
  );
}

/** Campaigns the actor may see, newest first. */
export function campaignPage(
  db: Db,
  actor: Actor,
  filter: { phase?: CampaignPhase[] | null; regionCode?: string | null },
  first: number,
  after: string | null | undefined,
): Promise<Connection<CampaignRow>> {
  const params = new SqlParams();
  const where = [campaignVisibleSql(actor, params)];
  if (filter.phase?.length) where.push(`g.status = ANY(${params.add(filter.phase, 'text[]')})`);
  if (filter.regionCode) where.push(regionSql(params, 'g.region_code', filter.regionCode));
  return paginate<TimeOrderedRow<CampaignRow>, CampaignRow>({
    ...timeOrdered<CampaignRow>({ table: 'campaign', alias: 'g', select: CAMPAIGN_SELECT('g') }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: ({ time_us: _t, ...row }) => row as CampaignRow,
  });
}

/** A new campaign, PLANNED, coded ZX<year>-NNNN (the year in TIME_ZONE). Returns its id. */
export async function insertCampaign(
  m: EntityManager,
  c: Pick<CampaignRow, 'name' | 'lead_department_id' | 'region_code' | 'target_kinds' | 'created_by'> & {
    /** YYYY-MM-DD. */
    scope_from: string;
    scope_to: string;
  },
  status: CampaignPhase,
): Promise<string> {
  const [row]: { id: string }[] = await m.query(
    `INSERT INTO campaign (code, name, lead_department_id, region_code, scope_from, scope_to, target_kinds, created_by, status)
     VALUES ('ZX' || to_char(now() AT TIME ZONE $9, 'YYYY') || '-' || lpad(nextval('campaign_code_seq')::text, 4, '0'),
       $1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id`,
    [
      c.name,
      c.lead_department_id,
      c.region_code,
      c.scope_from,
      c.scope_to,
      c.target_kinds,
      c.created_by,
      status,
      TIME_ZONE,
    ],
  );
  return row.id;
}

/** The participants (the leading department always among them). Unknown departments are refused by the foreign key. */
export async function insertParticipants(m: EntityManager, campaignId: string, departmentIds: readonly string[]) {
  await m.query(
    `INSERT INTO campaign_participant (campaign_id, department_id)
     SELECT $1::uuid, d FROM unnest($2::uuid[]) d ON CONFLICT DO NOTHING`,
    [campaignId, departmentIds],
  );
}

/** Departments that exist among `ids`. */
export async function existingDepartments(db: Db, ids: readonly string[]): Promise<string[]> {
  const rows: { id: string }[] = await db.query('SELECT id FROM department WHERE id = ANY($1::uuid[])', [ids]);
  return rows.map((r) => r.id);
}

/** Institution codes among `codes` that exist inside the region pattern (LIKE). */
export async function institutionsInRegion(db: Db, codes: readonly string[], pattern: string): Promise<string[]> {
  const rows: { code: string }[] = await db.query(
    'SELECT code FROM institution WHERE code = ANY($1::text[]) AND region_code LIKE $2',
    [codes, pattern],
  );
  return rows.map((r) => r.code);
}

/**
 * Materialises the targets: the explicit institutions, plus every institution of the given
 * kinds in the region pattern. Returns how many targets the campaign has.
 */
export async function insertTargets(
  m: EntityManager,
  campaignId: string,
  codes: readonly string[],
  kinds: readonly string[],
  pattern: string,
): Promise<number> {
  await m.query(
    `INSERT INTO campaign_target (campaign_id, institution_code)
     SELECT $1::uuid, code FROM institution WHERE code = ANY($2::text[])
     UNION SELECT $1::uuid, code FROM institution WHERE kind = ANY($3::text[]) AND region_code LIKE $4
     ON CONFLICT DO NOTHING`,
    [campaignId, codes, kinds, pattern],
  );
  const [row]: { n: number }[] = await m.query(
    'SELECT count(*)::int AS n FROM campaign_target WHERE campaign_id = $1',
    [campaignId],
  );
  return row.n;
}

/** The target institutions of a campaign, by code. */
export async function targetCodes(db: Db, campaignId: string): Promise<string[]> {
  const rows: { institution_code: string }[] = await db.query(
    'SELECT institution_code FROM campaign_target WHERE campaign_id = $1 ORDER BY institution_code',
    [campaignId],
  );
  return rows.map((r) => r.institution_code);
}

export async function isTarget(db: Db, campaignId: string, institutionCode: string): Promise<boolean> {
  const rows: unknown[] = await db.query(
    'SELECT 1 FROM campaign_target WHERE campaign_id = $1 AND institution_code = $2',
    [campaignId, institutionCode],
  );
  return rows.length > 0;
}

/** Marks a run as the campaign's. */
export async function setRunCampaign(m: EntityManager, runId: string, campaignId: string): Promise<void> {
  await m.query('UPDATE collision_run SET campaign_id = $2 WHERE id = $1', [runId, campaignId]);
}

/** The run ids of campaigns, newest first, grouped by the caller. */
export function runIdsOfCampaigns(
  db: Db,
  campaignIds: readonly string[],
): Promise<{ id: string; campaign_id: string }[]> {
  return db.query(
    `SELECT id, campaign_id FROM collision_run WHERE campaign_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`,
    [campaignIds],
  );
}

/** The report of an institution in a campaign, if any (one per institution and campaign). */
export async function insertSelfCheckReport(
  m: EntityManager,
  r: Pick<
    SelfCheckReportRow,
    | 'campaign_id'
    | 'institution_code'
    | 'findings'
    | 'voluntary_refund'
    | 'patient_refund'
    | 'department_id'
    | 'recorded_by'
  >,
): Promise<SelfCheckReportRow | null> {
  const [row]: SelfCheckReportRow[] = await m.query(
    `INSERT INTO self_check_report (campaign_id, institution_code, findings, voluntary_refund, patient_refund, department_id, recorded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (campaign_id, institution_code) DO NOTHING RETURNING *`,
    [
      r.campaign_id,
      r.institution_code,
      r.findings,
      r.voluntary_refund,
      r.patient_refund,
      r.department_id,
      r.recorded_by,
    ],
  );
  return row ?? null;
}

export async function linkSelfCheckProblem(m: EntityManager, reportId: string, problemId: string): Promise<void> {
  await m.query('INSERT INTO self_check_problem (report_id, problem_id) VALUES ($1, $2)', [reportId, problemId]);
}

export function selfCheckReportsByIds(db: Db, ids: readonly string[]): Promise<SelfCheckReportRow[]> {
  return db.query('SELECT * FROM self_check_report WHERE id = ANY($1::uuid[])', [ids]);
}

export interface SelfCheckReportListFilter {
  campaignId?: string | null;
  institutionCode?: string | null;
  departmentId?: string | null;
  /** Shanghai dates, inclusive. */
  recordedFrom?: string | null;
  recordedTo?: string | null;
}

/** Self-check reports of the campaigns the actor sees, newest first. */
export function selfCheckReportPage(
  db: Db,
  actor: Actor,
  filter: SelfCheckReportListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<SelfCheckReportRow>> {
  const params = new SqlParams();
  const p = (v: unknown) => params.add(v);
  const where = [
    `EXISTS (SELECT 1 FROM campaign g WHERE g.id = s.campaign_id AND ${campaignVisibleSql(actor, params)})`,
  ];
  if (filter.campaignId) where.push(`s.campaign_id = ${p(filter.campaignId)}`);
  if (filter.institutionCode) where.push(`s.institution_code = ${p(filter.institutionCode)}`);
  if (filter.departmentId) where.push(`s.department_id = ${p(filter.departmentId)}`);
  if (filter.recordedFrom) {
    where.push(`s.recorded_at >= ${p(filter.recordedFrom)}::date::timestamp AT TIME ZONE '${TIME_ZONE}'`);
  }
  if (filter.recordedTo) {
    where.push(`s.recorded_at < (${p(filter.recordedTo)}::date + 1)::timestamp AT TIME ZONE '${TIME_ZONE}'`);
  }
  return paginate<TimeOrderedRow<SelfCheckReportRow>, SelfCheckReportRow>({
    ...timeOrdered<SelfCheckReportRow>({ table: 'self_check_report', alias: 's', column: 'recorded_at' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: ({ time_us: _t, ...row }) => row as SelfCheckReportRow,
  });
}

/** Self-check reports of campaigns, oldest first. */
export function selfCheckReportsByCampaignIds(db: Db, ids: readonly string[]): Promise<SelfCheckReportRow[]> {
  return db.query('SELECT * FROM self_check_report WHERE campaign_id = ANY($1::uuid[]) ORDER BY recorded_at, id', [
    ids,
  ]);
}

/** The problem ids of self-check reports. */
export function problemIdsOfReports(
  db: Db,
  ids: readonly string[],
): Promise<{ report_id: string; problem_id: string }[]> {
  return db.query(
    `SELECT sp.report_id, sp.problem_id FROM self_check_problem sp JOIN problem p ON p.id = sp.problem_id
     WHERE sp.report_id = ANY($1::uuid[]) ORDER BY p.created_at, p.id`,
    [ids],
  );
}

export interface CampaignFiguresRow {
  campaign_id: string;
  targets: number;
  targets_covered: number;
  inspections: number;
  documents: number;
  hits: number;
  hits_cleared: number;
  problems_found: number;
  problems_closed: number;
  voluntary_refund: string;
  patient_refund: string;
  amount_recovered: string;
}

/**
 * The figures of many campaigns in one statement (docs/OUTCOMES.md "Campaigns and self-checks"):
 * targets; hits first or last detected by the campaign's runs and those verified (not
 * `pendingState`); problems of the campaign and those closed (`closedState`); Σ self-check
 * refunds; and the amount recovered — FUND_RECOVERY sanctions of cases filed from the
 * campaign's clues plus recovered amounts of the campaign's clues closed (`clueClosedState`).
 */
export function campaignFigures(
  db: Db,
  ids: readonly string[],
  states: { pendingState: string; closedState: string; clueClosedState: string },
): Promise<CampaignFiguresRow[]> {
  return db.query(
    `SELECT g.id AS campaign_id,
       (SELECT count(*)::int FROM campaign_target t WHERE t.campaign_id = g.id) AS targets,
       (SELECT count(*)::int FROM campaign_target t WHERE t.campaign_id = g.id
          AND (EXISTS (SELECT 1 FROM self_check_report s WHERE s.campaign_id = g.id AND s.institution_code = t.institution_code)
               OR EXISTS (SELECT 1 FROM inspection i WHERE i.campaign_id = g.id AND i.institution_code = t.institution_code))
       ) AS targets_covered,
       (SELECT count(*)::int FROM inspection i WHERE i.campaign_id = g.id) AS inspections,
       (SELECT count(*)::int FROM document d WHERE d.campaign_id = g.id) AS documents,
       coalesce(h.hits, 0) AS hits, coalesce(h.cleared, 0) AS hits_cleared,
       (SELECT count(*)::int FROM problem p WHERE p.campaign_id = g.id) AS problems_found,
       (SELECT count(*)::int FROM problem p WHERE p.campaign_id = g.id AND p.status = $3) AS problems_closed,
       (SELECT coalesce(sum(s.voluntary_refund), 0)::text FROM self_check_report s WHERE s.campaign_id = g.id) AS voluntary_refund,
       (SELECT coalesce(sum(s.patient_refund), 0)::text FROM self_check_report s WHERE s.campaign_id = g.id) AS patient_refund,
       ((SELECT coalesce(sum(sa.amount), 0) FROM sanction sa
           WHERE sa.kind = 'FUND_RECOVERY' AND sa.amount IS NOT NULL
             AND sa.case_id IN (SELECT kc.case_id FROM case_clue kc JOIN clue c ON c.id = kc.clue_id WHERE c.campaign_id = g.id))
        + (SELECT coalesce(sum(c.recovered_amount), 0) FROM clue c
           WHERE c.campaign_id = g.id AND c.status = $4 AND c.recovered_amount IS NOT NULL))::text AS amount_recovered
     FROM campaign g
     LEFT JOIN LATERAL (
       SELECT count(*)::int AS hits, count(*) FILTER (WHERE hh.verification <> $2)::int AS cleared
       FROM collision_hit hh
       WHERE hh.first_run_id IN (SELECT r.id FROM collision_run r WHERE r.campaign_id = g.id)
          OR hh.last_run_id IN (SELECT r.id FROM collision_run r WHERE r.campaign_id = g.id)) h ON true
     WHERE g.id = ANY($1::uuid[])`,
    [ids, states.pendingState, states.closedState, states.clueClosedState],
  );
}

/** Campaigns of clues (campaign_id by clue id), for the clue's `campaign` field. */
export function campaignIdOfClueRows(
  db: Db,
  clueIds: readonly string[],
): Promise<{ id: string; campaign_id: string | null }[]> {
  return db.query('SELECT id, campaign_id FROM clue WHERE id = ANY($1::uuid[])', [clueIds]);
}

/** The level of a region, or null when unknown. */
export async function regionLevelOf(db: Db, code: string): Promise<'PROVINCE' | 'CITY' | 'COUNTY' | null> {
  const [row]: { level: 'PROVINCE' | 'CITY' | 'COUNTY' }[] = await db.query(
    'SELECT level FROM region WHERE code = $1',
    [code],
  );
  return row?.level ?? null;
}

/** Visible campaigns whose region lies in the pattern (LIKE) and that were deployed before `before`, oldest first. */
export function visibleCampaignsInRegion(db: Db, actor: Actor, pattern: string, before: Date): Promise<CampaignRow[]> {
  const params = new SqlParams([pattern, before]);
  return db.query(
    `SELECT ${CAMPAIGN_SELECT('g')} FROM campaign g
     WHERE g.region_code LIKE $1 AND g.created_at < $2 AND ${campaignVisibleSql(actor, params)}
     ORDER BY g.created_at, g.id`,
    params.values,
  );
}
