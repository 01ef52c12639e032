/**
 * Who may see and do what: the one place. Resolvers and list queries ask these functions;
 * they never test roles or departments themselves. (PRODUCT.md §6)
 */
import { DepartmentKind } from '../domain/reference/department.entity';
import { inJurisdiction, jurisdictionPrefix, jurisdictionPrefixSql, provinceOf, RegionLevel } from '../core/regions';
import { Role } from '../domain/auth/user.entity';
import { forbidden } from '../core/errors';
import type { Party } from '../workflow/machine';
import { SqlParams } from '../core/sql';
import type { ConsoleGraphiql } from '../config';

/** The authenticated caller, as every policy decision sees it. */
export interface Actor {
  userId: string;
  username: string;
  roles: Role[];
  department: { id: string; kind: DepartmentKind; regionCode: string; regionLevel: RegionLevel };
  /** An administrator reset the password: every operation but changePassword (and me) is refused. */
  mustChangePassword?: boolean;
}

/** Those who work on clues and cases (and receive their notifications). */
export const CASE_WORKERS: readonly Role[] = ['INVESTIGATOR', 'SUPERVISOR', 'LEADER'];

export const hasRole = (actor: Actor, ...roles: Role[]): boolean => actor.roles.some((r) => roles.includes(r));

/** LIKE prefix of the region codes in the actor's jurisdiction. */
export const jurisdictionOf = (actor: Actor): string =>
  jurisdictionPrefix(actor.department.regionCode, actor.department.regionLevel);

export const coversRegion = (actor: Actor, regionCode: string): boolean =>
  inJurisdiction(regionCode, actor.department.regionCode, actor.department.regionLevel);

/** ADMINs manage users and rules but read no case content or personal data. */
export const readsCaseContent = (actor: Actor): boolean => actor.roles.some((r) => r !== 'ADMIN');

/**
 * Reference lookups (institution, person by code): case-reading users of the agencies that
 * work from the data — 医保, 卫健, 纪委 — inside their jurisdiction. Police see only what
 * reaches them by transfer.
 */
export function canLookUpReference(actor: Actor, regionCode: string | null): boolean {
  if (!readsCaseContent(actor) || actor.department.kind === 'PUBLIC_SECURITY') return false;
  return regionCode !== null && coversRegion(actor, regionCode);
}

/** Full resident ID numbers and bank accounts: case workers only; every read is audited. */
export const canReadPersonalData = (actor: Actor): boolean => hasRole(actor, ...CASE_WORKERS);

/** ADMINs create users for departments inside their jurisdiction. */
export function assertCanManageUsers(actor: Actor, departmentRegion: string): void {
  if (!hasRole(actor, 'ADMIN') || !coversRegion(actor, departmentRegion)) {
    throw forbidden('only an administrator of this jurisdiction manages its users');
  }
}

/**
 * User administration (list, deactivate, reactivate, roles, department, password reset) is an
 * ADMIN's work; anyone else is refused before any lookup, so nothing about users leaks.
 */
export function assertAdministersUsers(actor: Actor): void {
  if (!hasRole(actor, 'ADMIN')) throw forbidden('only administrators manage users');
}

/**
 * The users an ADMIN administers: those of departments inside the admin's jurisdiction
 * (a user elsewhere is NOT_FOUND to them). Predicate over a user row aliased `u`.
 */
export function userVisibleSql(actor: Actor, params: SqlParams, u = 'u'): string {
  if (!hasRole(actor, 'ADMIN')) return 'false';
  return `EXISTS (SELECT 1 FROM department uvd WHERE uvd.id = ${u}.department_id
    AND uvd.region_code LIKE ${params.add(`${jurisdictionOf(actor)}%`)})`;
}

/**
 * Region settings (thresholds, deadlines) and collision model parameters are managed — read and
 * changed — by ADMINs, for a region inside their jurisdiction (an override applies to that
 * region and everything below it).
 */
export function assertCanManageSettings(actor: Actor, regionCode: string): void {
  if (!hasRole(actor, 'ADMIN')) throw forbidden('region settings and model parameters are managed by administrators');
  if (!coversRegion(actor, regionCode)) throw forbidden('the region lies outside your jurisdiction');
}

