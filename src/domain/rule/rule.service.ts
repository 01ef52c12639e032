/**
 * The rule library (RULES.md): rules are versioned data. Creating a rule writes version 1;
 * updating or retiring one writes a new version (the old one stays readable with its
 * validity); each change is audited with the values before and after. Runs read the versions
 * current when they start (collision_run_rule), so a change never rewrites past hits.
 */
import { DataSource, EntityManager } from 'typeorm';
import { AppError, badInput, notFound } from '../../core/errors';
import { Connection } from '../../core/pagination';
import { toGlobalId } from '../../core/ids';
import { inTransaction } from '../../db/transaction';
import { Actor, assertCanManageRule, assertCanReadRuleStats } from '../../policy';
import { appendAudit } from '../audit/audit.service';
import { ruleRowProblem } from '../ingest/ingest.files';
import * as rules from './rule.repository';
import { RuleListFilter, RuleRow, RuleStatRow, RuleValues } from './rule.repository';

export type { RuleRow, RuleStatRow } from './rule.repository';

type Db = DataSource | EntityManager;

export interface RuleInput {
  ruleId: string;
  ruleClass: string;
  itemCode: string;
  regionCode: string;
  effectiveFrom: string;
  effectiveTo?: string | null;
  gender?: string | null;
  minAge?: number | null;
  maxAge?: number | null;
  visitTypes?: string[] | null;
  minLevel?: string | null;
  diagnosisPrefixes?: string[] | null;
  otherItemCode?: string | null;
  maxUnits?: number | null;
  period?: string | null;
  description: string;
}

const text = (value: string | number | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);
const list = (values: string[] | null | undefined): string | null => (values?.length ? values.join(';') : null);

/** The input as a rules.csv line would carry it, checked exactly as the loader checks one. */
function checkedValues(input: RuleInput): RuleValues {
  const fields = {
    rule_id: text(input.ruleId),
    rule_class: text(input.ruleClass),
    item_code: text(input.itemCode),
    region_code: text(input.regionCode),
    effective_from: text(input.effectiveFrom),
    effective_to: text(input.effectiveTo),
    gender: text(input.gender),
    min_age: text(input.minAge),
    max_age: text(input.maxAge),
    visit_types: list(input.visitTypes),
    min_level: text(input.minLevel),
    diagnosis_prefixes: list(input.diagnosisPrefixes),
    other_item_code: text(input.otherItemCode),
    max_units: text(input.maxUnits),
    period: text(input.period),
    description: text(input.description?.trim()),
  };
  const problem = ruleRowProblem(fields);
  if (problem) throw badInput(problem);
  return {
    rule_id: fields.rule_id!,
    rule_class: fields.rule_class!,
    item_code: fields.item_code!,
    region_code: fields.region_code!,
    effective_from: fields.effective_from!,
    effective_to: fields.effective_to,
    gender: fields.gender,
    min_age: input.minAge ?? null,
    max_age: input.maxAge ?? null,
    visit_types: input.visitTypes?.length ? input.visitTypes : null,
    min_level: fields.min_level,
    diagnosis_prefixes: input.diagnosisPrefixes?.length ? input.diagnosisPrefixes : null,
    other_item_code: fields.other_item_code,
    max_units: fields.max_units,
    period: fields.period,
    description: fields.description!,
  };
}

/** What the audit records of a version: its values. */
const auditValues = (row: RuleRow | RuleValues) => ({
  ruleClass: row.rule_class,
  itemCode: row.item_code,
  regionCode: row.region_code,
  effectiveFrom: row.effective_from,
  effectiveTo: row.effective_to,
  gender: row.gender,
  minAge: row.min_age,
  maxAge: row.max_age,
  visitTypes: row.visit_types,
  minLevel: row.min_level,
  diagnosisPrefixes: row.diagnosis_prefixes,
  otherItemCode: row.other_item_code,
  maxUnits: row.max_units,
  period: row.period,
  description: row.description,
  ...('version' in row ? { version: row.version } : {}),
});

async function assertRegion(m: Db, code: string): Promise<void> {
  if (!(await rules.regionExists(m, code))) throw badInput(`region_code ${code} does not exist`);
}

