/**
 * 分办: places a NEW clue with the responsible department. The agency comes from the
 * first routing rule that holds; the department is that agency's in the institution's
 * county, escalated (提级) to the city at or above the escalation threshold. A clue routed
 * to an agency other than 纪委 is copied (抄送) to the 纪委 of the same region at or above
 * the copy threshold. Idempotent: a clue that is no longer NEW is left alone, so a job
 * delivered twice routes once.
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { publishEvent } from '../../graphql/pubsub';
import { applyEvent } from '../../workflow/transition';
import { insertTimelineEntry } from '../../workflow/timeline.repository';
import { departmentName } from '../auth/auth.service';
import { clueMachine } from '../clue/clue.machine';
import { CLUE_SELECT } from '../clue/clue.service';
import { ClueRow } from '../clue/clue.types';
import { DepartmentKind } from '../reference/department.entity';
import { regionSettings } from '../reference/region-settings';
import { holds, RoutingRuleRow, toFen } from './routing.rules';

export interface RoutingDecision {
  clueId: string;
  routed: boolean;
  departmentId?: string;
  rule?: string;
  copiedTo?: string;
}

/** The department of (kind, region), created with its conventional name when missing. */
async function departmentFor(m: EntityManager, kind: DepartmentKind, regionCode: string): Promise<string> {
  const [region] = await m.query('SELECT name FROM region WHERE code = $1', [regionCode]);
  await m.query(
    `INSERT INTO department (kind, region_code, name) VALUES ($1, $2, $3) ON CONFLICT (kind, region_code) DO NOTHING`,
    [kind, regionCode, departmentName(region.name, kind)],
  );
  const [row] = await m.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [kind, regionCode]);
  return row.id;
}

export async function routeClue(services: AppServices, clueId: string): Promise<RoutingDecision> {
  const decision = await services.db.transaction(async (m): Promise<RoutingDecision> => {
    const [clue]: ClueRow[] = await m.query(`SELECT ${CLUE_SELECT} FROM clue c WHERE c.id = $1 FOR UPDATE`, [clueId]);
    if (!clue || clue.status !== 'NEW') return { clueId, routed: false };

    const [persons] = await m.query(
      `SELECT count(*)::int AS n, coalesce(bool_or(p.is_public_official), false) AS official
       FROM clue_person cp JOIN person p ON p.person_id = cp.person_id WHERE cp.clue_id = $1`,
      [clueId],
    );
    const [region] = await m.query('SELECT code, level, parent_code FROM region WHERE code = $1', [clue.region_code]);
    const settings = await regionSettings(m, clue.region_code);
    const rules: RoutingRuleRow[] = await m.query('SELECT * FROM routing_rule WHERE enabled ORDER BY position');
    const facts = {
      model: clue.model,
      amountInvolved: clue.amount_involved,
      personCount: persons.n,
      publicOfficialInvolved: persons.official,
      settings,
    };
    const rule = rules.find((r) => holds(r.condition, facts));
    const kind: DepartmentKind = rule?.target_kind ?? 'MEDICAL_INSURANCE';
    const escalate = toFen(clue.amount_involved) >= toFen(settings.escalationThreshold);
    const regionCode = escalate && region.level === 'COUNTY' ? region.parent_code : region.code;
    const departmentId = await departmentFor(m, kind, regionCode);
    const ruleName = rule?.name ?? '默认: 医保';

    await applyEvent(m, clueMachine, clue, {
      event: 'ROUTE',
      actor: null,
      parties: new Set(['SYSTEM']),
      input: {},
      set: { owner_department_id: departmentId, routing_rule: ruleName, routed_at: new Date() },
      detail: { ruleId: rule?.id ?? null, position: rule?.position ?? null, departmentId, escalated: escalate },
    });

    let copiedTo: string | undefined;
    if (kind !== 'DISCIPLINE' && toFen(clue.amount_involved) >= toFen(settings.disciplineCopyThreshold)) {
      copiedTo = await departmentFor(m, 'DISCIPLINE', regionCode);
      await m.query(
        `INSERT INTO clue_copy (clue_id, department_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [clue.id, copiedTo, `涉及金额达到抄送标准 (≥ ${settings.disciplineCopyThreshold})`],
      );
      await insertTimelineEntry(m, {
        entity: 'Clue',
        entityId: clue.id,
        actorId: null,
        from: 'ASSIGNED',
        to: 'ASSIGNED',
        event: 'COPY',
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