/**
 * Finding a person by resident ID number (through the keyed hash): those who may read full
 * personal data (case workers) of the agencies that look persons up (医保, 卫健, 纪委); the
 * person is found only inside their jurisdiction (canLookUpReference). Every search is audited.
 */
export function assertCanSearchByIdNumber(actor: Actor): void {
  if (!canReadPersonalData(actor) || actor.department.kind === 'PUBLIC_SECURITY') {
    throw forbidden('searching persons by ID number is for case workers of 医保, 卫健 and 纪委');
  }
}

/** The audit log is read by administrators and by 纪委 supervisors and leaders (监督的再监督). */
export const canReadAuditLog = (actor: Actor): boolean =>
  hasRole(actor, 'ADMIN') || (actor.department.kind === 'DISCIPLINE' && hasRole(actor, 'SUPERVISOR', 'LEADER'));

/** The ingest log (数据归集记录): analysts and administrators of 医保, who run the loads. */
export const canReadIngestLog = (actor: Actor): boolean =>
  actor.department.kind === 'MEDICAL_INSURANCE' && hasRole(actor, 'ANALYST', 'ADMIN');

// ---------------------------------------------------------------------------------------
// Clues, transfers, cases and supervision items.
//
// A department sees the clues and cases it owns or registered, those owned by departments
// of the same kind inside its jurisdiction, those it sent or received by transfer, and those
// copied to it; 纪委 reads everything inside its jurisdiction. Police have no jurisdiction
// rule of their own beyond that: they see what was routed or transferred to them.
// Each visibility rule is one SQL predicate so that lists and single reads agree.
// ---------------------------------------------------------------------------------------

/**
 * Predicate over a clue row aliased `c` (for WHERE and EXISTS: it may be NULL where it is not
 * true). Each arm compares a column of the clue with a set computed once per statement
 * (`= ANY(ARRAY(SELECT …))`, an uncorrelated InitPlan): owned by its department or one of the
 * same kind in its jurisdiction, created by a user of its department, transferred from or to
 * it, copied to it. So every arm is an index scan of clue (owner, created_by, id), and a list
 * and its count read only the visible rows instead of testing every clue (correlated EXISTS
 * per row cannot use an index: migrations/1763902600101-clue-visibility-indexes.ts).
 */
export function clueVisibleSql(actor: Actor, params: SqlParams, c = 'c'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const k = params.add(actor.department.kind);
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const discipline = actor.department.kind === 'DISCIPLINE' ? `OR ${c}.region_code LIKE ${j}` : '';
  return `(${c}.owner_department_id = ANY(ARRAY(SELECT od.id FROM department od
      WHERE od.id = ${d} OR (od.kind = ${k} AND od.region_code LIKE ${j})))
    OR ${c}.created_by = ANY(ARRAY(SELECT cu.id FROM app_user cu WHERE cu.department_id = ${d}))
    OR ${c}.id = ANY(ARRAY(SELECT ct.clue_id FROM clue_transfer ct WHERE ${d} IN (ct.from_department_id, ct.to_department_id)))
    OR ${c}.id = ANY(ARRAY(SELECT cc.clue_id FROM clue_copy cc WHERE cc.department_id = ${d}))
    ${discipline})`;
}

/** Predicate over a case row aliased `k`: its owner rules, or any of its clues visible. */
export function caseVisibleSql(actor: Actor, params: SqlParams, k = 'k'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const kind = params.add(actor.department.kind);
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const discipline = actor.department.kind === 'DISCIPLINE' ? `OR ${k}.region_code LIKE ${j}` : '';
  return `(${k}.owner_department_id = ${d}
    OR EXISTS (SELECT 1 FROM department od WHERE od.id = ${k}.owner_department_id AND od.kind = ${kind} AND od.region_code LIKE ${j})
    OR EXISTS (SELECT 1 FROM case_clue kc JOIN clue c2 ON c2.id = kc.clue_id WHERE kc.case_id = ${k}.id AND ${clueVisibleSql(actor, params, 'c2')})
    ${discipline})`;
}

