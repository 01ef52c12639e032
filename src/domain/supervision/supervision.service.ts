/**
 * Supervision items (督办事项): a leader supervises a clue, case or transfer that the
 * leader's department can see, assigned to the department that must act. Kinds that
 * designate (指定管辖, supervision.kinds.ts) also move the target to that department. Items
 * are reported on by both departments and completed or cancelled by the supervising leader;
 * a scheduled job marks them overdue and reminds (supervision.jobs.ts).
 */
import { inTransaction } from '../../db/transaction';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { Actor, assertCanSupervise, CASE_WORKERS, partiesOf } from '../../policy';
import { notify } from '../notification/notification.service';
import { allowedEvents, MachineDefinition, nextState, Party } from '../../workflow/machine';
import { applyEvent, EventRequest, recordCreation, VersionedRow } from '../../workflow/transition';
import { caseMachine } from '../case/case.machine';
import { findVisibleCase } from '../case/case.service';
import { CaseRow } from '../case/case.types';
import { clueMachine } from '../clue/clue.machine';
import { findVisibleClue } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { regionSettings } from '../reference/region-settings';
import { addWorkingDays, shanghaiDate } from '../reference/working-days';
import { transferMachine } from '../transfer/transfer.machine';
import { DepartmentRef, findDepartment, TransferRow } from '../transfer/transfer.repository';
import { findVisibleTransfer } from '../transfer/transfer.service';
import { SUPERVISION_KINDS } from './supervision.kinds';
import { SupervisionEvent, supervisionMachine } from './supervision.machine';
import {
  insertProgress,
  insertSupervisionItem,
  ProgressRow,
  progressByItemIds as progressOfItems,
  SupervisionItemRow,
  supervisionItemPage,
  visibleSupervisionItems,
} from './supervision.repository';
import { CreateSupervisionInput, SupervisionFilter } from './supervision.types';

type Db = AppServices['db'] | EntityManager;

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
  const [row] = await visibleSupervisionItems(db, actor, [id], lock);
  if (!row) throw notFound('supervision item');
  return row;
}

export const visibleSupervisionItemsByIds = (db: Db, actor: Actor, ids: readonly string[]) =>
  visibleSupervisionItems(db, actor, ids);

export const progressByItemIds = (db: Db, ids: readonly string[]): Promise<ProgressRow[]> => progressOfItems(db, ids);

