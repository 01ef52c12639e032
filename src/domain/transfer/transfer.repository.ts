/**
 * Every SQL statement of 线索移送 (clue_transfer). State changes are not here: they go through
 * the transfer machine (applyEvent, applySystemEventInBulk), which this module feeds with the
 * rows and the set-based selections they need.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { amountRangeSql, dateRangeSql, regionSql } from '../../core/filters';
import type { Tables } from '../../db/tables';
import { Actor, transferVisibleSql } from '../../policy';
import type { NotificationKind } from '../notification/notification.kinds';
import { insertNotificationsFrom } from '../notification/notification.repository';
import { DepartmentKind } from '../reference/department.entity';
import { TRANSFER_DEADLINES, TransferStatus } from './transfer.machine';
import { preparedRead } from '../../db/prepared';

type Db = DataSource | EntityManager;

export type TransferRow = Omit<Tables['clue_transfer'], 'status'> & { status: TransferStatus };

/** What a transfer needs of a department: its kind (police accept faster) and region (its settings). */
export type DepartmentRef = Pick<Tables['department'], 'id' | 'region_code'> & { kind: DepartmentKind };

export async function findDepartment(db: Db, id: string): Promise<DepartmentRef | undefined> {
  const [row]: DepartmentRef[] = await db.query('SELECT id, kind, region_code FROM department WHERE id = $1', [id]);
  return row;
}