/**
 * Predicate over a rectification item aliased `r` (a measure of a CASE problem in the shape of
 * case.repository.ts `rectificationsFrom`: `case_id`, `owner_department_id` = the problem's
 * responsible department): visible with its case, and to the department that must rectify
 * (整改责任单位), which may not see the case itself.
 */
export function rectificationVisibleSql(actor: Actor, params: SqlParams, r = 'r'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  return `(${r}.owner_department_id = ${d}
    OR EXISTS (SELECT 1 FROM "case" rk WHERE rk.id = ${r}.case_id AND ${caseVisibleSql(actor, params, 'rk')}))`;
}

/** Predicate over a transfer row aliased `t`: visible with its clue. */
export function transferVisibleSql(actor: Actor, params: SqlParams, t = 't'): string {
  return `EXISTS (SELECT 1 FROM clue c3 WHERE c3.id = ${t}.clue_id AND ${clueVisibleSql(actor, params, 'c3')})`;
}

/** Predicate over a supervision item aliased `s`. */
export function supervisionVisibleSql(actor: Actor, params: SqlParams, s = 's'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const k = params.add(actor.department.kind);
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const discipline = actor.department.kind === 'DISCIPLINE' ? `OR sd.region_code LIKE ${j}` : '';
  return `EXISTS (SELECT 1 FROM department sd WHERE sd.id IN (${s}.assigned_to_department_id, ${s}.creator_department_id)
    AND (sd.id = ${d} OR (sd.kind = ${k} AND sd.region_code LIKE ${j}) ${discipline}))`;
}

const isCaseWorker = (actor: Actor): boolean => hasRole(actor, ...CASE_WORKERS);

/** The parties an actor is, with respect to one entity (for the state machines). */
export function partiesOf(
  actor: Actor | null,
  relations: {
    ownerDepartmentId?: string | null;
    receiverDepartmentId?: string | null;
    assigneeDepartmentId?: string | null;
    creatorDepartmentId?: string | null;
    /**
     * For 指定管辖: the department whose work the entity is — a clue's or case's owner, a
     * pending transfer's sender (who owns the clue until the transfer is accepted); null when
     * nobody owns it yet (an unrouted clue: its state refuses designation, not who asks).
     */
    jurisdictionOwner?: { kind: DepartmentKind; regionCode: string } | null;
    rectifierDepartmentId?: string | null;
    /** A problem's supervising department (督促整改、验收、销号). */
    supervisingDepartmentId?: string | null;
    /** A campaign's leading department and its participants (the leading one among them). */
    campaign?: { leadDepartmentId: string; participantDepartmentIds: readonly string[] } | null;
  },
): Set<Party> {
  const parties = new Set<Party>();
  if (!actor) {
    parties.add('SYSTEM');
    return parties;
  }
  const d = actor.department.id;
  if (isCaseWorker(actor)) {
    if (relations.ownerDepartmentId === d) parties.add('OWNER');
    if (relations.receiverDepartmentId === d) parties.add('RECEIVER');
    if (relations.assigneeDepartmentId === d) parties.add('ASSIGNEE');
    if (relations.creatorDepartmentId === d) parties.add('SUPERVISING');
    if (relations.rectifierDepartmentId === d) parties.add('RECTIFIER');
    if (relations.supervisingDepartmentId === d) parties.add('SUPERVISING');
    if (relations.ownerDepartmentId === d && hasRole(actor, 'SUPERVISOR')) parties.add('OWNER_SUPERVISOR');
  }
  if (relations.supervisingDepartmentId === d && hasRole(actor, 'LEADER')) parties.add('SUPERVISING_LEADER');
  if (relations.creatorDepartmentId === d && hasRole(actor, 'LEADER')) parties.add('CREATOR_LEADER');
  if (relations.campaign) {
    if (relations.campaign.leadDepartmentId === d && hasRole(actor, 'LEADER')) parties.add('LEAD_LEADER');
    const member = relations.campaign.leadDepartmentId === d || relations.campaign.participantDepartmentIds.includes(d);
    if (member && readsCaseContent(actor)) parties.add('CAMPAIGN_MEMBER');
  }
  if (relations.jurisdictionOwner !== undefined && isDesignator(actor, relations.jurisdictionOwner)) {
    parties.add('DESIGNATOR');
  }
  return parties;
}

