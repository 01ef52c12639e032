/**
 * Every SQL statement of inspections (检查) and their teams. State changes go through the
 * inspection machine (applyEvent).
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import type { InspectionMemberTable, InspectionTable, ProblemTable } from '../../db/tables';
import { Actor, inspectionVisibleSql, problemVisibleSql } from '../../policy';
import { DepartmentKind } from '../reference/department.entity';
import { InspectionKind, InspectionStatus } from './inspection.machine';

type Db = DataSource | EntityManager;

export type InspectionRow = Omit<InspectionTable, 'status' | 'kind'> & {
  status: InspectionStatus;
  kind: InspectionKind;
};
export type InspectionMemberRow = InspectionMemberTable;

/** Visible inspections by id (ids not visible are absent); `lock` serialises concurrent changes. */
export function visibleInspections(
  db: Db,
  actor: Actor,
  ids: readonly string[],
  lock?: 'FOR NO KEY UPDATE',
): Promise<InspectionRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT i.* FROM inspection i WHERE i.id = ANY($1::uuid[]) AND ${inspectionVisibleSql(actor, params)}
     ${lock ? `${lock} OF i` : ''}`,
    params.values,
  );
}

export interface InspectionListFilter {
  campaignId?: string | null;
  status?: InspectionStatus[] | null;
  kind?: InspectionKind | null;
  institutionCode?: string | null;
}

/** Inspections the actor may see, newest first. */
export function inspectionPage(
  db: Db,
  actor: Actor,
  filter: InspectionListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<InspectionRow>> {
  const params = new SqlParams();
  const where = [inspectionVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter.campaignId) where.push(`i.campaign_id = ${p(filter.campaignId)}`);
  if (filter.status?.length) where.push(`i.status = ANY(${p(filter.status)})`);
  if (filter.kind) where.push(`i.kind = ${p(filter.kind)}`);
  if (filter.institutionCode) where.push(`i.institution_code = ${p(filter.institutionCode)}`);
  return paginate<TimeOrderedRow<InspectionRow>, InspectionRow>({
    ...timeOrdered<InspectionRow>({ table: 'inspection', alias: 'i' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: ({ time_us: _t, ...row }) => row as InspectionRow,
  });
}

/** A user as a team member: active, with the department they belong to. */
export interface TeamCandidate {
  id: string;
  roles: string[];
  department_id: string;
  kind: DepartmentKind;
  region_code: string;
}

export function teamCandidates(db: Db, userIds: readonly string[]): Promise<TeamCandidate[]> {
  return db.query(
    `SELECT u.id, u.roles, u.department_id, d.kind, d.region_code
     FROM app_user u JOIN department d ON d.id = u.department_id
     WHERE u.id = ANY($1::uuid[]) AND u.active`,
    [userIds],
  );
}

/** The institution's region, or undefined when unknown. */
export async function institutionRegion(db: Db, code: string): Promise<string | undefined> {
  const [row]: { region_code: string }[] = await db.query('SELECT region_code FROM institution WHERE code = $1', [
    code,
  ]);
  return row?.region_code;
}

/** A new inspection with its code JC<year>-NNNNNN (the year in TIME_ZONE), and its team. */
export async function insertInspection(
  m: EntityManager,
  i: Pick<
    InspectionRow,
    | 'kind'
    | 'institution_code'
    | 'region_code'
    | 'campaign_id'
    | 'lead_department_id'
    | 'planned_from'
    | 'planned_to'
    | 'created_by'
  >,
  team: readonly { userId: string; departmentId: string }[],
  status: InspectionStatus,
): Promise<InspectionRow> {
  const [row]: InspectionRow[] = await m.query(
    `INSERT INTO inspection (code, kind, institution_code, region_code, campaign_id, lead_department_id,
       planned_from, planned_to, created_by, status)
     VALUES ('JC' || to_char(now() AT TIME ZONE $10, 'YYYY') || '-' || lpad(nextval('inspection_code_seq')::text, 6, '0'),
       $1, $2, $3, $4, $5, $6, $7, $8, $9)
     RETURNING *`,
    [
      i.kind,
      i.institution_code,
      i.region_code,
      i.campaign_id,
      i.lead_department_id,
      i.planned_from,
      i.planned_to,
      i.created_by,
      status,
      TIME_ZONE,
    ],
  );
  await m.query(
    `INSERT INTO inspection_member (inspection_id, user_id, department_id)
     SELECT $1, t.user_id, t.department_id FROM unnest($2::uuid[], $3::uuid[]) AS t (user_id, department_id)`,
    [row.id, team.map((t) => t.userId), team.map((t) => t.departmentId)],
  );
  return row;
}

/** Team members of inspections, in the order they were given. */
export function membersByInspectionIds(db: Db, ids: readonly string[]): Promise<InspectionMemberRow[]> {
  return db.query(
    `SELECT im.* FROM inspection_member im JOIN app_user u ON u.id = im.user_id
     WHERE im.inspection_id = ANY($1::uuid[]) ORDER BY im.inspection_id, u.username`,
    [ids],
  );
}

/** Visible problems found by inspections (Inspection.problems), oldest first. */
export function visibleProblemsByInspectionIds(db: Db, actor: Actor, ids: readonly string[]): Promise<ProblemTable[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT p.* FROM problem p WHERE p.inspection_id = ANY($1::uuid[]) AND ${problemVisibleSql(actor, params)}
     ORDER BY p.created_at, p.id`,
    params.values,
  );
}

/** The department of a kind in a region (the 卫健 of an institution's county). */
export async function departmentOf(db: Db, kind: DepartmentKind, regionCode: string): Promise<string | undefined> {
  const [row]: { id: string }[] = await db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [
    kind,
    regionCode,
  ]);
  return row?.id;
}
