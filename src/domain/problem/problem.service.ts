/**
 * 问题清单 (PRODUCT.md §9): a problem, found in a case, a clue, a supervision item or by hand
 * (audit, 巡察), is listed by a case worker of the supervising department with one or more
 * rectification measures (整改措施) for the responsible department. The responsible department
 * submits each measure's 整改报告; the supervising department accepts it or sends it back; a
 * leader of the supervising department closes the problem (销号) once every measure is accepted,
 * which schedules its 回头看 in the same transaction.
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { dateText } from '../../core/dates';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { inTransaction } from '../../db/transaction';
import { Actor, assertCanCreateProblem, CASE_WORKERS, inspectionPartiesOf, problemPartiesOf } from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent, recordCreation } from '../../workflow/transition';
import { findVisibleCase } from '../case/case.service';
import { findVisibleClue } from '../clue/clue.service';
import { notify } from '../notification/notification.service';
import { regionSettings } from '../reference/region-settings';
import { addMonths, shanghaiDate } from '../reference/working-days';
import { findDepartment } from '../transfer/transfer.repository';
import { visibleCampaigns } from '../campaign/campaign.repository';
import { inspectionMachine } from '../inspection/inspection.machine';
import { membersByInspectionIds, visibleInspections } from '../inspection/inspection.repository';
import { measureMachine } from './measure.machine';
import { ProblemEvent, problemMachine, ProblemSource } from './problem.machine';
import {
  insertMeasure,
  institutionExists,
  insertProblem,
  measureCounts,
  MeasureRow,
  measuresByIds,
  measuresByProblemIds as measuresOfProblems,
  problemPage,
  problemRegion,
  ProblemRow,
  problemsByIds,
  visibleMeasures,
  visibleProblems,
  visibleProblemsByClueIds as problemsOfClues,
  ProblemListFilter,
} from './problem.repository';
import { recheckMachine } from './recheck.machine';
import {
  insertRecheck,
  RecheckRow,
  rechecksByIds,
  rechecksByProblemIds as rechecksOfProblems,
} from './recheck.repository';

type Db = AppServices['db'] | EntityManager;

/**
 * The sources a user may give createProblem. INSPECTION and SELF_CHECK problems come from
 * inspections and self-check reports (their own mutations), RECHECK problems from the 回头看
 * runner: never by hand.
 */
export const USER_PROBLEM_SOURCES: readonly ProblemSource[] = [
  'CASE',
  'CLUE',
  'SUPERVISION',
  'AUDIT',
  'INSPECTION_TOUR',
];

export const problemParties = (actor: Actor | null, row: ProblemRow) => problemPartiesOf(actor, row);

/**
 * The events the actor may fire now: by party and state, and CLOSE only when its guard would
 * pass over the problem's measures (the buttons a frontend shows).
 */
export function problemAllowedEvents(actor: Actor, row: ProblemRow, measures: readonly MeasureRow[]): ProblemEvent[] {
  const accepted = measureMachine.events.ACCEPT.to;
  const counts = { measures: measures.length, openMeasures: measures.filter((x) => x.status !== accepted).length };
  return allowedEvents(problemMachine, row.status, problemParties(actor, row)).filter(
    (e) => e !== 'REOPEN' && (e !== 'CLOSE' || !problemMachine.events.CLOSE.guard?.(counts)),
  );
}

/** A problem the actor may see, or NOT_FOUND; `lock` serialises concurrent changes. */
export async function findVisibleProblem(
  db: Db,
  actor: Actor,
  id: string,
  lock?: 'FOR NO KEY UPDATE',
): Promise<ProblemRow> {
  const [row] = await visibleProblems(db, actor, [id], lock);
  if (!row) throw notFound('problem');
  return row;
}

export const visibleProblemsByIds = (db: Db, actor: Actor, ids: readonly string[]) => visibleProblems(db, actor, ids);
export const visibleProblemsByClueIds = (db: Db, actor: Actor, ids: readonly string[]) =>
  problemsOfClues(db, actor, ids);
export const measuresByProblemIds = (db: Db, ids: readonly string[]) => measuresOfProblems(db, ids);
export const rechecksByProblemIds = (db: Db, ids: readonly string[]): Promise<RecheckRow[]> =>
  rechecksOfProblems(db, ids);

