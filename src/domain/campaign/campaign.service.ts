/**
 * 专项行动 (PRODUCT.md §9 "Campaigns"): a leader deploys a campaign led by their department,
 * with participants of any kind, a region, a scope window of claims and target institutions
 * (by kind in the region, or a list) materialised at creation. A leader of the leading
 * department moves it through its phases. Its members start collision runs over the scope
 * window restricted to the targets (the run, and the clues it creates, carry the campaign),
 * and 医保 members record each target's 自查自纠 report, whose problems are SELF_CHECK problems
 * of the campaign. Decisions: docs/OUTCOMES.md "Campaigns and self-checks".
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { dateText, formatMoney, parseDate } from '../../core/dates';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { jurisdictionPrefix } from '../../core/regions';
import { inTransaction } from '../../db/transaction';
import {
  Actor,
  assertCanCreateCampaign,
  assertCanRecordSelfCheck,
  assertCanStartCampaignRun,
  campaignPartiesOf,
} from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent, recordCreation } from '../../workflow/transition';
import { clueMachine } from '../clue/clue.machine';
import { CollisionRunRow, findRun, insertCollisionRun } from '../collision/collision-run.service';
import { hitVerificationMachine } from '../collision/hit-verification.machine';
import { notify } from '../notification/notification.service';
import { CreateProblemData, insertProblemIn } from '../problem/problem.service';
import { problemMachine } from '../problem/problem.machine';
import { CampaignEvent, campaignMachine, CampaignPhase } from './campaign.machine';
import * as campaigns from './campaign.repository';
import { CampaignFiguresRow, CampaignRow, SelfCheckReportRow } from './campaign.repository';

type Db = AppServices['db'] | EntityManager;

export type { CampaignRow, SelfCheckReportRow } from './campaign.repository';

const MONEY = /^\d{1,12}(\.\d{1,2})?$/;

/** A campaign the actor may see, or NOT_FOUND. */
export async function findVisibleCampaign(
  db: Db,
  actor: Actor,
  id: string,
  lock?: 'FOR NO KEY UPDATE',
): Promise<CampaignRow> {
  const [row] = await campaigns.visibleCampaigns(db, actor, [id], lock);
  if (!row) throw notFound('campaign');
  return row;
}

export const visibleCampaignsByIds = (db: Db, actor: Actor, ids: readonly string[]) =>
  campaigns.visibleCampaigns(db, actor, ids);