/** Visible transfers by id (ids not visible are absent). */
export function visibleTransfersByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<TransferRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT t.* FROM clue_transfer t WHERE t.id = ANY($1::uuid[]) AND ${transferVisibleSql(actor, params)}`,
    params.values,
  );
}

/** The transfers of clues, oldest first (a transfer is visible with its clue). */
export function transfersByClueIds(db: Db, clueIds: readonly string[]): Promise<TransferRow[]> {
  return preparedRead(db, 'SELECT * FROM clue_transfer WHERE clue_id = ANY($1::uuid[]) ORDER BY requested_at, id', [
    clueIds,
  ]);
}

export interface TransferListFilter {
  direction?: 'INCOMING' | 'OUTGOING' | null;
  status?: TransferStatus[] | null;
  overdue?: boolean | null;
  /** Ids already decoded. */
  fromDepartmentId?: string | null;
  toDepartmentId?: string | null;
  /** Civil dates (TIME_ZONE), inclusive. */
  requestedFrom?: string | null;
  requestedTo?: string | null;
  regionCode?: string | null;
  model?: string | null;
  institutionCode?: string | null;
  personId?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
  campaignId?: string | null;
}

/** Transfers the actor may see, newest first. */
export function transferPage(
  db: Db,
  actor: Actor,
  filter: TransferListFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<TransferRow>> {
  const params = new SqlParams();
  const where = [transferVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter?.direction === 'INCOMING') where.push(`t.to_department_id = ${p(actor.department.id)}`);
  if (filter?.direction === 'OUTGOING') where.push(`t.from_department_id = ${p(actor.department.id)}`);
  if (filter?.status?.length) where.push(`t.status = ANY(${p(filter.status)})`);
  if (filter?.overdue != null) where.push(`t.overdue = ${p(filter.overdue)}`);
  if (filter?.fromDepartmentId) where.push(`t.from_department_id = ${p(filter.fromDepartmentId)}`);
  if (filter?.toDepartmentId) where.push(`t.to_department_id = ${p(filter.toDepartmentId)}`);
  if (filter) {
    where.push(
      ...dateRangeSql(params, 't.requested_at', { from: filter.requestedFrom, to: filter.requestedTo }, 'requested'),
    );
  }
  // The clue's facts: one EXISTS over the transfer's clue.
  const onClue: string[] = [];
  if (filter?.regionCode) onClue.push(regionSql(params, 'tc.region_code', filter.regionCode));
  if (filter?.model) onClue.push(`tc.model = ${p(filter.model)}`);
  if (filter?.institutionCode) onClue.push(`tc.institution_code = ${p(filter.institutionCode)}`);
  if (filter?.campaignId) onClue.push(`tc.campaign_id = ${p(filter.campaignId)}`);
  if (filter?.personId) {
    onClue.push(
      `EXISTS (SELECT 1 FROM clue_person tcp WHERE tcp.clue_id = tc.id AND tcp.person_id = ${p(filter.personId)})`,
    );
  }
  if (filter)
    onClue.push(...amountRangeSql(params, 'tc.amount_involved', { min: filter.minAmount, max: filter.maxAmount }));
  if (onClue.length) where.push(`EXISTS (SELECT 1 FROM clue tc WHERE tc.id = t.clue_id AND ${onClue.join(' AND ')})`);
  return paginate<TimeOrderedRow<TransferRow>, TransferRow>({
    ...timeOrdered<TransferRow>({ table: 'clue_transfer', alias: 't', column: 'requested_at' }),
    query: (sql, ps) => db.query(sql, ps),
    where,
    params,
    first,
    after,
    map: (row) => row,
  });
}

/** A new transfer, PENDING (its creation is recorded by the caller through the machine). */
export async function insertTransfer(
  m: EntityManager,
  t: Pick<
    TransferRow,
    | 'clue_id'
    | 'from_department_id'
    | 'to_department_id'
    | 'reason'
    | 'requested_by'
    | 'requested_at'
    | 'accept_deadline'
    | 'clue_status_before'
  >,
): Promise<TransferRow> {
  const [row]: TransferRow[] = await m.query(
    `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, requested_at,
                                accept_deadline, clue_status_before)
     VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8) RETURNING *`,
    [
      t.clue_id,
      t.from_department_id,
      t.to_department_id,
      t.reason,
      t.requested_by,
      t.requested_at,
      t.accept_deadline,
      t.clue_status_before,
    ],
  );
  return row;
}

/**
 * Per running deadline (TRANSFER_DEADLINES, keyed by state): `CASE <alias>.status WHEN … END`
 * giving the deadline column itself, or its kind or label (bound as parameters).
 */
function byDeadline(params: SqlParams, alias: string, field: 'column' | 'kind' | 'label'): string {
  const whens = Object.entries(TRANSFER_DEADLINES).map(([state, deadline]) => {
    const value = field === 'column' ? `${alias}.${deadline.column}` : params.add(deadline[field], 'text');
    return `WHEN ${params.add(state, 'text')} THEN ${value}`;
  });
  return `CASE ${alias}.status ${whens.join(' ')} END`;
}

/**
 * The overdue sweep's selection, for the machine's OVERDUE (applySystemEventInBulk): transfers
 * not yet flagged whose running deadline has passed, claimed here (FOR UPDATE SKIP LOCKED) so
 * that a concurrent sweep re-checks `NOT overdue` and skips them; and the timeline detail
 * naming that deadline.
 */
export function overdueTransferSweep(params: SqlParams): { candidates: string; detail: string } {
  return {
    candidates: `SELECT o.id FROM clue_transfer o
                 WHERE NOT o.overdue AND ${byDeadline(params, 'o', 'column')} < now()
                 FOR UPDATE SKIP LOCKED`,
    detail: `jsonb_build_object('deadline', ${byDeadline(params, 't', 'kind')})`,
  };
}

/**
 * Notifies the sending department's leaders of transfers just flagged overdue, once per deadline
 * (TRANSFER_OVERDUE; the title names the deadline, the body the clue and its receiver).
 */
export async function notifyTransfersOverdue(m: EntityManager, ids: readonly string[]): Promise<void> {
  const params = new SqlParams();
  const kind: NotificationKind = 'TRANSFER_OVERDUE';
  await insertNotificationsFrom(
    m,
    `SELECT u.id AS user_id, ${params.add(kind, 'text')} AS kind, 'ClueTransfer' AS entity_type, t.id AS entity_id,
            '线索移送 ' || c.code || ' 已超过' || ${byDeadline(params, 't', 'label')} || '期限' AS message,
            '「' || c.title || '」移送至' || d.name || '，期限 '
              || to_char(${byDeadline(params, 't', 'column')} AT TIME ZONE ${params.add(TIME_ZONE, 'text')}, 'YYYY-MM-DD HH24:MI') AS body,
            'transfer-overdue:' || t.id || ':' || t.status || ':' || u.id AS dedupe_key
     FROM clue_transfer t
     JOIN clue c ON c.id = t.clue_id
     JOIN department d ON d.id = t.to_department_id
     JOIN app_user u ON u.department_id = t.from_department_id AND 'LEADER' = ANY(u.roles) AND u.active
     WHERE t.id = ANY(${params.add(ids, 'uuid[]')})`,
    params,
  );
}
