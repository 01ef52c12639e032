/**
 * 分办: places a NEW clue with the responsible department. The agency comes from the
 * first routing rule that holds; the department is that agency's in the institution's
 * county, escalated (提级) to the city at or above the escalation threshold. A clue routed
 * to an agency other than 纪委 is copied (抄送) to the 纪委 of the same region at or above
 * the copy threshold. A RECHECK clue (回头看 found the problem again) goes to 医保 one level up
 * instead. Idempotent: a clue that is no longer NEW is left alone, so a job
 * delivered twice routes once.
 */
import { notify } from '../notification/notification.service';
import { CASE_WORKERS } from '../../policy';
import { inTransaction } from '../../db/transaction';
import { DataSource, EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput, notFound } from '../../core/errors';
import { publishEvent } from '../../events/pubsub';
import { Actor, assertCanEditRoutingRules } from '../../policy';
import { applyEvent } from '../../workflow/transition';
import { departmentName } from '../auth/auth.service';
import { clueMachine } from '../clue/clue.machine';
import { insertClueCopy, lockClue } from '../clue/clue.repository';
import { DepartmentKind } from '../reference/department.entity';
import { regionSettings } from '../reference/region-settings';
import * as routing from './routing.repository';
import { holds, RoutingRuleRow, toFen, validateCondition } from './routing.rules';

/** The routing_rule recorded on a RECHECK clue (routed one level up, not by a rule). */
export const RECHECK_ROUTING = '回头看复发: 上一级医保';

export interface RoutingDecision {
  clueId: string;
  routed: boolean;
  departmentId?: string;
  rule?: string;
  copiedTo?: string;
}

type Db = DataSource | EntityManager;

/** The rules in evaluation order. */
export const listRoutingRules = (db: Db): Promise<RoutingRuleRow[]> => routing.routingRules(db);

export const findRoutingRule = (db: Db, id: string): Promise<RoutingRuleRow | null> => routing.routingRuleById(db, id);

/** Edits a rule (fields given as null stay); the condition is checked before it is stored. */
export async function editRoutingRule(
  db: Db,
  actor: Actor,
  id: string,
  change: { name?: string | null; condition?: unknown; targetKind?: DepartmentKind | null; enabled?: boolean | null },
): Promise<RoutingRuleRow> {
  assertCanEditRoutingRules(actor);
  if (change.condition !== undefined && change.condition !== null) {
    const problem = validateCondition(change.condition);
    if (problem) throw badInput(`condition: ${problem}`);
  }
  const row = await routing.updateRoutingRule(db, id, {
    name: change.name ?? null,
    condition: change.condition ?? null,
    targetKind: change.targetKind ?? null,
    enabled: change.enabled ?? null,
  });
  if (!row) throw notFound('routing rule');
  return row;
}

/** The department of (kind, region), created with its conventional name when missing. */
async function departmentFor(m: EntityManager, kind: DepartmentKind, regionCode: string): Promise<string> {
  const region = await routing.regionOf(m, regionCode);
  return routing.ensureDepartment(m, { kind, regionCode, name: departmentName(region.name, kind) });
}

export async function routeClue(services: AppServices, clueId: string): Promise<RoutingDecision> {
  const decision = await inTransaction(services.db, async (m): Promise<RoutingDecision> => {
    const clue = await lockClue(m, clueId);
    if (!clue || clue.status !== 'NEW') return { clueId, routed: false };

    const persons = await routing.cluePersonFacts(m, clueId);
    const region = await routing.regionOf(m, clue.region_code);
    const settings = await regionSettings(m, clue.region_code);
    const rules = await routing.routingRules(m, { enabledOnly: true });
    const facts = {
      model: clue.model,
      amountInvolved: clue.amount_involved,
      personCount: persons.n,
      publicOfficialInvolved: persons.official,
      settings,
    };
    // 回头看 found a closed problem again: its clue goes to 医保 one level up (county → city →
    // province; a province's stays), whatever the rules say (PRODUCT.md §9).
    const oneLevelUp = clue.source === 'RECHECK';
    const rule = oneLevelUp ? undefined : rules.find((r) => holds(r.condition, facts));
    const kind: DepartmentKind = rule?.target_kind ?? 'MEDICAL_INSURANCE';
    const escalate = !oneLevelUp && toFen(clue.amount_involved) >= toFen(settings.escalationThreshold);
    const regionCode = oneLevelUp
      ? (region.parent_code ?? region.code)
      : escalate && region.level === 'COUNTY' && region.parent_code
        ? region.parent_code
        : region.code;
    const departmentId = await departmentFor(m, kind, regionCode);
    const ruleName = oneLevelUp ? RECHECK_ROUTING : (rule?.name ?? '默认: 医保');

    const routed = await applyEvent(m, clueMachine, clue, {
      event: 'ROUTE',
      actor: null,
      parties: new Set(['SYSTEM']),
      input: {},
      set: { owner_department_id: departmentId, routing_rule: ruleName, routed_at: new Date() },
      detail: { ruleId: rule?.id ?? null, position: rule?.position ?? null, departmentId, escalated: escalate },
    });

    await notify(m, {
      kind: 'CLUE_ASSIGNED',
      title: `线索分办：${clue.code}`,
      body: `「${clue.title}」已按规则「${ruleName}」分办至本单位`,
      target: { type: 'Clue', id: clue.id },
      to: { departmentIds: [departmentId], roles: CASE_WORKERS },
      dedupeKey: `clue-assigned:${clue.id}:${departmentId}`,
    });

    let copiedTo: string | undefined;
    if (kind !== 'DISCIPLINE' && toFen(clue.amount_involved) >= toFen(settings.disciplineCopyThreshold)) {
      copiedTo = await departmentFor(m, 'DISCIPLINE', regionCode);
      await insertClueCopy(m, {
        clue_id: clue.id,
        department_id: copiedTo,
        reason: `涉及金额达到抄送标准 (≥ ${settings.disciplineCopyThreshold})`,
      });
      await applyEvent(m, clueMachine, routed, {
        event: 'COPY',
        actor: null,
        parties: new Set(['SYSTEM']),
        input: {},
        detail: { departmentId: copiedTo },
      });
    }
    return { clueId, routed: true, departmentId, rule: ruleName, copiedTo };
  });
  if (decision.routed) {
    await publishEvent(services, 'clueAssigned', { clueId, departmentId: decision.departmentId! });
    if (decision.copiedTo) await publishEvent(services, 'clueAssigned', { clueId, departmentId: decision.copiedTo });
  }
  return decision;
}

/**
 * Clues still NEW a minute after they were created: their routing job was lost — BullMQ fails a
 * job that stalled more than once, i.e. whose workers were killed twice while they held it
 * (found by the fault campaign: two clues never routed). The maintenance sweep routes them
 * here, the oldest first, at most `limit` per sweep; `routeClue` is idempotent, so a job that
 * was only late changes nothing after this.
 */
export async function routeStrandedClues(services: AppServices, olderThanSeconds = 60, limit = 200): Promise<number> {
  const stranded = await routing.strandedClueIds(services.db, olderThanSeconds, limit);
  let routed = 0;
  for (const id of stranded) {
    if ((await routeClue(services, id)).routed) routed += 1;
  }
  return routed;
}
