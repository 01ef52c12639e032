/**
 * Every SQL statement of 督办事项 (supervision_item, supervision_progress). State changes are
 * not here: they go through the supervision machine (applyEvent, applySystemEventInBulk),
 * which this module feeds with the rows and the set-based selections they need.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { dateRangeSql, regionSql } from '../../core/filters';
import type { Tables } from '../../db/tables';
import { Actor, CASE_WORKERS, supervisionVisibleSql } from '../../policy';
import { statesFiring } from '../../workflow/machine';
import type { NotificationKind } from '../notification/notification.kinds';
import { insertNotificationsFrom } from '../notification/notification.repository';
import { SupervisionKind } from './supervision.kinds';
import { supervisionMachine, SupervisionStatus } from './supervision.machine';

type Db = DataSource | EntityManager;

export type SupervisionItemRow = Omit<Tables['supervision_item'], 'status' | 'kind'> & {
  status: SupervisionStatus;
  kind: SupervisionKind;
};

export type ProgressRow = Tables['supervision_progress'];

/** Visible items by id (ids not visible are absent); `lock` serialises concurrent changes. */
export function visibleSupervisionItems(
  db: Db,
  actor: Actor,
  ids: readonly string[],
  lock?: 'FOR NO KEY UPDATE',
): Promise<SupervisionItemRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT s.* FROM supervision_item s WHERE s.id = ANY($1::uuid[]) AND ${supervisionVisibleSql(actor, params)}
     ${lock ? `${lock} OF s` : ''}`,
    params.values,
  );
}

/** Progress reports of items, oldest first. */
export function progressByItemIds(db: Db, ids: readonly string[]): Promise<ProgressRow[]> {
  return db.query('SELECT * FROM supervision_progress WHERE item_id = ANY($1::uuid[]) ORDER BY id', [ids]);
}

export interface SupervisionListFilter {
  status?: SupervisionStatus[] | null;
  kind?: SupervisionKind | null;
  /** A department's row id. */
  assignedToDepartmentId?: string | null;
  creatorDepartmentId?: string | null;
  regionCode?: string | null;
  clueId?: string | null;
  caseId?: string | null;
  /** Civil dates (TIME_ZONE), inclusive. */
  createdFrom?: string | null;
  createdTo?: string | null;
  deadlineFrom?: string | null;
  deadlineTo?: string | null;
}

/** Items the actor may see, newest first. */
export function supervisionItemPage(
  db: Db,
  actor: Actor,
  filter: SupervisionListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<SupervisionItemRow>> {
  const params = new SqlParams();
  const where = [supervisionVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter.status?.length) where.push(`s.status = ANY(${p(filter.status)})`);
  if (filter.kind) where.push(`s.kind = ${p(filter.kind)}`);
  if (filter.assignedToDepartmentId) where.push(`s.assigned_to_department_id = ${p(filter.assignedToDepartmentId)}`);
  if (filter.creatorDepartmentId) where.push(`s.creator_department_id = ${p(filter.creatorDepartmentId)}`);
  if (filter.regionCode) {
    where.push(`EXISTS (SELECT 1 FROM department sad WHERE sad.id = s.assigned_to_department_id
      AND ${regionSql(params, 'sad.region_code', filter.regionCode)})`);
  }
  if (filter.clueId) where.push(`s.clue_id = ${p(filter.clueId)}`);
  if (filter.caseId) where.push(`s.case_id = ${p(filter.caseId)}`);
  where.push(...dateRangeSql(params, 's.created_at', { from: filter.createdFrom, to: filter.createdTo }, 'created'));
  where.push(...dateRangeSql(params, 's.deadline', { from: filter.deadlineFrom, to: filter.deadlineTo }, 'deadline'));
  return paginate<TimeOrderedRow<SupervisionItemRow>, SupervisionItemRow>({
    ...timeOrdered<SupervisionItemRow>({ table: 'supervision_item', alias: 's' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: (row) => row,
  });
}

/** A new item, OPEN (its creation is recorded by the caller through the machine). */
export async function insertSupervisionItem(
  m: EntityManager,
  item: Pick<
    SupervisionItemRow,
    | 'kind'
    | 'title'
    | 'clue_id'
    | 'case_id'
    | 'transfer_id'
    | 'assigned_to_department_id'
    | 'creator_department_id'
    | 'leader_id'
    | 'deadline'
  >,
): Promise<SupervisionItemRow> {
  const [row]: SupervisionItemRow[] = await m.query(
    `INSERT INTO supervision_item (kind, title, status, clue_id, case_id, transfer_id, assigned_to_department_id,
                                   creator_department_id, leader_id, deadline)
     VALUES ($1, $2, 'OPEN', $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      item.kind,
      item.title,
      item.clue_id,
      item.case_id,
      item.transfer_id,
      item.assigned_to_department_id,
      item.creator_department_id,
      item.leader_id,
      item.deadline,
    ],
  );
  return row;
}