/**
 * 指定管辖 (DESIGNATED_JURISDICTION) moves a clue, case or pending transfer to another department:
 * a change of the target, so seeing it is not enough (§6: only its owner changes an entity; 纪委
 * reads other agencies' work read-only). It is decided by a leader of the owning department or
 * of a department of the same kind above it (上级).
 */
function isDesignator(actor: Actor, owner: { kind: DepartmentKind; regionCode: string } | null): boolean {
  if (!hasRole(actor, 'LEADER')) return false;
  return owner === null || (actor.department.kind === owner.kind && coversRegion(actor, owner.regionCode));
}

/** Registering a clue (petition, inspection, self-report, audit): any case worker. */
export function assertCanRegisterClue(actor: Actor): void {
  if (!isCaseWorker(actor)) throw forbidden('only investigators, section heads and leaders register clues');
}

/** 分办规则 are edited by administrators of a province (they route every clue of it). */
export function assertCanEditRoutingRules(actor: Actor): void {
  if (!hasRole(actor, 'ADMIN') || actor.department.regionLevel !== 'PROVINCE') {
    throw forbidden('routing rules are edited by provincial administrators');
  }
}

/** Only LEADERs create supervision items, over something their department can see. */
export function assertCanSupervise(actor: Actor): void {
  if (!hasRole(actor, 'LEADER')) throw forbidden('only leaders create supervision items');
}

/**
 * The queue dashboard (/admin/queues): operating the system's queues is an ADMIN's work (§6:
 * admins manage users and rules, not case content — jobs carry ids, not case content).
 */
export const mayOperateQueues = (actor: Actor): boolean => hasRole(actor, 'ADMIN') && !actor.mustChangePassword;

/**
 * GraphiQL in the console (/console) and the schema it documents (CONSOLE_GRAPHIQL): every
 * signed-in user, only administrators and analysts (who write queries for others; the
 * production default), or nobody. The operations themselves stay under the API's policy.
 */
export const GRAPHIQL_ROLES: readonly Role[] = ['ADMIN', 'ANALYST'];
export function canUseGraphiql(actor: Actor, setting: ConsoleGraphiql): boolean {
  if (setting === 'off') return false;
  return setting === 'all' || hasRole(actor, ...GRAPHIQL_ROLES);
}

/** Acting for the owning department outside a machine event (filing a case on its clue): its case workers. */
export function assertOwnerCaseWorker(actor: Actor, ownerDepartmentId: string, what: string): void {
  if (actor.department.id !== ownerDepartmentId || !isCaseWorker(actor)) {
    throw forbidden(`only case workers of the owning department may ${what}`);
  }
}

/** Statistics: LEADERs and ANALYSTs, for a region inside their jurisdiction. */
export function assertCanReadStats(actor: Actor, regionCode: string): void {
  if (!hasRole(actor, 'LEADER', 'ANALYST') || !coversRegion(actor, regionCode)) {
    throw forbidden('statistics are for leaders and analysts, inside their jurisdiction');
  }
}

/** Collision runs and hits: 医保 and 纪委 users whose jurisdiction covers the institution. */
export function collisionVisibleSql(actor: Actor, params: SqlParams, regionColumn: string): string {
  if (!readsCaseContent(actor) || !['MEDICAL_INSURANCE', 'DISCIPLINE'].includes(actor.department.kind)) return 'false';
  return `${regionColumn} LIKE ${params.add(`${jurisdictionOf(actor)}%`)}`;
}

/** Starting a collision run: 医保 analysts and leaders, over their jurisdiction. */
export function assertCanRunCollision(actor: Actor, regionCode: string | null): void {
  if (actor.department.kind !== 'MEDICAL_INSURANCE' || !hasRole(actor, 'ANALYST', 'LEADER')) {
    throw forbidden('collision runs are started by analysts and leaders of a 医保 department');
  }
  if (regionCode ? !coversRegion(actor, regionCode) : actor.department.regionLevel !== 'PROVINCE') {
    throw forbidden('a collision run must lie inside your jurisdiction (give regionCode)');
  }
}