export function listSupervisionItems(
  services: AppServices,
  actor: Actor,
  filter: SupervisionFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<SupervisionItemRow>> {
  return supervisionItemPage(
    services.db,
    actor,
    {
      status: filter?.status,
      kind: filter?.kind,
      assignedToDepartmentId: optionalRowId(filter?.assignedToDepartmentId, 'Department'),
      creatorDepartmentId: optionalRowId(filter?.creatorDepartmentId, 'Department'),
      regionCode: filter?.regionCode,
      clueId: optionalRowId(filter?.clueId, 'Clue'),
      caseId: optionalRowId(filter?.caseId, 'Case'),
      createdFrom: filter?.createdFrom,
      createdTo: filter?.createdTo,
      deadlineFrom: filter?.deadlineFrom,
      deadlineTo: filter?.deadlineTo,
    },
    first,
    after,
  );
}

type Target =
  { entity: 'Clue'; row: ClueRow } | { entity: 'Case'; row: CaseRow } | { entity: 'ClueTransfer'; row: TransferRow };

/** The one target of a new item, visible to the leader, or NOT_FOUND. */
async function findTarget(m: EntityManager, actor: Actor, input: CreateSupervisionInput): Promise<Target> {
  const given = [input.clueId, input.caseId, input.transferId].filter((id) => id != null);
  if (given.length !== 1) throw badInput('a supervision item has exactly one target: clueId, caseId or transferId');
  if (input.clueId) return { entity: 'Clue', row: await findVisibleClue(m, actor, rowId(input.clueId, 'Clue')) };
  if (input.caseId) return { entity: 'Case', row: await findVisibleCase(m, actor, rowId(input.caseId, 'Case')) };
  const transferId = rowId(input.transferId as string, 'ClueTransfer');
  return { entity: 'ClueTransfer', row: await findVisibleTransfer(m, actor, transferId) };
}

type Designation = 'DESIGNATED_JURISDICTION';

/**
 * Fires DESIGNATED_JURISDICTION on one of the three machines: who and when first (FORBIDDEN,
 * INVALID_TRANSITION), then `prepare` judges the request and gives the columns the event
 * sets. The event has no guard and keeps the state: nothing reads its input.
 */
async function designate<S extends string, Row extends VersionedRow<S>>(
  m: EntityManager,
  machine: MachineDefinition<S, Designation, never>,
  row: Row,
  request: { actor: Actor; parties: ReadonlySet<Party>; detail: Record<string, unknown> },
  prepare: () => Promise<EventRequest<Designation, never, Row>['set']>,
): Promise<void> {
  nextState(machine, row.status, 'DESIGNATED_JURISDICTION', request.parties, undefined as never);
  const set = await prepare();
  await applyEvent(m, machine, row, { event: 'DESIGNATED_JURISDICTION', ...request, input: undefined as never, set });
}

/**
 * 指定管辖: the assigned department becomes the target's owner (for a pending transfer, its
 * receiver, with a fresh accept deadline of its own) — an event of the target's machine that
 * keeps its state, versioned, on its timeline and audited.
 */
async function designateJurisdiction(
  m: EntityManager,
  actor: Actor,
  target: Target,
  to: DepartmentRef,
  itemId: string,
): Promise<void> {
  const ownerId = target.entity === 'ClueTransfer' ? target.row.from_department_id : target.row.owner_department_id;
  const owner = ownerId ? await findDepartment(m, ownerId) : null;
  const parties = partiesOf(actor, {
    jurisdictionOwner: owner ? { kind: owner.kind, regionCode: owner.region_code } : null,
  });
  const fromDepartmentId =
    target.entity === 'ClueTransfer' ? target.row.to_department_id : target.row.owner_department_id;
  const request = {
    actor,
    parties,
    detail: {
      supervisionItemId: toGlobalId('SupervisionItem', itemId),
      fromDepartmentId: fromDepartmentId && toGlobalId('Department', fromDepartmentId),
      toDepartmentId: toGlobalId('Department', to.id),
    },
  };
  if (target.entity === 'ClueTransfer') {
    const transfer = target.row;
    await designate(m, transferMachine, transfer, request, async () => {
      if (to.id === transfer.to_department_id || to.id === transfer.from_department_id) {
        throw badInput('指定管辖 of a transfer needs a department other than its sender and its receiver');
      }
      const settings = await regionSettings(m, to.region_code);
      const days = to.kind === 'PUBLIC_SECURITY' ? settings.acceptWorkingDaysPolice : settings.acceptWorkingDays;
      return {
        to_department_id: to.id,
        accept_deadline: await addWorkingDays(m, new Date(), days),
        overdue: false,
        overdue_since: null,
      };
    });
    return;
  }
  const newOwner = async () => {
    if (to.id === fromDepartmentId) throw badInput('指定管辖 needs a department other than the current owner');
    return { owner_department_id: to.id };
  };
  if (target.entity === 'Clue') await designate(m, clueMachine, target.row, request, newOwner);
  else await designate(m, caseMachine, target.row, request, newOwner);
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
  const id = await inTransaction(services.db, async (m) => {
    const target = await findTarget(m, actor, input);
    const assigned = await findDepartment(m, assignedId);
    if (!assigned) throw badInput('unknown assigned department');
    const item = await insertSupervisionItem(m, {
      kind: input.kind,
      title,
      clue_id: target.entity === 'Clue' ? target.row.id : null,
      case_id: target.entity === 'Case' ? target.row.id : null,
      transfer_id: target.entity === 'ClueTransfer' ? target.row.id : null,
      assigned_to_department_id: assignedId,
      creator_department_id: actor.department.id,
      leader_id: actor.userId,
      deadline: input.deadline,
    });
    // The mutation itself is audited; the item's timeline starts here.
    await recordCreation(m, supervisionMachine, { id: item.id, event: 'CREATE', actor, note: title, audit: false });
    if (SUPERVISION_KINDS[input.kind].designates) await designateJurisdiction(m, actor, target, assigned, item.id);
    await notify(m, {
      kind: 'SUPERVISION_ASSIGNED',
      title: `收到督办：${title}`,
      body: `${SUPERVISION_KINDS[input.kind].label}，期限 ${shanghaiDate(input.deadline)}`,
      target: { type: 'SupervisionItem', id: item.id },
      to: { departmentIds: [assignedId], roles: CASE_WORKERS },
      dedupeKey: `supervision-assigned:${item.id}`,
    });
    return item.id;
  });
  return findVisibleSupervisionItem(services.db, actor, id);
}

async function transitionSupervisionItem(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  event: SupervisionEvent,
  options: {
    set?: EventRequest<SupervisionEvent, unknown, SupervisionItemRow>['set'];
    note?: string;
    expectedVersion?: number | null;
    /** What the event does besides changing the item, in its transaction. */
    effect?: (m: EntityManager, item: SupervisionItemRow) => Promise<void>;
  },
): Promise<SupervisionItemRow> {
  const id = rowId(itemGlobalId, 'SupervisionItem');
  await inTransaction(services.db, async (m) => {
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
    await options.effect?.(m, item);
  });
  return findVisibleSupervisionItem(services.db, actor, id);
}

/** 督办进展 (REPORT_PROGRESS): while the item is in hand, by the assigned or the supervising department. */
export function reportSupervisionProgress(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  note: string,
): Promise<SupervisionItemRow> {
  if (!note.trim()) throw badInput('note must not be empty');
  return transitionSupervisionItem(services, actor, itemGlobalId, 'REPORT_PROGRESS', {
    note,
    effect: (m, item) => insertProgress(m, { item_id: item.id, author_id: actor.userId, note }),
  });
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