/** The effect of REPORT_PROGRESS. */
export async function insertProgress(
  m: EntityManager,
  report: Pick<ProgressRow, 'item_id' | 'author_id' | 'note'>,
): Promise<void> {
  await m.query('INSERT INTO supervision_progress (item_id, author_id, note) VALUES ($1, $2, $3)', [
    report.item_id,
    report.author_id,
    report.note,
  ]);
}

/** For MARK_OVERDUE in bulk: items in a state it fires from whose deadline has passed. */
export function overdueSupervisionCandidates(params: SqlParams): string {
  const from = params.add(statesFiring(supervisionMachine, 'MARK_OVERDUE'), 'text[]');
  return `SELECT o.id FROM supervision_item o WHERE o.status = ANY(${from}) AND o.deadline < now()`;
}

/**
 * For REMIND in bulk: items in a state it fires from, not reminded yet, whose deadline is
 * within `supervisionReminderHours` (the setting of the assigned department's region: the
 * longest matching region prefix wins, as in region-settings.ts). Claimed here (FOR UPDATE
 * SKIP LOCKED) so that a concurrent sweep re-checks `reminded_at IS NULL` and skips them.
 */
export function reminderCandidates(params: SqlParams): string {
  const from = params.add(statesFiring(supervisionMachine, 'REMIND'), 'text[]');
  return `SELECT o.id FROM supervision_item o
    JOIN department d ON d.id = o.assigned_to_department_id
    CROSS JOIN LATERAL (
      SELECT (rs.value #>> '{}')::numeric AS hours FROM region_setting rs
      WHERE rs.key = 'supervisionReminderHours' AND d.region_code LIKE rs.region_prefix || '%'
      ORDER BY length(rs.region_prefix) DESC LIMIT 1
    ) setting
    WHERE o.status = ANY(${from}) AND o.reminded_at IS NULL AND o.deadline > now()
      AND o.deadline <= now() + setting.hours * interval '1 hour'
    FOR UPDATE OF o SKIP LOCKED`;
}

/** Notifies the assigned department's case workers and the supervising leader of items just marked overdue. */
export async function notifySupervisionOverdue(m: EntityManager, ids: readonly string[]): Promise<void> {
  const params = new SqlParams();
  const kind: NotificationKind = 'SUPERVISION_OVERDUE';
  await insertNotificationsFrom(
    m,
    `SELECT DISTINCT ON (u.id, s.id) u.id AS user_id, ${params.add(kind, 'text')} AS kind, 'SupervisionItem' AS entity_type,
            s.id AS entity_id, '督办事项「' || s.title || '」已逾期' AS message,
            '期限 ' || to_char(s.deadline AT TIME ZONE ${params.add(TIME_ZONE, 'text')}, 'YYYY-MM-DD HH24:MI') || '，承办单位：' || d.name AS body,
            'supervision-overdue:' || s.id || ':' || u.id AS dedupe_key
     FROM supervision_item s
     JOIN department d ON d.id = s.assigned_to_department_id
     JOIN app_user u ON u.active
       AND ((u.department_id = s.assigned_to_department_id AND u.roles && ${params.add(CASE_WORKERS, 'text[]')}) OR u.id = s.leader_id)
     WHERE s.id = ANY(${params.add(ids, 'uuid[]')})
     ORDER BY u.id, s.id`,
    params,
  );
}

/** Reminds the assigned department's case workers of items just due a reminder. */
export async function notifySupervisionReminders(m: EntityManager, ids: readonly string[]): Promise<void> {
  const params = new SqlParams();
  const kind: NotificationKind = 'SUPERVISION_REMINDER';
  await insertNotificationsFrom(
    m,
    `SELECT u.id AS user_id, ${params.add(kind, 'text')} AS kind, 'SupervisionItem' AS entity_type, s.id AS entity_id,
            '督办事项「' || s.title || '」即将到期' AS message,
            '将于 ' || to_char(s.deadline AT TIME ZONE ${params.add(TIME_ZONE, 'text')}, 'YYYY-MM-DD HH24:MI') || ' 到期，请及时办理并报告进展' AS body,
            'supervision-reminder:' || s.id || ':' || u.id AS dedupe_key
     FROM supervision_item s
     JOIN app_user u ON u.active AND u.department_id = s.assigned_to_department_id AND u.roles && ${params.add(CASE_WORKERS, 'text[]')}
     WHERE s.id = ANY(${params.add(ids, 'uuid[]')})`,
    params,
  );
}