/** Hits: by collision jurisdiction, or through a clue the caller sees. Predicate over `h`. */
export function hitVisibleSql(actor: Actor, params: SqlParams, h = 'h'): string {
  return `(${collisionVisibleSql(actor, params, `${h}.region_code`)}
    OR EXISTS (SELECT 1 FROM clue hc WHERE hc.id = ${h}.clue_id AND ${clueVisibleSql(actor, params, 'hc')}))`;
}

/**
 * Runs: 医保 and 纪委 users, for runs over all regions or over a region that overlaps their
 * jurisdiction (inside it, or containing it). Predicate over `r`.
 */
export function runVisibleSql(actor: Actor, params: SqlParams, r = 'r'): string {
  if (!readsCaseContent(actor) || !['MEDICAL_INSURANCE', 'DISCIPLINE'].includes(actor.department.kind)) return 'false';
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const own = params.add(actor.department.regionCode);
  return `(${r}.region_code IS NULL OR EXISTS (SELECT 1 FROM region rr WHERE rr.code = ${r}.region_code AND (rr.code LIKE ${j}
    OR ${own} LIKE (CASE rr.level WHEN 'PROVINCE' THEN left(rr.code, 2) WHEN 'CITY' THEN left(rr.code, 4) ELSE rr.code END) || '%')))`;
}

// ---------------------------------------------------------------------------------------
// Problems (问题清单) and their rectification measures (PRODUCT.md §9 "Access").
// ---------------------------------------------------------------------------------------

/**
 * Predicate over a problem row aliased `p`: the responsible (整改责任单位) and supervising
 * departments, departments of the same kind above either of them (as for clues and cases), and
 * 纪委 whose jurisdiction covers the problem's region. Seeing the linked case or clue does not
 * by itself show the problem (docs/OUTCOMES.md).
 */
export function problemVisibleSql(actor: Actor, params: SqlParams, p = 'p'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const k = params.add(actor.department.kind);
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const discipline = actor.department.kind === 'DISCIPLINE' ? `OR ${p}.region_code LIKE ${j}` : '';
  return `(${p}.responsible_department_id = ${d} OR ${p}.supervising_department_id = ${d}
    OR EXISTS (SELECT 1 FROM department pd WHERE pd.id IN (${p}.responsible_department_id, ${p}.supervising_department_id)
      AND pd.kind = ${k} AND pd.region_code LIKE ${j})
    ${discipline})`;
}

/** The parties of a problem or of one of its measures. */
export const problemPartiesOf = (
  actor: Actor | null,
  problem: { responsible_department_id: string; supervising_department_id: string },
): Set<Party> =>
  partiesOf(actor, {
    rectifierDepartmentId: problem.responsible_department_id,
    supervisingDepartmentId: problem.supervising_department_id,
  });

/**
 * Listing a problem (with its first measures): a case worker, who supervises it — the
 * supervising department is the caller's own unless the caller names another department it
 * may supervise for (none today: only its own).
 */
export function assertCanCreateProblem(actor: Actor, supervisingDepartmentId: string): void {
  if (!isCaseWorker(actor)) throw forbidden('only investigators, section heads and leaders list problems');
  if (supervisingDepartmentId !== actor.department.id) {
    throw forbidden('the supervising department of a new problem is your own department');
  }
}

// ---------------------------------------------------------------------------------------
// The rule library (RULES.md).
// ---------------------------------------------------------------------------------------

/**
 * Creating, editing and retiring a rule: an ADMIN, or an ANALYST or LEADER of a 医保
 * department, for rules scoped to their own region or below.
 */
export function assertCanManageRule(actor: Actor, ruleRegionCode: string): void {
  const mayEdit =
    hasRole(actor, 'ADMIN') || (actor.department.kind === 'MEDICAL_INSURANCE' && hasRole(actor, 'ANALYST', 'LEADER'));
  if (!mayEdit) throw forbidden('rules are managed by administrators and by analysts and leaders of 医保');
  if (!coversRegion(actor, ruleRegionCode)) throw forbidden('a rule must be scoped to your region or below');
}

