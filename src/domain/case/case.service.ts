/**
 * Cases (案件): filed from substantiated clues, driven through the case machine, with
 * sanctions (处理处罚), rectification items (整改事项: measures of the case's CASE problems,
 * docs/OUTCOMES.md) and links to other
 * cases (一案双查). Every change of a case — its transitions and the content events that keep
 * its state — is an event of its machine, applied with applyEvent; the SQL is in
 * case.repository.ts. Reads go through the visibility policy; an id the caller may not see is
 * NOT_FOUND.
 */
import { inTransaction } from '../../db/transaction';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { codePrefix } from '../../core/regions';
import { Actor, assertOwnerCaseWorker, partiesOf, problemPartiesOf } from '../../policy';
import { allowedEvents, Party, statesFiring } from '../../workflow/machine';
import { applyEvent, recordCreation } from '../../workflow/transition';
import { appendAudit } from '../audit/audit.service';
import { clueMachine } from '../clue/clue.machine';
import { clueParties } from '../clue/clue.service';
import { shanghaiDate } from '../reference/working-days';
import * as cases from './case.repository';
import { CaseContentEvent, CaseGuardInput, caseMachine, CaseTransition, isCaseTransition } from './case.machine';
import {
  AddRectificationInput,
  AddSanctionInput,
  CaseFilter,
  CaseRelationKind,
  CaseRow,
  OpenCaseInput,
  RectificationRow,
  SANCTION_KINDS_WITH_AMOUNT,
  SanctionRow,
} from './case.types';
import { measureMachine, MeasureStatus } from '../problem/measure.machine';
import { problemMachine } from '../problem/problem.machine';
import {
  findCaseProblem,
  insertMeasure,
  insertProblem,
  measuresByIds,
  problemsByIds,
} from '../problem/problem.repository';

type Db = AppServices['db'] | EntityManager;

export {
  rectificationsByCaseIds,
  sanctionsByCaseIds,
  visibleCasesByClueIds,
  visibleCasesByIds,
  visibleCluesByCaseIds,
  visibleRelationsByCaseIds,
  visibleSanctionsByIds,
} from './case.repository';

/** At most this many clues are filed together as one case. */
const MAX_CLUES_PER_CASE = 100;

/**
 * A measure of a problem sourced from the case (a rectification item of the case) is open until
 * accepted (验收, or the one-step COMPLETE); CLOSE waits for those.
 */
const OPEN_MEASURE_STATES = (Object.keys(measureMachine.states) as MeasureStatus[]).filter(
  (s) => s !== measureMachine.events.ACCEPT.to,
);
/** The problem states in which a new rectification item joins an existing CASE problem. */
const PROBLEM_STATES_TAKING_MEASURES = statesFiring(problemMachine, 'ADD_MEASURE');
/** The category of the problems that collect a case's rectification items. */
export const CASE_RECTIFICATION_CATEGORY = '案件整改';

export const caseParties = (actor: Actor | null, row: CaseRow) =>
  partiesOf(actor, { ownerDepartmentId: row.owner_department_id });

/** Case.allowedEvents: the transitions the caller may fire now (content events have mutations of their own). */
export const caseAllowedEvents = (actor: Actor, row: CaseRow): CaseTransition[] =>
  allowedEvents(caseMachine, row.status, caseParties(actor, row)).filter(isCaseTransition);

/** The parties of a rectification item: its rectifying department (RECTIFIER) and its case's owner (OWNER). */
const rectificationParties = (actor: Actor, item: RectificationRow, caseOwnerDepartmentId: string) =>
  partiesOf(actor, { ownerDepartmentId: caseOwnerDepartmentId, rectifierDepartmentId: item.owner_department_id });

/**
 * A case the actor may see, or NOT_FOUND. `lock` takes a row lock on the case so that
 * sanctions and rectifications cannot slip past a guard being evaluated concurrently.
 */
export async function findVisibleCase(db: Db, actor: Actor, caseId: string, lock?: cases.RowLock): Promise<CaseRow> {
  const row = await cases.findVisibleCase(db, actor, caseId, lock);
  if (!row) throw notFound('case');
  return row;
}

/** A rectification item the actor may see (with its case, or as the rectifying department), or NOT_FOUND. */
export async function findVisibleRectification(db: Db, actor: Actor, id: string): Promise<RectificationRow> {
  const row = await cases.findVisibleRectification(db, actor, id);
  if (!row) throw notFound('rectification item');
  return row;
}

