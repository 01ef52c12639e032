/**
 * 线索移送: two-way transfers between the four agencies. Requesting moves the clue to
 * TRANSFER_PENDING; accepting makes the receiver its owner (ASSIGNED); returning restores
 * the clue's previous state (the owner never changed). Deadlines in working days.
 */
import { SqlParams } from '../../core/sql';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { AppError, badInput, notFound } from '../../core/errors';
import { Connection, paginate } from '../../core/pagination';
import { fromGlobalId } from '../../core/ids';
import { Actor, partiesOf, transferVisibleSql } from '../../policy';
import { applyEvent } from '../../workflow/transition';
import { insertTimelineEntry } from '../../workflow/timeline.repository';
import { clueMachine } from '../clue/clue.machine';
import { clueParties, findVisibleClue } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { regionSettings } from '../reference/region-settings';
import { addMonths, addWorkingDays } from '../reference/working-days';
import { transferMachine, TransferEvent, TransferStatus } from './transfer.machine';
import { publishEvent } from '../../graphql/pubsub';

export interface TransferRow extends Record<string, unknown> {
  id: string;
  clue_id: string;
  from_department_id: string;
  to_department_id: string;
  reason: string;
  status: TransferStatus;
  requested_by: string;
  requested_at: Date;
  accept_deadline: Date;
  feedback_deadline: Date | null;
  responded_at: Date | null;
  return_reason: string | null;
  feedback: string | null;
  feedback_at: Date | null;
  overdue: boolean;
  clue_status_before: string;
  version: number;
}

type Db = AppServices['db'] | EntityManager;

export async function findVisibleTransfer(db: Db, actor: Actor, transferId: string): Promise<TransferRow> {
  const [row] = await visibleTransfersByIds(db, actor, [transferId]);
  if (!row) throw notFound('transfer');
  return row;
}

/** Visible transfers by id, for batch loading (ids not visible are absent). */
export function visibleTransfersByIds(db: Db, actor: Actor, ids: readonly string[]): Promise<TransferRow[]> {
  const params = new SqlParams([ids]);
  return db.query(
    `SELECT t.* FROM clue_transfer t WHERE t.id = ANY($1::uuid[]) AND ${transferVisibleSql(actor, params)}`,
    params.values,
  );
}

/** The transfers of clues, oldest first (a transfer is visible with its clue). */
export function transfersByClueIds(db: Db, clueIds: readonly string[]): Promise<TransferRow[]> {
  return db.query('SELECT * FROM clue_transfer WHERE clue_id = ANY($1::uuid[]) ORDER BY requested_at, id', [clueIds]);
}

export const transferParties = (actor: Actor | null, t: TransferRow) => partiesOf(actor, { receiverDepartmentId: t.to_department_id });

export async function listTransfers(
  services: AppServices,
  actor: Actor,
  filter: { direction?: 'INCOMING' | 'OUTGOING' | null; status?: TransferStatus[] | null; overdue?: boolean | null } | null | undefined,
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
  return paginate<TransferRow & { requested_us: string }, TransferRow>({
    query: (sql, ps) => services.db.query(sql, ps),
    from: `(SELECT t.*, (extract(epoch FROM t.requested_at) * 1000000)::bigint AS requested_us FROM clue_transfer t) t`,
    where,
    params,
    orderBy: [
      { column: 't.requested_us', key: 'requested_us' },
      { column: 't.id', key: 'id' },
    ],
    descending: true,
    first,
    after,
    map: (row) => row,
  });
}

export async function requestTransfer(
  services: AppServices,
  actor: Actor,
  input: { clueId: string; toDepartmentId: string; reason: string; expectedVersion?: number | null },
): Promise<TransferRow> {
  const clueId = fromGlobalId(input.clueId, 'Clue').id;
  const toDepartmentId = fromGlobalId(input.toDepartmentId, 'Department').id;
  if (!input.reason.trim()) throw badInput('reason must not be empty');
  const [to] = await services.db.query('SELECT id, kind, region_code FROM department WHERE id = $1', [toDepartmentId]);
  if (!to) throw badInput('unknown target department');
  const id = await services.db.transaction(async (m) => {
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
    const [row]: TransferRow[] = await m.query(
      `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, requested_at,
                                  accept_deadline, clue_status_before)
       VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $8) RETURNING *`,
      [clue.id, clue.owner_department_id, toDepartmentId, input.reason, actor.userId, now, await addWorkingDays(m, now, acceptDays), clue.status],
    );
    return row.id;
  });
  const transfer = await findVisibleTransfer(services.db, actor, id);
  await publishEvent(services, 'transferReceived', { transferId: id, departmentId: toDepartmentId });
  return transfer;
}

