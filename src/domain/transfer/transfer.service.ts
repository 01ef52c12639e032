/**
 * 线索移送: two-way transfers between the four agencies. Requesting moves the clue to
 * TRANSFER_PENDING; accepting makes the receiver its owner (ASSIGNED); returning restores
 * the clue's previous state (the owner never changed). Deadlines in working days.
 */
import { notify } from '../notification/notification.service';
import { inTransaction } from '../../db/transaction';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { Actor, CASE_WORKERS, partiesOf } from '../../policy';
import { nextState } from '../../workflow/machine';
import { applyEvent, EventRequest, recordCreation } from '../../workflow/transition';
import { clueMachine } from '../clue/clue.machine';
import { clueParties, findVisibleClue } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { regionSettings } from '../reference/region-settings';
import { addMonths, addWorkingDays } from '../reference/working-days';
import { TransferEvent, transferMachine } from './transfer.machine';
import {
  DepartmentRef,
  findDepartment,
  insertTransfer,
  TransferListFilter,
  transferPage,
  TransferRow,
  transfersByClueIds as transfersOfClues,
  visibleTransfersByIds as visibleTransfers,
} from './transfer.repository';
import { publishEvent } from '../../events/pubsub';

export type { TransferRow } from './transfer.repository';

type Db = AppServices['db'] | EntityManager;

export async function findVisibleTransfer(db: Db, actor: Actor, transferId: string): Promise<TransferRow> {
  const [row] = await visibleTransfers(db, actor, [transferId]);
  if (!row) throw notFound('transfer');
  return row;
}

/** Visible transfers by id, for batch loading (ids not visible are absent). */
export const visibleTransfersByIds = (db: Db, actor: Actor, ids: readonly string[]): Promise<TransferRow[]> =>
  visibleTransfers(db, actor, ids);

/** The transfers of clues, oldest first (a transfer is visible with its clue). */
export const transfersByClueIds = (db: Db, clueIds: readonly string[]): Promise<TransferRow[]> =>
  transfersOfClues(db, clueIds);

export const transferParties = (actor: Actor | null, t: TransferRow) =>
  partiesOf(actor, { receiverDepartmentId: t.to_department_id });