export async function createRule(db: DataSource, actor: Actor, input: RuleInput): Promise<RuleRow> {
  const values = checkedValues(input);
  await assertRegion(db, values.region_code);
  assertCanManageRule(actor, values.region_code);
  return inTransaction(db, async (m) => {
    if (await rules.ruleIdTaken(m, values.rule_id)) {
      throw new AppError('CONFLICT', `rule_id ${values.rule_id} already exists`);
    }
    const row = await rules.insertRuleVersion(m, values, 1, actor.userId);
    await appendAudit(m, {
      actorId: actor.userId,
      action: 'Rule.CREATE',
      targetType: 'Rule',
      targetId: toGlobalId('Rule', row.id),
      detail: { ruleId: row.rule_id, before: null, after: auditValues(row) },
    });
    return row;
  });
}

/** Locks the current version; NOT_FOUND when the actor cannot see it, FORBIDDEN when they may not change it. */
async function currentForChange(
  m: EntityManager,
  actor: Actor,
  ruleId: string,
  expectedVersion?: number | null,
): Promise<RuleRow> {
  const visible = await rules.visibleCurrentRule(m, actor, ruleId);
  if (!visible) throw notFound('rule');
  const current = await rules.lockCurrentRule(m, ruleId);
  if (!current) throw notFound('rule');
  assertCanManageRule(actor, current.region_code);
  if (expectedVersion != null && expectedVersion !== current.version) {
    throw new AppError(
      'VERSION_CONFLICT',
      `rule ${ruleId} is at version ${current.version}, not ${expectedVersion}: reload and retry`,
    );
  }
  return current;
}

async function writeVersion(
  m: EntityManager,
  actor: Actor,
  action: string,
  before: RuleRow,
  values: RuleValues,
): Promise<RuleRow> {
  const row = await rules.insertRuleVersion(m, values, before.version + 1, actor.userId);
  await appendAudit(m, {
    actorId: actor.userId,
    action,
    targetType: 'Rule',
    targetId: toGlobalId('Rule', row.id),
    detail: { ruleId: row.rule_id, before: auditValues(before), after: auditValues(row) },
  });
  return row;
}

/** A new version with the input's values (the class may not change: a rule keeps its class). */
export async function updateRule(
  db: DataSource,
  actor: Actor,
  input: RuleInput,
  expectedVersion?: number | null,
): Promise<RuleRow> {
  const values = checkedValues(input);
  await assertRegion(db, values.region_code);
  assertCanManageRule(actor, values.region_code);
  return inTransaction(db, async (m) => {
    const current = await currentForChange(m, actor, values.rule_id, expectedVersion);
    if (current.rule_class !== values.rule_class) {
      throw badInput(`rule ${values.rule_id} is a ${current.rule_class} rule; its class cannot change`);
    }
    return writeVersion(m, actor, 'Rule.UPDATE', current, values);
  });
}

/** A new version ending on `effectiveTo` (≥ effective_from). */
export async function retireRule(db: DataSource, actor: Actor, ruleId: string, effectiveTo: string): Promise<RuleRow> {
  return inTransaction(db, async (m) => {
    const current = await currentForChange(m, actor, ruleId);
    if (effectiveTo < current.effective_from) {
      throw badInput(`effective_to ${effectiveTo} is before effective_from ${current.effective_from}`);
    }
    const {
      id: _id,
      version: _v,
      current: _c,
      jurisdiction: _j,
      ingest_file_id: _f,
      created_by: _b,
      created_at: _a,
      ...values
    } = current;
    return writeVersion(m, actor, 'Rule.RETIRE', current, { ...values, effective_to: effectiveTo });
  });
}

export const findVisibleRule = (db: Db, actor: Actor, ruleId: string): Promise<RuleRow | null> =>
  rules.visibleCurrentRule(db, actor, ruleId);

export const listRules = (
  db: Db,
  actor: Actor,
  filter: RuleListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<RuleRow>> => rules.pageRules(db, actor, filter, first, after);

export const rulesByIds = (db: Db, ids: readonly string[]): Promise<RuleRow[]> => rules.rulesByIds(db, ids);
export const rulesByVersion = (db: Db, keys: readonly { ruleId: string; version: number }[]): Promise<RuleRow[]> =>
  rules.rulesByVersion(db, keys);

export function ruleStatistics(
  db: Db,
  actor: Actor,
  window: { regionCode: string; from: string; to: string },
): Promise<RuleStatRow[]> {
  assertCanReadRuleStats(actor, window.regionCode);
  if (window.from > window.to) throw badInput(`from ${window.from} is after to ${window.to}`);
  return rules.ruleStats(db, actor, window);
}

export const findVisibleRuleVersion = (db: Db, actor: Actor, id: string): Promise<RuleRow | null> =>
  rules.visibleRuleByRowId(db, actor, id);
