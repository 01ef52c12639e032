/**
 * Supervision items (督办事项): a leader supervises a clue, case or transfer that the
 * leader's department can see, assigned to the department that must act. 指定管辖
 * (DESIGNATED_JURISDICTION) also moves the target to that department. Items are completed
 * or cancelled by the supervising leader; a scheduled job marks them overdue
 * (supervision.jobs.ts).
 */
import { SqlParams } from '../../core/sql';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { AppError, badInput, notFound } from '../../core/errors';
import { Connection, paginate } from '../../core/pagination';
import { toGlobalId } from '../../core/ids';
import {
  Actor,
  assertCanDesignate,
  assertCanReportProgress,
  assertCanSupervise,
  partiesOf,
  supervisionVisibleSql,
} from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent } from '../../workflow/transition';
import { insertTimelineEntry } from '../../workflow/timeline.repository';
import { appendAudit } from '../audit/audit.service';
import { findVisibleCase } from '../case/case.service';
import { rowId } from '../../core/ids';
import { CaseStatus } from '../case/case.machine';
import { ClueStatus } from '../clue/clue.machine';
import { findVisibleClue } from '../clue/clue.service';
import { DepartmentKind } from '../reference/department.entity';
import { regionSettings } from '../reference/region-settings';
import { addWorkingDays } from '../reference/working-days';
import { findVisibleTransfer, TransferRow } from '../transfer/transfer.service';
import { SupervisionEvent, supervisionMachine } from './supervision.machine';
import { CreateSupervisionInput, ProgressRow, SupervisionFilter, SupervisionItemRow } from './supervision.types';

type Db = AppServices['db'] | EntityManager;

/**
 * 指定管辖 moves work in hand: a clue between routing and its conclusion (not one waiting for
 * routing, being transferred — designate the transfer instead — or already filed or closed),
 * a case not yet closed, a transfer not yet answered.
 */
const DESIGNATABLE_CLUE_STATES: readonly ClueStatus[] = ['ASSIGNED', 'VERIFYING', 'SUBSTANTIATED', 'UNSUBSTANTIATED'];
const DESIGNATABLE_CASE_STATES: readonly CaseStatus[] = [
  'FILED',
  'INVESTIGATING',
  'REVIEWING',
  'DECIDED',
  'RECTIFYING',
];

export const supervisionParties = (actor: Actor | null, row: SupervisionItemRow) =>
  partiesOf(actor, {
    assigneeDepartmentId: row.assigned_to_department_id,
    creatorDepartmentId: row.creator_department_id,
  });

export const supervisionAllowedEvents = (actor: Actor, row: SupervisionItemRow): SupervisionEvent[] =>
  allowedEvents(supervisionMachine, row.status, supervisionParties(actor, row));

/** A supervision item the actor may see, or NOT_FOUND; `lock` serialises concurrent changes. */
export async function findVisibleSupervisionItem(
  db: Db,
  actor: Actor,
  id: string,
  lock?: 'FOR NO KEY UPDATE',
): Promise<SupervisionItemRow> {
  const params = new SqlParams([id]);
  const rows: SupervisionItemRow[] = await db.query(
    `SELECT s.* FROM supervision_item s WHERE s.id = $1 AND ${supervisionVisibleSql(actor, params)} ${lock ? `${lock} OF s` : ''}`,
    params.values,
  );
  if (!rows[0]) throw notFound('supervision item');
  return rows[0];
}