async function transitionTransfer(
  services: AppServices,
  actor: Actor,
  transferId: string,
  event: TransferEvent,
  work: (m: EntityManager, transfer: TransferRow, clue: ClueRow) => Promise<Record<string, unknown>>,
  note?: string,
): Promise<TransferRow> {
  const id = fromGlobalId(transferId, 'ClueTransfer').id;
  await services.db.transaction(async (m) => {
    const transfer = await findVisibleTransfer(m, actor, id);
    const clue = await findVisibleClue(m, actor, transfer.clue_id);
    const set = await work(m, transfer, clue);
    await applyEvent(m, transferMachine, transfer, { event, actor, parties: transferParties(actor, transfer), input: {}, set, note });
  });
  return findVisibleTransfer(services.db, actor, id);
}

export async function acceptTransfer(services: AppServices, actor: Actor, transferId: string): Promise<TransferRow> {
  const result = await transitionTransfer(services, actor, transferId, 'ACCEPT', async (m, transfer, clue) => {
    const [to] = await m.query('SELECT region_code FROM department WHERE id = $1', [transfer.to_department_id]);
    const settings = await regionSettings(m, to.region_code);
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

export function returnTransfer(services: AppServices, actor: Actor, transferId: string, reason: string): Promise<TransferRow> {
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

export function submitTransferFeedback(services: AppServices, actor: Actor, transferId: string, feedback: string): Promise<TransferRow> {
  if (!feedback.trim()) throw badInput('feedback must not be empty');
  return transitionTransfer(services, actor, transferId, 'GIVE_FEEDBACK', async () => ({ feedback, feedback_at: new Date(), overdue: false }), feedback);
}

/**
 * Extends the feedback deadline with a reason: to at most feedbackExtensionMonths after the
 * request in one step, never beyond feedbackMaxMonths (defaults 3 and 6).
 */
export async function extendTransferFeedback(
  services: AppServices,
  actor: Actor,
  transferId: string,
  months: number,
  reason: string,
): Promise<TransferRow> {
  const id = fromGlobalId(transferId, 'ClueTransfer').id;
  if (!reason.trim()) throw badInput('an extension needs a reason');
  await services.db.transaction(async (m) => {
    const transfer = await findVisibleTransfer(m, actor, id);
    if (!transferParties(actor, transfer).has('RECEIVER')) throw new AppError('FORBIDDEN', 'only the receiving department extends its feedback deadline');
    if (transfer.status !== 'ACCEPTED') {
      throw new AppError('INVALID_TRANSITION', `ClueTransfer is ${transfer.status}: only an accepted transfer's feedback deadline can be extended`);
    }
    const [to] = await m.query('SELECT region_code FROM department WHERE id = $1', [transfer.to_department_id]);
    const settings = await regionSettings(m, to.region_code);
    if (!Number.isInteger(months) || months < 1 || months > settings.feedbackMaxMonths) {
      throw badInput(`months must be between 1 and ${settings.feedbackMaxMonths}`);
    }
    const deadline = addMonths(transfer.requested_at, months);
    const firstStep = addMonths(transfer.requested_at, settings.feedbackExtensionMonths);
    if (deadline > firstStep && !transfer.feedback_extended_reason) {
      throw badInput(`the first extension reaches at most ${settings.feedbackExtensionMonths} months after the request`);
    }
    if (transfer.feedback_deadline && deadline <= transfer.feedback_deadline) {
      throw badInput(`an extension must move the feedback deadline later than ${transfer.feedback_deadline.toISOString()}`);
    }
    const updated = await m.query(
      `WITH changed AS (
         UPDATE clue_transfer SET feedback_deadline = $2, feedback_extended_reason = coalesce(feedback_extended_reason || E'\\n', '') || $3,
                overdue = overdue AND $2 < now(), version = version + 1
         WHERE id = $1 AND version = $4 RETURNING id)
       SELECT * FROM changed`,
      [id, deadline, reason, transfer.version],
    );
    if (!updated.length) throw new AppError('VERSION_CONFLICT', 'ClueTransfer was changed concurrently: reload and retry');
    await insertTimelineEntry(m, {
      entity: 'ClueTransfer',
      entityId: id,
      actorId: actor.userId,
      from: transfer.status,
      to: transfer.status,
      event: 'EXTEND_FEEDBACK',
      note: reason,
      detail: { feedbackDeadline: deadline.toISOString(), months },
    });
  });
  return findVisibleTransfer(services.db, actor, id);
}
