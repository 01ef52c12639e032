/**
 * 检查 (PRODUCT.md §9): ROUTINE, JOINT (team from ≥ 2 agency kinds), CROSS (inspectors from
 * another city of the institution's province), FLIGHT; planned by a leader or section head of
 * 医保, 卫健 or 纪委, whose department leads it; carried out and reported by the lead
 * department's case workers and the team; the findings become a problem of source INSPECTION
 * (createProblemIn, the problem service's creation path). Decisions: docs/OUTCOMES.md.
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { optionalRowId, rowId, toGlobalId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { cityOf, provinceOf } from '../../core/regions';
import { inTransaction } from '../../db/transaction';
import {
  Actor,
  assertCanCreateInspection,
  assertCanInspectInstitution,
  CASE_WORKERS,
  inspectionPartiesOf,
} from '../../policy';
import { allowedEvents } from '../../workflow/machine';
import { applyEvent, recordCreation } from '../../workflow/transition';
import { campaignForWork, recordCampaignWork } from '../campaign/campaign.service';
import { notify } from '../notification/notification.service';
import { createProblemIn } from '../problem/problem.service';
import {
  InspectionEvent,
  inspectionMachine,
  InspectionKind,
  INSPECTION_KINDS,
  InspectionStatus,
} from './inspection.machine';
import {
  departmentOf,
  inspectionPage,
  InspectionRow,
  insertInspection,
  institutionRegion,
  membersByInspectionIds,
  teamCandidates,
  visibleInspections,
  visibleProblemsByInspectionIds,
} from './inspection.repository';

type Db = AppServices['db'] | EntityManager;

/** An inspection the actor may see, or NOT_FOUND. */
export async function findVisibleInspection(
  db: Db,
  actor: Actor,
  id: string,
  lock?: 'FOR NO KEY UPDATE',
): Promise<InspectionRow> {
  const [row] = await visibleInspections(db, actor, [id], lock);
  if (!row) throw notFound('inspection');
  return row;
}

export const visibleInspectionsByIds = (db: Db, actor: Actor, ids: readonly string[]) =>
  visibleInspections(db, actor, ids);
export const teamsByInspectionIds = (db: Db, ids: readonly string[]) => membersByInspectionIds(db, ids);
export const problemsByInspectionIds = (db: Db, actor: Actor, ids: readonly string[]) =>
  visibleProblemsByInspectionIds(db, actor, ids);

/** The events the actor may fire now (the buttons a frontend shows). */
export function inspectionAllowedEvents(
  actor: Actor,
  row: InspectionRow,
  teamUserIds: readonly string[],
): InspectionEvent[] {
  return allowedEvents(inspectionMachine, row.status, inspectionPartiesOf(actor, row, teamUserIds));
}

export interface InspectionFilterInput {
  campaignId?: string | null;
  status?: InspectionStatus[] | null;
  kind?: InspectionKind | null;
  institutionCode?: string | null;
}

export function listInspections(
  services: AppServices,
  actor: Actor,
  filter: InspectionFilterInput,
  first: number,
  after: string | null | undefined,
): Promise<Connection<InspectionRow>> {
  return inspectionPage(
    services.db,
    actor,
    { ...filter, campaignId: optionalRowId(filter.campaignId, 'Campaign') },
    first,
    after,
  );
}

export interface CreateInspectionData {
  kind: InspectionKind;
  institutionCode: string;
  campaignId?: string | null;
  teamUserIds: string[];
  plannedFrom: string;
  plannedTo: string;
}