export function listCases(
  services: AppServices,
  actor: Actor,
  filter: CaseFilter | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CaseRow>> {
  return cases.listVisibleCases(
    services.db,
    actor,
    {
      status: filter?.status,
      ownerDepartmentId: filter?.ownerDepartmentId ? rowId(filter.ownerDepartmentId, 'Department') : null,
      regionPrefix: filter?.regionCode ? codePrefix(filter.regionCode) : null,
      model: filter?.model,
      institutionCode: filter?.institutionCode,
      personId: filter?.personId,
      campaignId: optionalRowId(filter?.campaignId, 'Campaign'),
      leadInvestigatorId: optionalRowId(filter?.leadInvestigatorId, 'User'),
      minAmount: filter?.minAmount,
      maxAmount: filter?.maxAmount,
      filedFrom: filter?.filedFrom,
      filedTo: filter?.filedTo,
      closedFrom: filter?.closedFrom,
      closedTo: filter?.closedTo,
    },
    first,
    after,
  );
}

/**
 * Fires one event of a case (locked by the caller) with applyEvent; the guards read the case's
 * sanctions and open rectification items in the transaction.
 */
async function fireCaseEvent(
  m: EntityManager,
  actor: Actor,
  row: CaseRow,
  event: CaseTransition | CaseContentEvent,
  options: {
    parties: ReadonlySet<Party>;
    expectedVersion?: number | null;
    noActionDecision?: string | null;
    set?: { no_action_decision?: string; closed_at?: Date };
    note?: string | null;
    detail?: Record<string, unknown>;
  },
): Promise<CaseRow> {
  const counts = await cases.caseContentCounts(m, row.id, OPEN_MEASURE_STATES);
  const input: CaseGuardInput = {
    ...counts,
    noActionDecision: Boolean(options.noActionDecision ?? row.no_action_decision),
  };
  return applyEvent(m, caseMachine, row, {
    event,
    actor,
    parties: options.parties,
    expectedVersion: options.expectedVersion,
    input,
    set: options.set,
    note: options.note,
    detail: options.detail,
  });
}

// ---------------------------------------------------------------------------------------
// Filing and transitions.
// ---------------------------------------------------------------------------------------

/**
 * 立案: files one case from substantiated clues the caller's department owns. Each clue goes
 * SUBSTANTIATED → CASE_OPENED through the clue machine, in the same transaction as the case.
 */
export async function openCase(services: AppServices, actor: Actor, input: OpenCaseInput): Promise<CaseRow> {
  const title = input.title.trim();
  if (!title) throw badInput('title must not be empty');
  const clueIds = [...new Set(input.clueIds.map((id) => rowId(id, 'Clue')))];
  if (!clueIds.length) throw badInput('a case is filed from at least one clue');
  if (clueIds.length > MAX_CLUES_PER_CASE) throw badInput(`a case is filed from at most ${MAX_CLUES_PER_CASE} clues`);
  const leadId = input.leadInvestigatorId ? rowId(input.leadInvestigatorId, 'User') : null;

  const caseId = await inTransaction(services.db, async (m) => {
    // Locked: a clue filed concurrently into another case is then seen as CASE_OPENED here.
    const clues = await cases.lockVisibleClues(m, actor, clueIds);
    if (clues.length !== clueIds.length) throw notFound('clue');
    for (const clue of clues)
      assertOwnerCaseWorker(actor, clue.owner_department_id ?? '', `file a case on clue ${clue.code}`);
    if (leadId && !(await cases.isActiveUserOf(m, leadId, actor.department.id))) {
      throw badInput('the lead investigator must be an active user of the owning department');
    }
    const row = await cases.insertCase(m, {
      title,
      status: caseMachine.creation.FILE.to,
      owner_department_id: actor.department.id,
      region_code: clues[0].region_code,
      lead_investigator_id: leadId,
      created_by: actor.userId,
    });
    await cases.insertCaseClues(m, row.id, clueIds);
    // One transition per clue: each is checked, versioned and recorded like any other.
    for (const clue of clues) {
      await applyEvent(m, clueMachine, clue, {
        event: 'OPEN_CASE',
        actor,
        parties: clueParties(actor, clue),
        input: {},
        note: title,
        detail: { caseId: toGlobalId('Case', row.id), caseCode: row.code },
      });
    }
    // Audited here, with the case's code (the timeline entry has the clues only).
    await recordCreation(m, caseMachine, {
      id: row.id,
      event: 'FILE',
      actor,
      note: title,
      detail: { clueIds: input.clueIds },
      audit: false,
    });
    await appendAudit(m, {
      actorId: actor.userId,
      action: 'Case.FILE',
      targetType: 'Case',
      targetId: toGlobalId('Case', row.id),
      detail: { code: row.code, clueIds: input.clueIds },
    });
    return row.id;
  });
  return findVisibleCase(services.db, actor, caseId);
}

/** Runs one case transition; the DECIDE and CLOSE guards count sanctions and open rectifications in the transaction. */
export async function transitionCase(
  services: AppServices,
  actor: Actor,
  caseGlobalId: string,
  event: CaseTransition,
  options: { note?: string | null; expectedVersion?: number | null; noActionDecision?: string | null },
): Promise<CaseRow> {
  const id = rowId(caseGlobalId, 'Case');
  const noActionDecision = options.noActionDecision?.trim() || null;
  if (options.noActionDecision != null && event !== 'DECIDE') {
    throw badInput('a no-action decision is recorded only with DECIDE');
  }
  if (options.noActionDecision != null && !noActionDecision) throw badInput('noActionDecision must not be empty');
  await inTransaction(services.db, async (m) => {
    const row = await findVisibleCase(m, actor, id, 'FOR NO KEY UPDATE');
    await fireCaseEvent(m, actor, row, event, {
      parties: caseParties(actor, row),
      expectedVersion: options.expectedVersion,
      noActionDecision,
      set: {
        ...(noActionDecision ? { no_action_decision: noActionDecision } : {}),
        ...(event === 'CLOSE' ? { closed_at: new Date() } : {}),
      },
      note: options.note ?? noActionDecision,
      detail: noActionDecision ? { noActionDecision } : undefined,
    });
  });
  return findVisibleCase(services.db, actor, id);
}

// ---------------------------------------------------------------------------------------
// Sanctions, rectification items, relations: events of the case that keep its state.
// ---------------------------------------------------------------------------------------

/** ADD_SANCTION: the case event (owner, state), then the sanction row as its effect. */
export async function addSanction(services: AppServices, actor: Actor, input: AddSanctionInput): Promise<SanctionRow> {
  const caseId = rowId(input.caseId, 'Case');
  const personId = input.personId?.trim() || null;
  const institutionCode = input.institutionCode?.trim() || null;
  if ((personId === null) === (institutionCode === null)) {
    throw badInput('a sanction has exactly one target: personId or institutionCode');
  }
  if (input.amount?.startsWith('-')) throw badInput('amount must not be negative');
  if (SANCTION_KINDS_WITH_AMOUNT.includes(input.kind) && input.amount == null) {
    throw badInput(`${input.kind} needs an amount`);
  }
  return inTransaction(services.db, async (m) => {
    const row = await findVisibleCase(m, actor, caseId, 'FOR NO KEY UPDATE');
    const sanctionId = randomUUID();
    await fireCaseEvent(m, actor, row, 'ADD_SANCTION', {
      parties: caseParties(actor, row),
      note: input.note ?? null,
      detail: { sanctionId: toGlobalId('Sanction', sanctionId), kind: input.kind, amount: input.amount ?? null },
    });
    if (!(await cases.sanctionTargetExists(m, { personId, institutionCode }))) {
      throw badInput(personId ? `unknown person ${personId}` : `unknown institution ${institutionCode}`);
    }
    return cases.insertSanction(m, {
      id: sanctionId,
      case_id: caseId,
      kind: input.kind,
      person_id: personId,
      institution_code: institutionCode,
      amount: input.amount ?? null,
      note: input.note ?? null,
      decided_by: actor.userId,
    });
  });
}

/**
 * ADD_RECTIFICATION: the case event (owner, state), then the item as a measure (ADD of the
 * measure machine) of the case's CASE problem for that department — responsible = the given
 * department, supervising = the case's owner, region = the case's — created (CREATE) when
 * there is none still taking measures.
 */
export async function addRectification(
  services: AppServices,
  actor: Actor,
  input: AddRectificationInput,
): Promise<RectificationRow> {
  const caseId = rowId(input.caseId, 'Case');
  const ownerDepartmentId = rowId(input.ownerDepartmentId, 'Department');
  const description = input.description.trim();
  if (!description) throw badInput('description must not be empty');
  if (input.deadline < shanghaiDate(new Date())) throw badInput('the deadline must not be in the past');
  const id = randomUUID();
  await inTransaction(services.db, async (m) => {
    const row = await findVisibleCase(m, actor, caseId, 'FOR NO KEY UPDATE');
    await fireCaseEvent(m, actor, row, 'ADD_RECTIFICATION', {
      parties: caseParties(actor, row),
      note: description,
      detail: { rectificationId: toGlobalId('RectificationItem', id), deadline: input.deadline },
    });
    if (!(await cases.departmentExists(m, ownerDepartmentId))) throw badInput('unknown owner department');
    const key = {
      caseId,
      responsibleDepartmentId: ownerDepartmentId,
      supervisingDepartmentId: row.owner_department_id,
    };
    let problem = await findCaseProblem(m, key, PROBLEM_STATES_TAKING_MEASURES);
    if (!problem) {
      problem = await insertProblem(
        m,
        {
          source: 'CASE',
          category: CASE_RECTIFICATION_CATEGORY,
          description: row.title,
          amount: null,
          institution_code: null,
          subject_department_id: null,
          responsible_department_id: ownerDepartmentId,
          supervising_department_id: row.owner_department_id,
          region_code: row.region_code,
          case_id: caseId,
          clue_id: null,
          supervision_item_id: null,
          campaign_id: null,
          inspection_id: null,
          created_by: actor.userId,
        },
        problemMachine.creation.CREATE.to,
      );
      await recordCreation(m, problemMachine, {
        id: problem.id,
        event: 'CREATE',
        actor,
        note: row.title,
        detail: { caseId: toGlobalId('Case', caseId) },
      });
    }
    await insertMeasure(
      m,
      { id, problemId: problem.id, description, deadline: input.deadline },
      measureMachine.creation.ADD.to,
    );
    // Audited as the case's ADD_RECTIFICATION.
    await recordCreation(m, measureMachine, {
      id,
      event: 'ADD',
      actor,
      note: description,
      detail: {
        problemId: toGlobalId('Problem', problem.id),
        caseId: toGlobalId('Case', caseId),
        deadline: input.deadline,
      },
      audit: false,
    });
  });
  return findVisibleRectification(services.db, actor, id);
}

/**
 * The legacy one-step completion of a rectification item: the measure machine's COMPLETE (by
 * the rectifying department or the supervising one, the case's owner) and the case's
 * COMPLETE_RECTIFICATION, in one transaction. The rectifying department may not see the case:
 * the case is read for its event only. Locks: the case, the problem, the measure (the order
 * the case's CLOSE and the problem's CLOSE take).
 */
export async function completeRectification(
  services: AppServices,
  actor: Actor,
  itemGlobalId: string,
  note: string,
  options: { expectedVersion?: number | null } = {},
): Promise<RectificationRow> {
  const id = rowId(itemGlobalId, 'RectificationItem');
  if (!note.trim()) throw badInput('note must not be empty');
  await inTransaction(services.db, async (m) => {
    const item = await findVisibleRectification(m, actor, id);
    const row = await cases.lockCase(m, item.case_id);
    if (!row) throw new Error(`case ${item.case_id} of rectification item ${id} is missing`);
    const [problem] = await problemsByIds(m, [item.problem_id], 'FOR NO KEY UPDATE');
    const [measure] = await measuresByIds(m, [id], 'FOR NO KEY UPDATE');
    const now = new Date();
    await applyEvent(m, measureMachine, measure, {
      event: 'COMPLETE',
      actor,
      parties: problemPartiesOf(actor, problem),
      expectedVersion: options.expectedVersion,
      input: undefined,
      set: {
        report: measure.report ?? note,
        submitted_at: measure.submitted_at ?? now,
        submitted_by: measure.submitted_by ?? actor.userId,
        accepted_at: now,
        accepted_by: actor.userId,
        acceptance_note: note,
      },
      note,
      detail: { caseId: toGlobalId('Case', row.id) },
    });
    await fireCaseEvent(m, actor, row, 'COMPLETE_RECTIFICATION', {
      parties: rectificationParties(actor, item, row.owner_department_id),
      note,
      detail: { rectificationId: toGlobalId('RectificationItem', id) },
    });
  });
  return findVisibleRectification(services.db, actor, id);
}

/**
 * Links two cases both ways (the relation reads the same from either side), a LINK event of
 * each. The caller must own the first and see the second; linking again with another kind
 * changes the kind.
 */
export async function linkCases(
  services: AppServices,
  actor: Actor,
  caseGlobalId: string,
  otherGlobalId: string,
  kind: CaseRelationKind,
): Promise<CaseRow> {
  const id = rowId(caseGlobalId, 'Case');
  const otherId = rowId(otherGlobalId, 'Case');
  if (id === otherId) throw badInput('a case cannot be linked to itself');
  await inTransaction(services.db, async (m) => {
    // Locked in id order, so that two links of the same pair do not deadlock.
    const locked = new Map<string, CaseRow>();
    for (const caseId of [id, otherId].sort()) {
      locked.set(caseId, await findVisibleCase(m, actor, caseId, 'FOR NO KEY UPDATE'));
    }
    const row = locked.get(id)!;
    const other = locked.get(otherId)!;
    // The link is one act of the first case's owner, recorded on both cases: on the second
    // the caller acts as that owner (it need only see the second case).
    const parties = caseParties(actor, row);
    await fireCaseEvent(m, actor, row, 'LINK', {
      parties,
      detail: { kind, otherCaseId: toGlobalId('Case', other.id), otherCaseCode: other.code },
    });
    await cases.upsertRelation(m, id, otherId, kind);
    await fireCaseEvent(m, actor, other, 'LINK', {
      parties,
      detail: { kind, otherCaseId: toGlobalId('Case', row.id), otherCaseCode: row.code },
    });
  });
  return findVisibleCase(services.db, actor, id);
}