/**
 * Reading rules: those who read hits (医保 and 纪委 case readers) and those who manage rules
 * (ADMINs), for rules whose scope overlaps their jurisdiction — a rule of the province applies
 * in a city, a county's rule lies inside it. Predicate over a rule row `r` (its jurisdiction
 * column). A hit's own rule is read through the hit (whoever reads the hit reads its rule).
 */
export function ruleVisibleSql(actor: Actor, params: SqlParams, r = 'r'): string {
  const reads =
    hasRole(actor, 'ADMIN') ||
    (readsCaseContent(actor) && ['MEDICAL_INSURANCE', 'DISCIPLINE'].includes(actor.department.kind));
  if (!reads) return 'false';
  const j = params.add(jurisdictionOf(actor));
  return `(starts_with(${r}.jurisdiction, ${j}) OR starts_with(${j}, ${r}.jurisdiction))`;
}

/** Rule statistics: as statistics (LEADERs and ANALYSTs inside their jurisdiction). */
export const assertCanReadRuleStats = (actor: Actor, regionCode: string): void => assertCanReadStats(actor, regionCode);

// ---------------------------------------------------------------------------------------
// Campaigns (专项行动) and self-check reports (PRODUCT.md §9 "Campaigns", "Access").
// ---------------------------------------------------------------------------------------

/**
 * Predicate over a campaign row aliased `g`: its leading and participating departments (any
 * kind), and 纪委 whose jurisdiction covers the campaign's region.
 */
export function campaignVisibleSql(actor: Actor, params: SqlParams, g = 'g'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const discipline =
    actor.department.kind === 'DISCIPLINE' ? `OR ${g}.region_code LIKE ${params.add(`${jurisdictionOf(actor)}%`)}` : '';
  return `(${g}.lead_department_id = ${d}
    OR EXISTS (SELECT 1 FROM campaign_participant gp WHERE gp.campaign_id = ${g}.id AND gp.department_id = ${d})
    ${discipline})`;
}

/** The parties of a campaign. */
export const campaignPartiesOf = (
  actor: Actor | null,
  campaign: { lead_department_id: string; participant_department_ids: readonly string[] },
): Set<Party> =>
  partiesOf(actor, {
    campaign: {
      leadDepartmentId: campaign.lead_department_id,
      participantDepartmentIds: campaign.participant_department_ids,
    },
  });

/** Deploying a campaign: a LEADER, who leads it with their department, over a region of their jurisdiction. */
export function assertCanCreateCampaign(actor: Actor, regionCode: string): void {
  if (!hasRole(actor, 'LEADER')) throw forbidden('campaigns are deployed by leaders');
  if (!coversRegion(actor, regionCode)) throw forbidden('a campaign must lie inside your jurisdiction');
}

/**
 * A campaign's collision run: as any collision run (医保 analysts and leaders over their
 * jurisdiction), by a member of the campaign (the event's party, checked by its machine).
 */
export const assertCanStartCampaignRun = (actor: Actor, regionCode: string): void =>
  assertCanRunCollision(actor, regionCode);

/** 自查自纠 reports are recorded by case workers of a 医保 department (a member of the campaign). */
export function assertCanRecordSelfCheck(actor: Actor): void {
  if (actor.department.kind !== 'MEDICAL_INSURANCE' || !isCaseWorker(actor)) {
    throw forbidden('self-check reports are recorded by case workers of a 医保 department');
  }
}

// ---------------------------------------------------------------------------------------
// Inspections (检查) and documents (文书), PRODUCT.md §9; decisions in docs/OUTCOMES.md.
// ---------------------------------------------------------------------------------------

/** The agencies that organise inspections (公安 joins teams but does not lead them). */
const INSPECTING_KINDS: readonly DepartmentKind[] = ['MEDICAL_INSURANCE', 'HEALTH', 'DISCIPLINE'];