export async function visibleSupervisionItemsByIds(
  db: Db,
  actor: Actor,
  ids: readonly string[],
): Promise<SupervisionItemRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT s.* FROM supervision_item s WHERE s.id = ANY($1::uuid[]) AND ${supervisionVisibleSql(actor, params)}`,
    params.values,
  );
}

export function progressByItemIds(db: Db, ids: readonly string[]): Promise<ProgressRow[]> {
  return db.query('SELECT * FROM supervision_progress WHERE item_id = ANY($1::uuid[]) ORDER BY id', [ids]);
}

export async function listSupervisionItems(
  services: AppServices,
  actor: Actor,
  filter: SupervisionFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<SupervisionItemRow>> {
  const params = new SqlParams();
  const where = [supervisionVisibleSql(actor, params)];
  const p = (v: unknown) => params.add(v);
  if (filter?.status?.length) where.push(`s.status = ANY(${p(filter.status)})`);
  if (filter?.kind) where.push(`s.kind = ${p(filter.kind)}`);
  if (filter?.assignedToDepartmentId) {
    where.push(`s.assigned_to_department_id = ${p(rowId(filter.assignedToDepartmentId, 'Department'))}`);
  }
  return paginate<SupervisionItemRow & { created_us: string }, SupervisionItemRow>({
    query: (sql, ps) => services.db.query(sql, ps),
    from: `(SELECT s.*, (extract(epoch FROM s.created_at) * 1000000)::bigint AS created_us FROM supervision_item s) s`,
    where,
    params,
    orderBy: [
      { column: 's.created_us', key: 'created_us' },
      { column: 's.id', key: 'id' },
    ],
    descending: true,
    first,
    after,
    map: (row) => row,
  });
}

type Target =
  | { entity: 'Clue'; id: string; status: string; version: number; ownerDepartmentId: string | null }
  | { entity: 'Case'; id: string; status: string; version: number; ownerDepartmentId: string }
  | { entity: 'ClueTransfer'; id: string; status: string; version: number; row: TransferRow };

/** The one target of a new item, visible to the leader, or NOT_FOUND. */
async function findTarget(m: EntityManager, actor: Actor, input: CreateSupervisionInput): Promise<Target> {
  const given = [input.clueId, input.caseId, input.transferId].filter((id) => id != null);
  if (given.length !== 1) throw badInput('a supervision item has exactly one target: clueId, caseId or transferId');
  if (input.clueId) {
    const clue = await findVisibleClue(m, actor, rowId(input.clueId, 'Clue'));
    return {
      entity: 'Clue',
      id: clue.id,
      status: clue.status,
      version: clue.version,
      ownerDepartmentId: clue.owner_department_id,
    };
  }
  if (input.caseId) {
    const row = await findVisibleCase(m, actor, rowId(input.caseId, 'Case'));
    return {
      entity: 'Case',
      id: row.id,
      status: row.status,
      version: row.version,
      ownerDepartmentId: row.owner_department_id,
    };
  }
  const transfer = await findVisibleTransfer(m, actor, rowId(input.transferId as string, 'ClueTransfer'));
  return { entity: 'ClueTransfer', id: transfer.id, status: transfer.status, version: transfer.version, row: transfer };
}

function refuseState(target: Target, allowed: readonly string[]): void {
  if (!allowed.includes(target.status)) {
    throw new AppError(
      'INVALID_TRANSITION',
      `${target.entity} is ${target.status}: 指定管辖 (DESIGNATED_JURISDICTION) applies only while ${allowed.join(', ')}`,
      { currentState: target.status },
    );
  }
}

/**
 * 指定管辖: the assigned department becomes the target's owner (for a pending transfer, its
 * receiver, with a fresh accept deadline of its own). Versioned like a transition, recorded
 * on the target's timeline as an event that changes no state, and audited.
 */
async function designateJurisdiction(
  m: EntityManager,
  actor: Actor,
  target: Target,
  to: { id: string; kind: string; region_code: string },
  itemId: string,
): Promise<void> {
  // Who before when. A clue not yet routed has no owner: its state refuses it below.
  const ownerId = target.entity === 'ClueTransfer' ? target.row.from_department_id : target.ownerDepartmentId;
  if (ownerId) {
    const [owner]: { kind: DepartmentKind; region_code: string }[] = await m.query(
      'SELECT kind, region_code FROM department WHERE id = $1',
      [ownerId],
    );
    assertCanDesignate(actor, { kind: owner.kind, regionCode: owner.region_code });
  }
  let fromDepartmentId: string | null;
  // Each UPDATE is wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE.
  let updated: { id: string }[];
  if (target.entity === 'ClueTransfer') {
    refuseState(target, ['PENDING']);
    fromDepartmentId = target.row.to_department_id;
    if (to.id === target.row.to_department_id || to.id === target.row.from_department_id) {
      throw badInput('指定管辖 of a transfer needs a department other than its sender and its receiver');
    }
    const settings = await regionSettings(m, to.region_code);
    const days = to.kind === 'PUBLIC_SECURITY' ? settings.acceptWorkingDaysPolice : settings.acceptWorkingDays;
    updated = await m.query(
      `WITH moved AS (
         UPDATE clue_transfer SET to_department_id = $2, accept_deadline = $4, overdue = false, overdue_since = NULL,
                version = version + 1
         WHERE id = $1 AND version = $3 RETURNING id
       ) SELECT id FROM moved`,
      [target.id, to.id, target.version, await addWorkingDays(m, new Date(), days)],
    );
  } else {
    refuseState(target, target.entity === 'Clue' ? DESIGNATABLE_CLUE_STATES : DESIGNATABLE_CASE_STATES);
    fromDepartmentId = target.ownerDepartmentId;
    if (to.id === fromDepartmentId) throw badInput('指定管辖 needs a department other than the current owner');
    updated = await m.query(
      `WITH moved AS (
         UPDATE ${target.entity === 'Clue' ? 'clue' : '"case"'}
         SET owner_department_id = $2, version = version + 1, updated_at = now()
         WHERE id = $1 AND version = $3 RETURNING id
       ) SELECT id FROM moved`,
      [target.id, to.id, target.version],
    );
  }
  if (!updated.length)
    throw new AppError('VERSION_CONFLICT', `${target.entity} was changed concurrently: reload and retry`);
  const detail = {
    supervisionItemId: toGlobalId('SupervisionItem', itemId),
    fromDepartmentId: fromDepartmentId && toGlobalId('Department', fromDepartmentId),
    toDepartmentId: toGlobalId('Department', to.id),
  };
  await insertTimelineEntry(m, {
    entity: target.entity,
    entityId: target.id,
    actorId: actor.userId,
    from: target.status,
    to: target.status,
    event: 'DESIGNATED_JURISDICTION',
    detail,
  });
  await appendAudit(m, {
    actorId: actor.userId,
    action: `${target.entity}.DESIGNATED_JURISDICTION`,
    targetType: target.entity,
    targetId: toGlobalId(target.entity, target.id),
    detail,
  });
}

export async function createSupervisionItem(
  services: AppServices,
  actor: Actor,
  input: CreateSupervisionInput,
): Promise<SupervisionItemRow> {
  assertCanSupervise(actor);
  const title = input.title.trim();
  if (!title) throw badInput('title must not be empty');
  if (!(input.deadline.getTime() > Date.now())) throw badInput('the deadline must be in the future');
  const assignedId = rowId(input.assignedToDepartmentId, 'Department');
  const id = await services.db.transaction(async (m) => {
    const target = await findTarget(m, actor, input);
    const [assigned]: { id: string; kind: string; region_code: string }[] = await m.query(
      'SELECT id, kind, region_code FROM department WHERE id = $1',
      [assignedId],
    );
    if (!assigned) throw badInput('unknown assigned department');
    const [item]: SupervisionItemRow[] = await m.query(
      `INSERT INTO supervision_item (kind, title, status, clue_id, case_id, transfer_id, assigned_to_department_id,
                                     creator_department_id, leader_id, deadline)
       VALUES ($1, $2, 'OPEN', $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        input.kind,
        title,
        target.entity === 'Clue' ? target.id : null,
        target.entity === 'Case' ? target.id : null,
        target.entity === 'ClueTransfer' ? target.id : null,
        assignedId,
        actor.department.id,
        actor.userId,
        input.deadline,
      ],
    );
    await insertTimelineEntry(m, {
      entity: 'SupervisionItem',
      entityId: item.id,
      actorId: actor.userId,
      from: null,
      to: 'OPEN',
      event: 'CREATE',
      note: title,
    });
    if (input.kind === 'DESIGNATED_JURISDICTION') await designateJurisdiction(m, actor, target, assigned, item.id);
    return item.id;
  });
  return findVisibleSupervisionItem(services.db, actor, id);
}