export async function createInspection(
  services: AppServices,
  actor: Actor,
  input: CreateInspectionData,
): Promise<InspectionRow> {
  assertCanCreateInspection(actor);
  if (input.plannedTo < input.plannedFrom) throw badInput('plannedTo is before plannedFrom');
  const userIds = [...new Set(input.teamUserIds.map((u) => rowId(u, 'User')))];
  if (!userIds.length) throw badInput('an inspection needs a team (teamUserIds)');
  const id = await inTransaction(services.db, async (m) => {
    const region = await institutionRegion(m, input.institutionCode);
    if (!region) throw badInput(`unknown institution ${input.institutionCode}`);
    assertCanInspectInstitution(actor, input.kind, region);
    const campaign = input.campaignId ? await campaignForWork(m, actor, input.campaignId, input.institutionCode) : null;
    const team = await teamCandidates(m, userIds);
    if (team.length !== userIds.length) throw badInput('a team member is unknown or inactive');
    const notWorkers = team.filter((u) => !u.roles.some((r) => (CASE_WORKERS as readonly string[]).includes(r)));
    if (notWorkers.length) throw badInput('team members are investigators, section heads or leaders');
    if (input.kind === 'JOINT' && new Set(team.map((u) => u.kind)).size < 2) {
      throw badInput('a 联合检查 (JOINT) needs team members from at least two agency kinds');
    }
    if (input.kind === 'CROSS') {
      const local = team.filter(
        (u) => provinceOf(u.region_code) !== provinceOf(region) || cityOf(u.region_code) === cityOf(region),
      );
      if (local.length) {
        throw badInput(
          `a 交叉检查 (CROSS) is made by inspectors from another city of the province: ${local.length} member(s) are not`,
        );
      }
    }
    const row = await insertInspection(
      m,
      {
        kind: input.kind,
        institution_code: input.institutionCode,
        region_code: region,
        campaign_id: campaign?.id ?? null,
        lead_department_id: actor.department.id,
        planned_from: input.plannedFrom as unknown as Date,
        planned_to: input.plannedTo as unknown as Date,
        created_by: actor.userId,
      },
      team.map((u) => ({ userId: u.id, departmentId: u.department_id })),
      inspectionMachine.creation.PLAN.to,
    );
    await recordCreation(m, inspectionMachine, {
      id: row.id,
      event: 'PLAN',
      actor,
      detail: {
        kind: input.kind,
        institutionCode: input.institutionCode,
        plannedFrom: input.plannedFrom,
        plannedTo: input.plannedTo,
        team: userIds.map((u) => toGlobalId('User', u)),
        ...(campaign ? { campaignId: toGlobalId('Campaign', campaign.id) } : {}),
      },
    });
    if (campaign) {
      await recordCampaignWork(m, actor, campaign, 'PLAN_INSPECTION', {
        inspectionId: toGlobalId('Inspection', row.id),
        kind: input.kind,
        institutionCode: input.institutionCode,
      });
    }
    await notify(m, {
      kind: 'INSPECTION_ASSIGNED',
      title: `${INSPECTION_KINDS[input.kind]} ${row.code}`,
      body: `检查对象 ${input.institutionCode}，计划 ${input.plannedFrom} 至 ${input.plannedTo}`,
      target: { type: 'Inspection', id: row.id },
      to: { userIds },
      dedupeKey: `inspection-assigned:${row.id}`,
    });
    return row.id;
  });
  return findVisibleInspection(services.db, actor, id);
}

/** The events transitionInspection fires (ADD_PROBLEM is fired by createProblem). */
const TRANSITIONS = ['START', 'REPORT', 'CLOSE'] as const satisfies readonly InspectionEvent[];

/**
 * One event of an inspection by a party (START, REPORT with its findings, CLOSE). REPORT lists
 * the findings as a problem (source INSPECTION) in the same transaction: the institution its
 * subject, the 卫健 of the institution's region responsible (its 主管部门; the lead department
 * when there is none), the lead department supervising; measures are added by the supervisor.
 */
export async function transitionInspection(
  services: AppServices,
  actor: Actor,
  inspectionGlobalId: string,
  event: string,
  findings: string | null | undefined,
  expectedVersion?: number | null,
): Promise<InspectionRow> {
  if (!(TRANSITIONS as readonly string[]).includes(event)) {
    throw badInput(
      `unknown event ${event} (events: ${TRANSITIONS.join(', ')}; ADD_PROBLEM is createProblem with inspectionId)`,
    );
  }
  const name = event as InspectionEvent;
  const id = rowId(inspectionGlobalId, 'Inspection');
  const text = findings?.trim() || null;
  if (text && name !== 'REPORT') throw badInput('findings are given with REPORT only');
  await inTransaction(services.db, async (m) => {
    const row = await findVisibleInspection(m, actor, id, 'FOR NO KEY UPDATE');
    const team = (await membersByInspectionIds(m, [id])).map((t) => t.user_id);
    const now = new Date();
    const changed = await applyEvent(m, inspectionMachine, row, {
      event: name,
      actor,
      parties: inspectionPartiesOf(actor, row, team),
      expectedVersion,
      input: { findings: text },
      set:
        name === 'REPORT'
          ? { findings: text, reported_at: now, reported_by: actor.userId }
          : name === 'CLOSE'
            ? { closed_at: now }
            : {},
      note: name === 'REPORT' ? text : null,
    });
    if (name === 'REPORT' && text) {
      const responsible = (await departmentOf(m, 'HEALTH', changed.region_code)) ?? changed.lead_department_id;
      await createProblemIn(m, actor, {
        source: 'INSPECTION',
        category: `${INSPECTION_KINDS[changed.kind]}发现问题`,
        description: text,
        institutionCode: changed.institution_code,
        responsibleDepartmentId: responsible,
        supervisingDepartmentId: changed.lead_department_id,
        campaignId: changed.campaign_id,
        inspectionId: changed.id,
        measures: [],
      });
    }
  });
  return findVisibleInspection(services.db, actor, id);
}