/** Planning an inspection: a LEADER or SUPERVISOR of 医保, 卫健 or 纪委; their department leads it. */
export function assertCanCreateInspection(actor: Actor): void {
  if (!INSPECTING_KINDS.includes(actor.department.kind) || !hasRole(actor, 'LEADER', 'SUPERVISOR')) {
    throw forbidden('inspections are planned by leaders and section heads of 医保, 卫健 or 纪委');
  }
}

/**
 * Predicate over an inspection row aliased `i`: its lead department and the departments of its
 * team members, departments of the same kind above the lead department, and 纪委 whose
 * jurisdiction covers the institution's region.
 */
export function inspectionVisibleSql(actor: Actor, params: SqlParams, i = 'i'): string {
  if (!readsCaseContent(actor)) return 'false';
  const d = params.add(actor.department.id);
  const k = params.add(actor.department.kind);
  const j = params.add(`${jurisdictionOf(actor)}%`);
  const discipline = actor.department.kind === 'DISCIPLINE' ? `OR ${i}.region_code LIKE ${j}` : '';
  return `(${i}.lead_department_id = ${d}
    OR EXISTS (SELECT 1 FROM inspection_member im WHERE im.inspection_id = ${i}.id AND im.department_id = ${d})
    OR EXISTS (SELECT 1 FROM department ld WHERE ld.id = ${i}.lead_department_id AND ld.kind = ${k} AND ld.region_code LIKE ${j})
    ${discipline})`;
}

/** The parties of an inspection: OWNER (a case worker of the lead department), TEAM_MEMBER. */
export function inspectionPartiesOf(
  actor: Actor | null,
  inspection: { lead_department_id: string },
  teamUserIds: readonly string[],
): Set<Party> {
  const parties = partiesOf(actor, { ownerDepartmentId: inspection.lead_department_id });
  if (actor && teamUserIds.includes(actor.userId)) parties.add('TEAM_MEMBER');
  return parties;
}

/**
 * Issuing a document (文书): a LEADER or SUPERVISOR of the issuing department (their own); a
 * 纪检监察建议书 only by 纪委.
 */
export function assertCanIssueDocument(actor: Actor, kind: string): void {
  if (!hasRole(actor, 'LEADER', 'SUPERVISOR')) throw forbidden('documents are issued by leaders and section heads');
  if (kind === 'DISCIPLINE_RECOMMENDATION' && actor.department.kind !== 'DISCIPLINE') {
    throw forbidden('纪检监察建议书 are issued by 纪委 only');
  }
}

/**
 * Predicate over a document row aliased `dc`: a 通报 (PUBLIC_NOTICE) is read by every user
 * whose department lies in its issuer's jurisdiction (its region and below); the other kinds
 * by the issuing and receiving departments, and 纪委 whose jurisdiction covers the issuer's region.
 */
export function documentVisibleSql(actor: Actor, params: SqlParams, dc = 'dc'): string {
  const own = params.add(actor.department.regionCode);
  const notice = `(${dc}.kind = 'PUBLIC_NOTICE' AND starts_with(${own},
    (SELECT ${jurisdictionPrefixSql('ir.code', 'ir.level')} FROM region ir WHERE ir.code = ${dc}.region_code)))`;
  if (!readsCaseContent(actor)) return notice;
  const d = params.add(actor.department.id);
  const discipline =
    actor.department.kind === 'DISCIPLINE'
      ? `OR ${dc}.region_code LIKE ${params.add(`${jurisdictionOf(actor)}%`)}`
      : '';
  return `(${notice} OR ${dc}.issuer_department_id = ${d}
    OR EXISTS (SELECT 1 FROM document_recipient dr WHERE dr.document_id = ${dc}.id AND dr.department_id = ${d})
    ${discipline})`;
}

/**
 * The institution of a new inspection: inside the planner's jurisdiction; a 交叉检查 (CROSS)
 * is organised across the province, so inside the planner's province.
 */
export function assertCanInspectInstitution(actor: Actor, kind: string, institutionRegion: string): void {
  const inside =
    kind === 'CROSS'
      ? provinceOf(institutionRegion) === provinceOf(actor.department.regionCode)
      : coversRegion(actor, institutionRegion);
  if (!inside) throw forbidden('the institution lies outside your jurisdiction');
}