/** Progress is reported while the item can still be completed (open or overdue). */
export async function reportSupervisionProgress(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  note: string,
): Promise<SupervisionItemRow> {
  const id = rowId(itemGlobalId, 'SupervisionItem');
  if (!note.trim()) throw badInput('note must not be empty');
  await services.db.transaction(async (m) => {
    const item = await findVisibleSupervisionItem(m, actor, id);
    assertCanReportProgress(actor, {
      assigneeDepartmentId: item.assigned_to_department_id,
      creatorDepartmentId: item.creator_department_id,
    });
    const reportable = supervisionMachine.events.COMPLETE.from;
    if (!reportable.includes(item.status)) {
      throw new AppError(
        'INVALID_TRANSITION',
        `SupervisionItem is ${item.status} (${supervisionMachine.states[item.status]}): progress is reported only while ${reportable.join(', ')}`,
        { currentState: item.status },
      );
    }
    await m.query('INSERT INTO supervision_progress (item_id, author_id, note) VALUES ($1, $2, $3)', [
      id,
      actor.userId,
      note,
    ]);
  });
  return findVisibleSupervisionItem(services.db, actor, id);
}

async function transitionSupervisionItem(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  event: SupervisionEvent,
  options: { set?: Record<string, unknown>; note?: string; expectedVersion?: number | null },
): Promise<SupervisionItemRow> {
  const id = rowId(itemGlobalId, 'SupervisionItem');
  await services.db.transaction(async (m) => {
    const item = await findVisibleSupervisionItem(m, actor, id, 'FOR NO KEY UPDATE');
    await applyEvent(m, supervisionMachine, item, {
      event,
      actor,
      parties: supervisionParties(actor, item),
      expectedVersion: options.expectedVersion,
      input: undefined,
      set: options.set,
      note: options.note,
    });
  });
  return findVisibleSupervisionItem(services.db, actor, id);
}

export function completeSupervisionItem(
  services: AppServices,
  actor: Actor,
  id: string,
  expectedVersion?: number | null,
) {
  return transitionSupervisionItem(services, actor, id, 'COMPLETE', {
    set: { completed_at: new Date() },
    expectedVersion,
  });
}

export function cancelSupervisionItem(
  services: AppServices,
  actor: Actor,
  id: string,
  reason: string,
  expectedVersion?: number | null,
) {
  if (!reason.trim()) throw badInput('a cancellation needs a reason');
  return transitionSupervisionItem(services, actor, id, 'CANCEL', {
    set: { cancel_reason: reason },
    note: reason,
    expectedVersion,
  });
}