export const listCampaigns = (
  services: AppServices,
  actor: Actor,
  filter: { phase?: CampaignPhase[] | null; regionCode?: string | null } | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CampaignRow>> => campaigns.campaignPage(services.db, actor, filter ?? {}, first, after);

export interface SelfCheckReportFilterInput {
  campaignId?: string | null;
  institutionCode?: string | null;
  departmentId?: string | null;
  recordedFrom?: string | null;
  recordedTo?: string | null;
}

/** 自查自纠 reports of the campaigns the actor sees, newest first. */
export function listSelfCheckReports(
  services: AppServices,
  actor: Actor,
  filter: SelfCheckReportFilterInput | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<SelfCheckReportRow>> {
  const recordedFrom = filter?.recordedFrom ? parseDate(filter.recordedFrom) : null;
  const recordedTo = filter?.recordedTo ? parseDate(filter.recordedTo) : null;
  if (recordedFrom && recordedTo && recordedFrom > recordedTo) {
    throw badInput(`recordedFrom ${recordedFrom} is after recordedTo ${recordedTo}`);
  }
  return campaigns.selfCheckReportPage(
    services.db,
    actor,
    {
      campaignId: optionalRowId(filter?.campaignId, 'Campaign'),
      institutionCode: filter?.institutionCode,
      departmentId: optionalRowId(filter?.departmentId, 'Department'),
      recordedFrom,
      recordedTo,
    },
    first,
    after,
  );
}

export const campaignParties = (actor: Actor | null, row: CampaignRow) => campaignPartiesOf(actor, row);

/** The events the actor may fire now (the buttons a frontend shows). */
export const campaignAllowedEvents = (actor: Actor, row: CampaignRow): CampaignEvent[] =>
  allowedEvents(campaignMachine, row.status, campaignParties(actor, row));

export interface CreateCampaignData {
  name: string;
  regionCode: string;
  scopeFrom: string;
  scopeTo: string;
  participantDepartmentIds: string[];
  targetKinds?: string[] | null;
  targetInstitutionCodes?: string[] | null;
}

/**
 * 部署专项行动: by a leader over a region of their jurisdiction; the caller's department leads
 * and is a participant. Targets: the listed institutions (each inside the region) and every
 * institution of the given kinds in the region; at least one.
 */
export async function createCampaign(
  services: AppServices,
  actor: Actor,
  input: CreateCampaignData,
): Promise<CampaignRow> {
  assertCanCreateCampaign(actor, input.regionCode);
  const name = input.name.trim();
  if (!name) throw badInput('a campaign needs a name');
  const scopeFrom = parseDate(input.scopeFrom);
  const scopeTo = parseDate(input.scopeTo);
  if (scopeFrom > scopeTo) throw badInput(`scopeFrom ${scopeFrom} is after scopeTo ${scopeTo}`);
  const kinds = [...new Set(input.targetKinds ?? [])];
  const codes = [...new Set((input.targetInstitutionCodes ?? []).map((c) => c.trim()).filter((c) => c))];
  if (!kinds.length && !codes.length) throw badInput('a campaign needs targets: targetKinds or targetInstitutionCodes');
  const participants = [
    ...new Set([actor.department.id, ...input.participantDepartmentIds.map((id) => rowId(id, 'Department'))]),
  ];
  const id = await inTransaction(services.db, async (m) => {
    const level = await campaigns.regionLevelOf(m, input.regionCode);
    if (!level) throw badInput(`unknown region ${input.regionCode}`);
    const pattern = `${jurisdictionPrefix(input.regionCode, level)}%`;
    const known = await campaigns.existingDepartments(m, participants);
    const unknown = participants.filter((d) => !known.includes(d));
    if (unknown.length)
      throw badInput(`unknown departments ${unknown.map((d) => toGlobalId('Department', d)).join(', ')}`);
    const inRegion = await campaigns.institutionsInRegion(m, codes, pattern);
    const outside = codes.filter((c) => !inRegion.includes(c));
    if (outside.length)
      throw badInput(`institutions unknown or outside region ${input.regionCode}: ${outside.join(', ')}`);
    const campaignId = await campaigns.insertCampaign(
      m,
      {
        name,
        lead_department_id: actor.department.id,
        region_code: input.regionCode,
        scope_from: scopeFrom,
        scope_to: scopeTo,
        target_kinds: kinds.length ? kinds : null,
        created_by: actor.userId,
      },
      campaignMachine.creation.CREATE.to,
    );
    await campaigns.insertParticipants(m, campaignId, participants);
    const targets = await campaigns.insertTargets(m, campaignId, codes, kinds, pattern);
    if (!targets) throw badInput('no institution matches the campaign targets');
    await recordCreation(m, campaignMachine, {
      id: campaignId,
      event: 'CREATE',
      actor,
      note: name,
      detail: { regionCode: input.regionCode, scopeFrom, scopeTo, targets, participants: participants.length },
    });
    await notify(m, {
      kind: 'CAMPAIGN_DEPLOYED',
      title: `专项行动：${name}`,
      body: `检查期间 ${scopeFrom} 至 ${scopeTo}，对象机构 ${targets} 家`,
      target: { type: 'Campaign', id: campaignId },
      to: { departmentIds: participants },
      dedupeKey: `campaign-deployed:${campaignId}`,
    });
    return campaignId;
  });
  return findVisibleCampaign(services.db, actor, id);
}

/** ADVANCE: the next phase, by a leader of the leading department; participants are told. */
export async function advanceCampaign(
  services: AppServices,
  actor: Actor,
  campaignGlobalId: string,
  expectedVersion?: number | null,
): Promise<CampaignRow> {
  const id = rowId(campaignGlobalId, 'Campaign');
  await inTransaction(services.db, async (m) => {
    const campaign = await findVisibleCampaign(m, actor, id, 'FOR NO KEY UPDATE');
    const changed = await applyEvent(m, campaignMachine, campaign, {
      event: 'ADVANCE',
      actor,
      parties: campaignParties(actor, campaign),
      expectedVersion,
      input: campaign.status,
    });
    await notify(m, {
      kind: 'CAMPAIGN_PHASE',
      title: `专项行动 ${campaign.code} 进入「${campaignMachine.states[changed.status]}」阶段`,
      body: campaign.name,
      target: { type: 'Campaign', id },
      to: { departmentIds: campaign.participant_department_ids },
      dedupeKey: `campaign-phase:${id}:${changed.status}`,
    });
  });
  return findVisibleCampaign(services.db, actor, id);
}

/**
 * 发起数据碰撞 for a campaign: a collision run over its scope window and region, restricted to
 * its target institutions, carrying the campaign (START_RUN on the campaign, in the same
 * transaction). Models: the given ones, else every model and rule class.
 */
export async function startCampaignRun(
  services: AppServices,
  actor: Actor,
  campaignGlobalId: string,
  models: string[] | null | undefined,
): Promise<CollisionRunRow> {
  const id = rowId(campaignGlobalId, 'Campaign');
  const runId = await inTransaction(services.db, async (m) => {
    const campaign = await findVisibleCampaign(m, actor, id, 'FOR NO KEY UPDATE');
    assertCanStartCampaignRun(actor, campaign.region_code);
    const institutionCodes = await campaigns.targetCodes(m, id);
    const newRunId = await insertCollisionRun(m, {
      models,
      from: dateText(campaign.scope_from),
      to: dateText(campaign.scope_to),
      regionCode: campaign.region_code,
      institutionCodes,
      createdBy: actor.userId,
    });
    await campaigns.setRunCampaign(m, newRunId, id);
    await applyEvent(m, campaignMachine, campaign, {
      event: 'START_RUN',
      actor,
      parties: campaignParties(actor, campaign),
      input: campaign.status,
      detail: { runId: toGlobalId('CollisionRun', newRunId), targets: institutionCodes.length },
    });
    return newRunId;
  });
  return findRun(services.db, runId);
}

/** The events by which other concepts' work joins a campaign. */
export type CampaignWorkEvent = Extract<CampaignEvent, 'PLAN_INSPECTION' | 'ISSUE_DOCUMENT'>;

/**
 * The campaign an inspection or a document is about to join, locked in the caller's transaction:
 * visible to the actor (else NOT_FOUND). With an institution (an inspection), it must be one of
 * the campaign's targets. The event itself is recorded by `recordCampaignWork` once the work
 * exists, so that the campaign's timeline names it.
 */
export async function campaignForWork(
  m: EntityManager,
  actor: Actor,
  campaignGlobalId: string,
  institutionCode?: string,
): Promise<CampaignRow> {
  const campaign = await findVisibleCampaign(m, actor, rowId(campaignGlobalId, 'Campaign'), 'FOR NO KEY UPDATE');
  if (institutionCode !== undefined && !(await campaigns.isTarget(m, campaign.id, institutionCode))) {
    throw badInput(`institution ${institutionCode} is not a target of campaign ${campaign.code}`);
  }
  return campaign;
}

/**
 * PLAN_INSPECTION or ISSUE_DOCUMENT on the campaign (same transaction as the work): by a member,
 * in a phase that allows it (campaignMachine), on the campaign's timeline with the work's id.
 */
export async function recordCampaignWork(
  m: EntityManager,
  actor: Actor,
  campaign: CampaignRow,
  event: CampaignWorkEvent,
  detail: Record<string, unknown>,
): Promise<void> {
  await applyEvent(m, campaignMachine, campaign, {
    event,
    actor,
    parties: campaignParties(actor, campaign),
    input: campaign.status,
    detail,
  });
}

export interface RecordSelfCheckData {
  campaignId: string;
  institutionCode: string;
  findings: string;
  voluntaryRefund: string;
  patientRefund: string;
  problems?: CreateProblemData[] | null;
}

/**
 * 自查自纠 report of one target institution (one per institution and campaign), recorded by a
 * case worker of a participating 医保 department during 自查自纠 or 集中检查; its problems are
 * listed in the same transaction as SELF_CHECK problems of the campaign, about the institution,
 * supervised by the recorder's department.
 */
export async function recordSelfCheck(
  services: AppServices,
  actor: Actor,
  input: RecordSelfCheckData,
): Promise<SelfCheckReportRow> {
  const id = rowId(input.campaignId, 'Campaign');
  const findings = input.findings.trim();
  if (!findings) throw badInput('a self-check report needs its findings');
  for (const [field, value] of [
    ['voluntaryRefund', input.voluntaryRefund],
    ['patientRefund', input.patientRefund],
  ] as const) {
    if (!MONEY.test(String(value))) throw badInput(`${field} must be a non-negative amount with at most 2 decimals`);
  }
  const reportId = await inTransaction(services.db, async (m) => {
    const campaign = await findVisibleCampaign(m, actor, id, 'FOR NO KEY UPDATE');
    assertCanRecordSelfCheck(actor);
    await applyEvent(m, campaignMachine, campaign, {
      event: 'RECORD_SELF_CHECK',
      actor,
      parties: campaignParties(actor, campaign),
      input: campaign.status,
      detail: {
        institutionCode: input.institutionCode,
        voluntaryRefund: input.voluntaryRefund,
        patientRefund: input.patientRefund,
      },
    });
    if (!(await campaigns.isTarget(m, id, input.institutionCode))) {
      throw badInput(`institution ${input.institutionCode} is not a target of campaign ${campaign.code}`);
    }
    const report = await campaigns.insertSelfCheckReport(m, {
      campaign_id: id,
      institution_code: input.institutionCode,
      findings,
      voluntary_refund: input.voluntaryRefund,
      patient_refund: input.patientRefund,
      department_id: actor.department.id,
      recorded_by: actor.userId,
    });
    if (!report) {
      throw badInput(
        `institution ${input.institutionCode} already has a self-check report in campaign ${campaign.code}`,
      );
    }
    for (const problem of input.problems ?? []) {
      if (problem.source !== 'SELF_CHECK') throw badInput('the problems of a self-check report have source SELF_CHECK');
      if (problem.institutionCode && problem.institutionCode !== input.institutionCode) {
        throw badInput('the problems of a self-check report are about its institution');
      }
      if (
        problem.supervisingDepartmentId &&
        rowId(problem.supervisingDepartmentId, 'Department') !== actor.department.id
      ) {
        throw badInput('the problems of a self-check report are supervised by your department');
      }
      const created = await insertProblemIn(m, actor, {
        ...problem,
        institutionCode: input.institutionCode,
        supervisingDepartmentId: null,
        campaignId: input.campaignId,
      });
      await campaigns.linkSelfCheckProblem(m, report.id, created.id);
    }
    return report.id;
  });
  const [row] = await campaigns.selfCheckReportsByIds(services.db, [reportId]);
  return row;
}

/** A self-check report whose campaign the actor sees, or null. */
export async function findVisibleSelfCheckReport(db: Db, actor: Actor, id: string): Promise<SelfCheckReportRow | null> {
  const [row] = await campaigns.selfCheckReportsByIds(db, [id]);
  if (!row || !(await campaigns.visibleCampaigns(db, actor, [row.campaign_id])).length) return null;
  return row;
}

export const selfCheckReportsByCampaignIds = (db: Db, ids: readonly string[]) =>
  campaigns.selfCheckReportsByCampaignIds(db, ids);
export const problemIdsOfReports = (db: Db, ids: readonly string[]) => campaigns.problemIdsOfReports(db, ids);
export const runIdsOfCampaigns = (db: Db, ids: readonly string[]) => campaigns.runIdsOfCampaigns(db, ids);

export interface CampaignFigures {
  targets: number;
  targetsCovered: number;
  inspections: number;
  documents: number;
  hits: number;
  clearedRate: number | null;
  problemsFound: number;
  problemsClosed: number;
  voluntaryRefund: string;
  patientRefund: string;
  amountRecovered: string;
}

/** The figures of many campaigns (one statement), by campaign id. */
export async function campaignFiguresByIds(db: Db, ids: readonly string[]): Promise<Map<string, CampaignFigures>> {
  const rows: CampaignFiguresRow[] = await campaigns.campaignFigures(db, ids, {
    pendingState: hitVerificationMachine.creation.DETECT.to,
    closedState: problemMachine.events.CLOSE.to as string,
    clueClosedState: clueMachine.events.CLOSE.to as string,
  });
  return new Map(
    rows.map((r) => [
      r.campaign_id,
      {
        targets: r.targets,
        targetsCovered: r.targets_covered,
        inspections: r.inspections,
        documents: r.documents,
        hits: r.hits,
        clearedRate: r.hits ? r.hits_cleared / r.hits : null,
        problemsFound: r.problems_found,
        problemsClosed: r.problems_closed,
        voluntaryRefund: formatMoney(r.voluntary_refund),
        patientRefund: formatMoney(r.patient_refund),
        amountRecovered: formatMoney(r.amount_recovered),
      },
    ]),
  );
}

/** The target institutions of a campaign the actor sees, by code (NOT_FOUND otherwise). */
export async function campaignTargets(db: Db, actor: Actor, id: string): Promise<string[]> {
  await findVisibleCampaign(db, actor, id);
  return campaigns.targetCodes(db, id);
}

/**
 * supervisionStats by campaign: the campaigns the actor sees whose region lies inside `regionCode`
 * and that were deployed by the end of the window (`to`, a Shanghai date). Their figures are
 * the campaign's totals (not windowed).
 */
export async function campaignsOfStats(db: Db, actor: Actor, regionCode: string, to: string): Promise<CampaignRow[]> {
  const level = await campaigns.regionLevelOf(db, regionCode);
  if (!level) return [];
  const end = new Date(Date.parse(`${to}T00:00:00+08:00`) + 86_400_000);
  return campaigns.visibleCampaignsInRegion(db, actor, `${jurisdictionPrefix(regionCode, level)}%`, end);
}