/** A recheck by id, whoever asks (callers check its problem's visibility). */
export async function findRecheck(db: Db, id: string): Promise<RecheckRow | null> {
  const [row] = await rechecksByIds(db, [id]);
  return row ?? null;
}

/** A measure of a problem the actor may see, or NOT_FOUND. */
export async function findVisibleMeasure(db: Db, actor: Actor, id: string): Promise<MeasureRow> {
  const [row] = await visibleMeasures(db, actor, [id]);
  if (!row) throw notFound('rectification measure');
  return row;
}

export const visibleMeasuresByIds = (db: Db, actor: Actor, ids: readonly string[]) => visibleMeasures(db, actor, ids);

/**
 * The events of a measure the actor may fire now (not the system's, nor COMPLETE: the case
 * path's one-step completion, fired by completeRectification only).
 */
export function measureAllowedEvents(actor: Actor, measure: MeasureRow, problem: ProblemRow): string[] {
  return allowedEvents(measureMachine, measure.status, problemPartiesOf(actor, problem)).filter(
    (e) => e !== 'REMIND' && e !== 'MARK_OVERDUE' && e !== 'COMPLETE',
  );
}

/** OPEN and its deadline (a date in TIME_ZONE) is before today. */
export const isMeasureOverdue = (measure: MeasureRow, today = shanghaiDate(new Date())): boolean =>
  measureMachine.events.MARK_OVERDUE.from.includes(measure.status) && dateText(measure.deadline) < today;

/** The filter of `problems` as the API gives it: the list filter's fields, ids still global ids. */
export type ProblemFilterInput = ProblemListFilter;