export function listTransfers(
  services: AppServices,
  actor: Actor,
  filter: TransferListFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<TransferRow>> {
  return transferPage(
    services.db,
    actor,
    filter && {
      ...filter,
      fromDepartmentId: optionalRowId(filter.fromDepartmentId, 'Department'),
      toDepartmentId: optionalRowId(filter.toDepartmentId, 'Department'),
      campaignId: optionalRowId(filter.campaignId, 'Campaign'),
    },
    first,
    after,
  );
}

/** The department a transfer is addressed to (its region's settings decide the deadlines). */
async function receiver(db: Db, transfer: TransferRow): Promise<DepartmentRef> {
  const to = await findDepartment(db, transfer.to_department_id);
  if (!to) throw new Error(`department ${transfer.to_department_id} of transfer ${transfer.id} is missing`);
  return to;
}

export async function requestTransfer(
  services: AppServices,
  actor: Actor,
  input: { clueId: string; toDepartmentId: string; reason: string; expectedVersion?: number | null },
): Promise<TransferRow> {
  const clueId = rowId(input.clueId, 'Clue');
  const toDepartmentId = rowId(input.toDepartmentId, 'Department');
  if (!input.reason.trim()) throw badInput('reason must not be empty');
  const to = await findDepartment(services.db, toDepartmentId);
  if (!to) throw badInput('unknown target department');
  const id = await inTransaction(services.db, async (m) => {
    const clue = await findVisibleClue(m, actor, clueId);
    if (clue.owner_department_id === toDepartmentId) throw badInput('a clue cannot be transferred to its own owner');
    const settings = await regionSettings(m, to.region_code);
    const now = new Date();
    const acceptDays = to.kind === 'PUBLIC_SECURITY' ? settings.acceptWorkingDaysPolice : settings.acceptWorkingDays;
    await applyEvent(m, clueMachine, clue, {
      event: 'REQUEST_TRANSFER',
      actor,
      parties: clueParties(actor, clue),
      expectedVersion: input.expectedVersion,
      input: {},
      set: { status_before_transfer: clue.status },
      note: input.reason,
      detail: { toDepartmentId },
    });
    const row = await insertTransfer(m, {
      clue_id: clue.id,
      from_department_id: actor.department.id, // the owner's: only the owner requests (REQUEST_TRANSFER)
      to_department_id: toDepartmentId,
      reason: input.reason,
      requested_by: actor.userId,
      requested_at: now,
      accept_deadline: await addWorkingDays(m, now, acceptDays),
      clue_status_before: clue.status,
    });
    // The mutation itself is audited; the transfer's timeline starts here.
    await recordCreation(m, transferMachine, { id: row.id, event: 'REQUEST', actor, note: input.reason, audit: false });
    await notify(m, {
      kind: 'TRANSFER_RECEIVED',
      title: `收到线索移送：${clue.code}`,
      body: `「${clue.title}」移送理由：${input.reason}`,
      // About the clue it brings (its page shows the pending transfer to accept or return).
      target: { type: 'Clue', id: clue.id },
      to: { departmentIds: [toDepartmentId], roles: CASE_WORKERS },
      dedupeKey: `transfer-received:${row.id}`,
    });
    return row.id;
  });
  const transfer = await findVisibleTransfer(services.db, actor, id);
  await publishEvent(services, 'transferReceived', { transferId: id, departmentId: toDepartmentId });
  return transfer;
}

/** The columns an event of the transfer machine sets with it (checked against clue_transfer). */
type TransferChange = EventRequest<TransferEvent, unknown, TransferRow>['set'];

async function transitionTransfer(
  services: AppServices,
  actor: Actor,
  transferId: string,
  event: TransferEvent,
  work: (m: EntityManager, transfer: TransferRow, clue: ClueRow) => Promise<TransferChange>,
  note?: string,
): Promise<TransferRow> {
  const id = rowId(transferId, 'ClueTransfer');
  await inTransaction(services.db, async (m) => {
    const transfer = await findVisibleTransfer(m, actor, id);
    const clue = await findVisibleClue(m, actor, transfer.clue_id);
    const set = await work(m, transfer, clue);
    await applyEvent(m, transferMachine, transfer, {
      event,
      actor,
      parties: transferParties(actor, transfer),
      input: {},
      set,
      note,
    });
  });
  return findVisibleTransfer(services.db, actor, id);
}

export async function acceptTransfer(services: AppServices, actor: Actor, transferId: string): Promise<TransferRow> {
  const result = await transitionTransfer(services, actor, transferId, 'ACCEPT', async (m, transfer, clue) => {
    const settings = await regionSettings(m, (await receiver(m, transfer)).region_code);
    const now = new Date();
    if (transfer.status === 'PENDING') {
      await applyEvent(m, clueMachine, clue, {
        event: 'TRANSFER_ACCEPTED',
        actor,
        parties: clueParties(actor, clue),
        input: {},
        set: { owner_department_id: transfer.to_department_id, status_before_transfer: null },
        detail: { transferId: transfer.id, fromDepartmentId: transfer.from_department_id },
      });
    }
    return {
      responded_at: now,
      responded_by: actor.userId,
      overdue: false,
      feedback_deadline: await addWorkingDays(m, now, settings.feedbackWorkingDays),
    };
  });
  await publishEvent(services, 'clueAssigned', { clueId: result.clue_id, departmentId: result.to_department_id });
  return result;
}

export function returnTransfer(
  services: AppServices,
  actor: Actor,
  transferId: string,
  reason: string,
): Promise<TransferRow> {
  if (!reason.trim()) throw badInput('a return needs a reason');
  return transitionTransfer(
    services,
    actor,
    transferId,
    'RETURN',
    async (m, transfer, clue) => {
      if (transfer.status === 'PENDING') {
        await applyEvent(m, clueMachine, clue, {
          event: 'TRANSFER_RETURNED',
          actor,
          parties: clueParties(actor, clue),
          input: { statusBeforeTransfer: transfer.clue_status_before as ClueRow['status'] },
          set: { status_before_transfer: null },
          note: reason,
          detail: { transferId: transfer.id },
        });
      }
      return { responded_at: new Date(), responded_by: actor.userId, return_reason: reason, overdue: false };
    },
    reason,
  );
}

export function submitTransferFeedback(
  services: AppServices,
  actor: Actor,
  transferId: string,
  feedback: string,
): Promise<TransferRow> {
  if (!feedback.trim()) throw badInput('feedback must not be empty');
  return transitionTransfer(
    services,
    actor,
    transferId,
    'GIVE_FEEDBACK',
    async () => ({ feedback, feedback_at: new Date(), overdue: false }),
    feedback,
  );
}

/**
 * Extends the feedback deadline with a reason (EXTEND_FEEDBACK, which keeps the state): to at
 * most feedbackExtensionMonths after the request in one step, never beyond feedbackMaxMonths
 * (defaults 3 and 6).
 */
export async function extendTransferFeedback(
  services: AppServices,
  actor: Actor,
  transferId: string,
  months: number,
  reason: string,
  expectedVersion?: number | null,
): Promise<TransferRow> {
  const id = rowId(transferId, 'ClueTransfer');
  if (!reason.trim()) throw badInput('an extension needs a reason');
  await inTransaction(services.db, async (m) => {
    const transfer = await findVisibleTransfer(m, actor, id);
    const parties = transferParties(actor, transfer);
    // Who and when (FORBIDDEN, INVALID_TRANSITION) before the months asked for.
    nextState(transferMachine, transfer.status, 'EXTEND_FEEDBACK', parties, {});
    const settings = await regionSettings(m, (await receiver(m, transfer)).region_code);
    if (!Number.isInteger(months) || months < 1 || months > settings.feedbackMaxMonths) {
      throw badInput(`months must be between 1 and ${settings.feedbackMaxMonths}`);
    }
    const deadline = addMonths(transfer.requested_at, months);
    const firstStep = addMonths(transfer.requested_at, settings.feedbackExtensionMonths);
    if (deadline > firstStep && !transfer.feedback_extended_reason) {
      throw badInput(
        `the first extension reaches at most ${settings.feedbackExtensionMonths} months after the request`,
      );
    }
    if (transfer.feedback_deadline && deadline <= transfer.feedback_deadline) {
      throw badInput(
        `an extension must move the feedback deadline later than ${transfer.feedback_deadline.toISOString()}`,
      );
    }
    await applyEvent(m, transferMachine, transfer, {
      event: 'EXTEND_FEEDBACK',
      actor,
      parties,
      expectedVersion,
      input: {},
      set: {
        feedback_deadline: deadline,
        feedback_extended_reason: transfer.feedback_extended_reason
          ? `${transfer.feedback_extended_reason}\n${reason}`
          : reason,
        overdue: transfer.overdue && deadline < new Date(),
      },
      note: reason,
      detail: { feedbackDeadline: deadline.toISOString(), months },
    });
  });
  return findVisibleTransfer(services.db, actor, id);
}