export function listProblems(
  services: AppServices,
  actor: Actor,
  filter: ProblemFilterInput | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<ProblemRow>> {
  return problemPage(
    services.db,
    actor,
    {
      status: filter?.status,
      source: filter?.source,
      institutionCode: filter?.institutionCode,
      responsibleDepartmentId: optionalRowId(filter?.responsibleDepartmentId, 'Department'),
      supervisingDepartmentId: optionalRowId(filter?.supervisingDepartmentId, 'Department'),
      campaignId: optionalRowId(filter?.campaignId, 'Campaign'),
      overdue: filter?.overdue,
      regionCode: filter?.regionCode,
      category: filter?.category,
      minAmount: filter?.minAmount,
      maxAmount: filter?.maxAmount,
      caseId: optionalRowId(filter?.caseId, 'Case'),
      clueId: optionalRowId(filter?.clueId, 'Clue'),
      inspectionId: optionalRowId(filter?.inspectionId, 'Inspection'),
      createdFrom: filter?.createdFrom,
      createdTo: filter?.createdTo,
      closedFrom: filter?.closedFrom,
      closedTo: filter?.closedTo,
    },
    first,
    after,
  );
}

export interface MeasureInputData {
  description: string;
  deadline: string;
}

export interface CreateProblemData {
  source: ProblemSource;
  category: string;
  description: string;
  amount?: string | null;
  institutionCode?: string | null;
  subjectDepartmentId?: string | null;
  responsibleDepartmentId: string;
  supervisingDepartmentId?: string | null;
  caseId?: string | null;
  clueId?: string | null;
  campaignId?: string | null;
  inspectionId?: string | null;
  measures: MeasureInputData[];
}

function checkMeasure(input: MeasureInputData, today: string): MeasureInputData {
  const description = input.description.trim();
  if (!description) throw badInput('a rectification measure needs a description');
  if (input.deadline < today) throw badInput(`the deadline ${input.deadline} of a measure is in the past`);
  return { description, deadline: input.deadline };
}

/** A measure's description trimmed and its deadline not in the past (dates in TIME_ZONE). */
export const checkedMeasure = (input: MeasureInputData): MeasureInputData =>
  checkMeasure(input, shanghaiDate(new Date()));

/** Inserts a measure and starts its timeline (ADD). */
async function addMeasureRow(m: EntityManager, actor: Actor | null, problemId: string, input: MeasureInputData) {
  const row = await insertMeasure(m, { problemId, ...input }, measureMachine.creation.ADD.to);
  await recordCreation(m, measureMachine, {
    id: row.id,
    event: 'ADD',
    actor,
    note: input.description,
    detail: { problemId: toGlobalId('Problem', problemId), deadline: input.deadline },
  });
  return row;
}

const problemTarget = (id: string) => ({ type: 'Problem' as const, id });

/** A problem as another concept's service lists it (ids are row ids; measures already checked). */
export interface ProblemSpec {
  source: ProblemSource;
  category: string;
  description: string;
  amount?: string | null;
  institutionCode?: string | null;
  subjectDepartmentId?: string | null;
  responsibleDepartmentId: string;
  supervisingDepartmentId: string;
  caseId?: string | null;
  clueId?: string | null;
  supervisionItemId?: string | null;
  campaignId?: string | null;
  inspectionId?: string | null;
  measures: MeasureInputData[];
}

/**
 * The one creation path of a problem, inside the caller's transaction: checks the departments
 * and institution, inserts it, records its creation, adds its measures and tells the
 * responsible department. createProblem (by hand) checks who may list what before calling it;
 * inspections (findings, source INSPECTION) and documents (a recommendation's measures) call
 * it for their own sources. A problem may start without measures (an inspection's findings):
 * the supervising department adds them (ADD_MEASURE) and it cannot be closed before.
 */
export async function createProblemIn(m: EntityManager, actor: Actor | null, spec: ProblemSpec): Promise<ProblemRow> {
  const { responsibleDepartmentId: responsibleId, subjectDepartmentId: subjectId = null } = spec;
  if (!(await findDepartment(m, responsibleId))) throw badInput('unknown responsible department');
  if (subjectId && !(await findDepartment(m, subjectId))) throw badInput('unknown subject department');
  if (spec.institutionCode && !(await institutionExists(m, spec.institutionCode))) {
    throw badInput(`unknown institution ${spec.institutionCode}`);
  }
  const region = await problemRegion(m, spec.institutionCode ?? null, subjectId, responsibleId);
  const problem = await insertProblem(
    m,
    {
      source: spec.source,
      category: spec.category,
      description: spec.description,
      amount: spec.amount ?? null,
      institution_code: spec.institutionCode ?? null,
      subject_department_id: subjectId,
      responsible_department_id: responsibleId,
      supervising_department_id: spec.supervisingDepartmentId,
      region_code: region as string,
      case_id: spec.caseId ?? null,
      clue_id: spec.clueId ?? null,
      supervision_item_id: spec.supervisionItemId ?? null,
      campaign_id: spec.campaignId ?? null,
      inspection_id: spec.inspectionId ?? null,
      created_by: actor?.userId ?? null,
    },
    problemMachine.creation.CREATE.to,
  );
  await recordCreation(m, problemMachine, {
    id: problem.id,
    event: 'CREATE',
    actor,
    note: spec.description,
    audit: false,
  });
  for (const measure of spec.measures) await addMeasureRow(m, actor, problem.id, measure);
  const earliest = spec.measures.map((x) => x.deadline).sort()[0];
  await notify(m, {
    kind: 'PROBLEM_ASSIGNED',
    title: `整改问题 ${problem.code}：${spec.category}`,
    body: earliest
      ? `${spec.description}（整改措施 ${spec.measures.length} 项，最早期限 ${earliest}）`
      : `${spec.description}（整改措施待督促单位提出）`,
    target: problemTarget(problem.id),
    to: { departmentIds: [responsibleId], roles: CASE_WORKERS },
    dedupeKey: `problem-assigned:${problem.id}`,
  });
  return problem;
}

export async function createProblem(
  services: AppServices,
  actor: Actor,
  input: CreateProblemData,
): Promise<ProblemRow> {
  const supervisingId = optionalRowId(input.supervisingDepartmentId, 'Department') ?? actor.department.id;
  const inspectionId = optionalRowId(input.inspectionId, 'Inspection');
  // With an inspection, one not seen is NOT_FOUND before any permission is checked.
  if (!inspectionId) assertCanCreateProblem(actor, supervisingId);
  if (inspectionId && input.source !== 'INSPECTION') {
    throw badInput('a problem found by an inspection (inspectionId) has source INSPECTION');
  }
  if (!inspectionId && !USER_PROBLEM_SOURCES.includes(input.source)) {
    throw badInput(
      `problems with source ${input.source} are not listed by hand (sources: ${USER_PROBLEM_SOURCES.join(', ')}; INSPECTION with inspectionId)`,
    );
  }
  const id = await inTransaction(services.db, async (m) => {
    if (!inspectionId) return (await insertProblemIn(m, actor, input)).id;
    return (await addInspectionProblem(m, actor, inspectionId, supervisingId, input)).id;
  });
  return findVisibleProblem(services.db, actor, id);
}

/**
 * A further problem found by an inspection (登记检查发现问题), by its lead department or team
 * while it is under way or reported: ADD_PROBLEM on the inspection, in the same transaction.
 * The problem is about the inspection's institution and carries its campaign.
 */
async function addInspectionProblem(
  m: EntityManager,
  actor: Actor,
  inspectionId: string,
  supervisingId: string,
  input: CreateProblemData,
): Promise<ProblemRow> {
  const [inspection] = await visibleInspections(m, actor, [inspectionId], 'FOR NO KEY UPDATE');
  if (!inspection) throw notFound('inspection');
  assertCanCreateProblem(actor, supervisingId);
  if (input.institutionCode && input.institutionCode !== inspection.institution_code) {
    throw badInput(
      `a problem of inspection ${inspection.code} is about its institution ${inspection.institution_code}`,
    );
  }
  if (input.campaignId && optionalRowId(input.campaignId, 'Campaign') !== inspection.campaign_id) {
    throw badInput(`a problem of inspection ${inspection.code} carries the inspection's campaign`);
  }
  const team = (await membersByInspectionIds(m, [inspectionId])).map((t) => t.user_id);
  const problem = await insertProblemIn(
    m,
    actor,
    { ...input, institutionCode: inspection.institution_code, campaignId: null },
    { inspectionId, campaignId: inspection.campaign_id },
  );
  await applyEvent(m, inspectionMachine, inspection, {
    event: 'ADD_PROBLEM',
    actor,
    parties: inspectionPartiesOf(actor, inspection, team),
    input: undefined as never,
    note: problem.description,
    detail: { problemId: toGlobalId('Problem', problem.id) },
  });
  return problem;
}

/**
 * The creation path of every problem listed by a person, inside the caller's transaction: checks
 * the input (a category, a description, at least one measure, deadlines not in the past, the
 * linked case, clue and campaign visible), inserts the problem and its measures, starts their
 * timelines and tells the responsible department. The caller checks who may list a problem of
 * `input.source` (createProblem for the sources of USER_PROBLEM_SOURCES; recordSelfCheck for
 * SELF_CHECK). A problem's campaign is the one given, else its clue's.
 */
export async function insertProblemIn(
  m: EntityManager,
  actor: Actor,
  input: CreateProblemData,
  inspection?: { inspectionId: string; campaignId: string | null },
): Promise<ProblemRow> {
  const supervisingId = optionalRowId(input.supervisingDepartmentId, 'Department') ?? actor.department.id;
  const category = input.category.trim();
  const description = input.description.trim();
  if (!category || !description) throw badInput('a problem needs a category and a description');
  if (!input.measures.length) throw badInput('a problem needs at least one rectification measure');
  const today = shanghaiDate(new Date());
  const measures = input.measures.map((mi) => checkMeasure(mi, today));
  const responsibleId = rowId(input.responsibleDepartmentId, 'Department');
  const subjectId = optionalRowId(input.subjectDepartmentId, 'Department');
  const caseId = optionalRowId(input.caseId, 'Case');
  const clueId = optionalRowId(input.clueId, 'Clue');
  let campaignId = inspection ? inspection.campaignId : optionalRowId(input.campaignId, 'Campaign');
  if (input.source === 'CASE' && !caseId) throw badInput('a problem from a case needs caseId');
  if (input.source === 'CLUE' && !clueId) throw badInput('a problem from a clue needs clueId');
  if (caseId) await findVisibleCase(m, actor, caseId);
  if (clueId) campaignId ??= (await findVisibleClue(m, actor, clueId)).campaign_id;
  if (input.campaignId && campaignId && !(await visibleCampaigns(m, actor, [campaignId])).length) {
    throw notFound('campaign');
  }
  return createProblemIn(m, actor, {
    source: input.source,
    category,
    description,
    amount: input.amount ?? null,
    institutionCode: input.institutionCode ?? null,
    subjectDepartmentId: subjectId,
    responsibleDepartmentId: responsibleId,
    supervisingDepartmentId: supervisingId,
    caseId,
    clueId,
    campaignId,
    inspectionId: inspection?.inspectionId ?? null,
    measures,
  });
}

/** ADD_MEASURE (by the supervising department) and the new measure. */
export async function addMeasure(
  services: AppServices,
  actor: Actor,
  problemGlobalId: string,
  input: MeasureInputData,
): Promise<MeasureRow> {
  const measure = checkMeasure(input, shanghaiDate(new Date()));
  const problemId = rowId(problemGlobalId, 'Problem');
  const id = await inTransaction(services.db, async (m) => {
    const problem = await findVisibleProblem(m, actor, problemId, 'FOR NO KEY UPDATE');
    await applyEvent(m, problemMachine, problem, {
      event: 'ADD_MEASURE',
      actor,
      parties: problemParties(actor, problem),
      input: undefined as never,
      note: measure.description,
    });
    return (await addMeasureRow(m, actor, problem.id, measure)).id;
  });
  return findVisibleMeasure(services.db, actor, id);
}

type MeasureEventName = 'SUBMIT' | 'ACCEPT' | 'REJECT';

/** One event of a measure by a user, with its problem locked; `effect` runs in the same transaction. */
async function transitionMeasure(
  services: AppServices,
  actor: Actor,
  measureGlobalId: string,
  event: MeasureEventName,
  options: {
    set: Partial<Omit<MeasureRow, 'id' | 'status' | 'version'>>;
    note?: string | null;
    expectedVersion?: number | null;
    effect?: (m: EntityManager, measure: MeasureRow, problem: ProblemRow) => Promise<void>;
  },
): Promise<MeasureRow> {
  const id = rowId(measureGlobalId, 'RectificationMeasure');
  await inTransaction(services.db, async (m) => {
    const seen = await findVisibleMeasure(m, actor, id);
    // The problem first, then the measure: the order CLOSE takes them in.
    const [problem] = await problemsByIds(m, [seen.problem_id], 'FOR NO KEY UPDATE');
    const [measure] = await measuresByIds(m, [id], 'FOR NO KEY UPDATE');
    const changed = await applyEvent(m, measureMachine, measure, {
      event,
      actor,
      parties: problemParties(actor, problem),
      expectedVersion: options.expectedVersion,
      input: undefined,
      set: options.set,
      note: options.note,
    });
    await options.effect?.(m, changed, problem);
  });
  return findVisibleMeasure(services.db, actor, id);
}

/** 整改报告 (SUBMIT), by the responsible department: a report and its evidence (file references, links). */
export function submitMeasure(
  services: AppServices,
  actor: Actor,
  measureId: string,
  report: string,
  evidence: readonly string[] | null | undefined,
  expectedVersion?: number | null,
): Promise<MeasureRow> {
  const text = report.trim();
  if (!text) throw badInput('a 整改报告 must not be empty');
  const items = (evidence ?? []).map((e) => e.trim()).filter((e) => e);
  return transitionMeasure(services, actor, measureId, 'SUBMIT', {
    set: { report: text, evidence: items, submitted_at: new Date(), submitted_by: actor.userId },
    expectedVersion,
    effect: (m, measure, problem) =>
      notify(m, {
        kind: 'MEASURE_SUBMITTED',
        title: `整改报告待验收：${problem.code}`,
        body: `「${measure.description}」已提交整改报告`,
        target: { type: 'RectificationMeasure', id: measure.id },
        to: { departmentIds: [problem.supervising_department_id], roles: CASE_WORKERS },
      }).then(() => undefined),
  });
}

/** 验收 (ACCEPT), by the supervising department. */
export function acceptMeasure(
  services: AppServices,
  actor: Actor,
  measureId: string,
  note: string | null | undefined,
  expectedVersion?: number | null,
): Promise<MeasureRow> {
  return transitionMeasure(services, actor, measureId, 'ACCEPT', {
    set: { accepted_at: new Date(), accepted_by: actor.userId, acceptance_note: note?.trim() || null },
    note,
    expectedVersion,
  });
}

/** 验收不通过 (REJECT), by the supervising department, with a reason: back to OPEN. */
export function rejectMeasure(
  services: AppServices,
  actor: Actor,
  measureId: string,
  reason: string,
  expectedVersion?: number | null,
): Promise<MeasureRow> {
  const text = reason.trim();
  if (!text) throw badInput('a rejection needs a reason');
  return transitionMeasure(services, actor, measureId, 'REJECT', {
    set: { rejection_reason: text },
    note: text,
    expectedVersion,
    effect: (m, measure, problem) =>
      notify(m, {
        kind: 'MEASURE_REJECTED',
        title: `整改验收未通过：${problem.code}`,
        body: `「${measure.description}」：${text}`,
        target: { type: 'RectificationMeasure', id: measure.id },
        to: { departmentIds: [problem.responsible_department_id], roles: CASE_WORKERS },
      }).then(() => undefined),
  });
}

/**
 * Schedules a 回头看 of a CLOSED problem: SCHEDULE_RECHECK on the problem (by the system at
 * closure, by the supervising department by hand) and the recheck's creation.
 */
async function scheduleRecheckRow(
  m: EntityManager,
  actor: Actor | null,
  problem: ProblemRow,
  dueOn: string,
  manual: boolean,
): Promise<RecheckRow> {
  await applyEvent(m, problemMachine, problem, {
    event: 'SCHEDULE_RECHECK',
    actor,
    parties: problemParties(actor, problem),
    input: undefined as never,
    detail: { dueOn, manual },
  });
  const recheck = await insertRecheck(m, { problemId: problem.id, dueOn, manual, createdBy: actor?.userId ?? null });
  await recordCreation(m, recheckMachine, {
    id: recheck.id,
    event: 'SCHEDULE',
    actor,
    detail: { problemId: toGlobalId('Problem', problem.id), dueOn, manual },
  });
  return recheck;
}

/**
 * 销号 (CLOSE), by a leader of the supervising department once every measure is ACCEPTED; in
 * the same transaction the 回头看 is scheduled on the closed date + recheckMonths (the setting
 * of the problem's region), and both departments are told.
 */
export async function closeProblem(
  services: AppServices,
  actor: Actor,
  problemGlobalId: string,
  note: string | null | undefined,
  expectedVersion?: number | null,
): Promise<ProblemRow> {
  const id = rowId(problemGlobalId, 'Problem');
  await inTransaction(services.db, async (m) => {
    const problem = await findVisibleProblem(m, actor, id, 'FOR NO KEY UPDATE');
    const closedAt = new Date();
    const closed = await applyEvent(m, problemMachine, problem, {
      event: 'CLOSE',
      actor,
      parties: problemParties(actor, problem),
      expectedVersion,
      input: await measureCounts(m, problem.id),
      set: { closed_at: closedAt, closed_by: actor.userId },
      note,
    });
    const { recheckMonths } = await regionSettings(m, problem.region_code);
    const dueOn = shanghaiDate(addMonths(closedAt, Number(recheckMonths)));
    await scheduleRecheckRow(m, null, closed, dueOn, false);
    await notify(m, {
      kind: 'PROBLEM_CLOSED',
      title: `问题已销号：${problem.code}`,
      body: `「${problem.category}」整改完成已销号，回头看安排于 ${dueOn}`,
      target: problemTarget(problem.id),
      to: {
        departmentIds: [problem.responsible_department_id, problem.supervising_department_id],
        roles: CASE_WORKERS,
      },
    });
  });
  return findVisibleProblem(services.db, actor, id);
}

/** A manual 回头看 (an inspection) of a closed problem, by the supervising department; not in the past. */
export async function scheduleRecheck(
  services: AppServices,
  actor: Actor,
  problemGlobalId: string,
  dueOn: string,
): Promise<RecheckRow> {
  if (dueOn < shanghaiDate(new Date())) throw badInput(`dueOn ${dueOn} is in the past`);
  const id = rowId(problemGlobalId, 'Problem');
  return inTransaction(services.db, async (m) => {
    const problem = await findVisibleProblem(m, actor, id, 'FOR NO KEY UPDATE');
    return scheduleRecheckRow(m, actor, problem, dueOn, true);
  });
}
