/** Every statement of the rule library (RULES.md): rules are versioned rows of `rule`. */
import { badInput } from '../../core/errors';
import { DataSource, EntityManager } from 'typeorm';
import type { Tables } from '../../db/tables';
import { Connection, paginate } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { codePrefix } from '../../core/regions';
import { Actor, ruleVisibleSql } from '../../policy';

type Db = DataSource | EntityManager;

/**
 * Records the rule versions a run uses: the current version of every rule of the classes the
 * run includes (model codes RULE_<class>). The RULE_* statements read exactly these rows.
 */
export async function recordRunRules(m: EntityManager, runId: string, modelCodes: readonly string[]): Promise<number> {
  const classes = modelCodes.filter((c) => c.startsWith('RULE_')).map((c) => c.slice('RULE_'.length));
  if (!classes.length) return 0;
  const rows: { n: number }[] = await m.query(
    `WITH recorded AS (
       INSERT INTO collision_run_rule (run_id, rule_row_id, rule_class)
       SELECT $1, r.id, r.rule_class FROM rule r WHERE r.current AND r.rule_class = ANY($2::text[])
       RETURNING 1)
     SELECT count(*)::int AS n FROM recorded`,
    [runId, classes],
  );
  return rows[0].n;
}

/** The rule versions a run used: {ruleId: version}. */
export async function runRuleVersions(db: Db, runId: string): Promise<Record<string, number>> {
  const rows: { rule_id: string; version: number }[] = await db.query(
    `SELECT r.rule_id, r.version FROM collision_run_rule cr JOIN rule r ON r.id = cr.rule_row_id
     WHERE cr.run_id = $1 ORDER BY r.rule_id`,
    [runId],
  );
  return Object.fromEntries(rows.map((r) => [r.rule_id, r.version]));
}

/** A rule version; dates as YYYY-MM-DD text. */
export type RuleRow = Omit<Tables['rule'], 'effective_from' | 'effective_to'> & {
  effective_from: string;
  effective_to: string | null;
};

const RULE_SELECT = `r.id, r.rule_id, r.version, r.current, r.rule_class, r.item_code, r.region_code, r.jurisdiction,
  to_char(r.effective_from, 'YYYY-MM-DD') AS effective_from, to_char(r.effective_to, 'YYYY-MM-DD') AS effective_to,
  r.gender, r.min_age, r.max_age, r.visit_types, r.min_level, r.diagnosis_prefixes, r.other_item_code,
  r.max_units::text AS max_units, r.period, r.description, r.ingest_file_id, r.created_by, r.created_at`;

/** The values of a new version (everything the rule says). */
export type RuleValues = Pick<
  RuleRow,
  | 'rule_id'
  | 'rule_class'
  | 'item_code'
  | 'region_code'
  | 'effective_from'
  | 'effective_to'
  | 'gender'
  | 'min_age'
  | 'max_age'
  | 'visit_types'
  | 'min_level'
  | 'diagnosis_prefixes'
  | 'other_item_code'
  | 'max_units'
  | 'period'
  | 'description'
>;

export async function regionExists(db: Db, code: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM region WHERE code = $1', [code]);
  return rows.length > 0;
}

/** The current version of a rule, visible to the actor (null when there is none). */
export async function visibleCurrentRule(db: Db, actor: Actor, ruleId: string): Promise<RuleRow | null> {
  const params = new SqlParams([ruleId]);
  const rows: RuleRow[] = await db.query(
    `SELECT ${RULE_SELECT} FROM rule r WHERE r.rule_id = $1 AND r.current AND ${ruleVisibleSql(actor, params)}`,
    params.values,
  );
  return rows[0] ?? null;
}

/** Rule versions by row id. */
export function rulesByIds(db: Db, ids: readonly string[]): Promise<RuleRow[]> {
  return db.query(`SELECT ${RULE_SELECT} FROM rule r WHERE r.id = ANY($1::uuid[])`, [ids]);
}

/** Rule versions by (rule_id, version), e.g. the versions behind hits. */
export function rulesByVersion(db: Db, keys: readonly { ruleId: string; version: number }[]): Promise<RuleRow[]> {
  return db.query(
    `SELECT ${RULE_SELECT} FROM rule r
     JOIN unnest($1::text[], $2::int[]) AS k(rule_id, version) ON k.rule_id = r.rule_id AND k.version = r.version`,
    [keys.map((k) => k.ruleId), keys.map((k) => k.version)],
  );
}

/** Locks the current version of a rule for a change (any rule: the service decides who may). */
export async function lockCurrentRule(m: EntityManager, ruleId: string): Promise<RuleRow | null> {
  const rows: RuleRow[] = await m.query(
    `SELECT ${RULE_SELECT} FROM rule r WHERE r.rule_id = $1 AND r.current FOR UPDATE`,
    [ruleId],
  );
  return rows[0] ?? null;
}

export async function ruleIdTaken(m: EntityManager, ruleId: string): Promise<boolean> {
  const rows = await m.query('SELECT 1 FROM rule WHERE rule_id = $1 LIMIT 1', [ruleId]);
  return rows.length > 0;
}

/** Inserts a version (the previous current one, if any, stops being current first). */
export async function insertRuleVersion(
  m: EntityManager,
  values: RuleValues,
  version: number,
  createdBy: string | null,
): Promise<RuleRow> {
  await m.query('UPDATE rule SET current = false WHERE rule_id = $1 AND current', [values.rule_id]);
  const [row]: { id: string }[] = await m.query(
    `INSERT INTO rule (rule_id, version, rule_class, item_code, region_code, effective_from, effective_to, gender, min_age,
                       max_age, visit_types, min_level, diagnosis_prefixes, other_item_code, max_units, period,
                       description, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
    [
      values.rule_id,
      version,
      values.rule_class,
      values.item_code,
      values.region_code,
      values.effective_from,
      values.effective_to,
      values.gender,
      values.min_age,
      values.max_age,
      values.visit_types,
      values.min_level,
      values.diagnosis_prefixes,
      values.other_item_code,
      values.max_units,
      values.period,
      values.description,
      createdBy,
    ],
  );
  return (await rulesByIds(m, [row.id]))[0];
}

export interface RuleListFilter {
  ruleClass?: string | null;
  itemCode?: string | null;
  regionCode?: string | null;
  activeOn?: string | null;
  search?: string | null;
  /** Validity overlapping [inForceFrom, inForceTo] (days, inclusive). */
  inForceFrom?: string | null;
  inForceTo?: string | null;
  retired?: boolean | null;
}

/** Current versions of the visible rules matching `filter`, by rule_id. */
export function pageRules(
  db: Db,
  actor: Actor,
  filter: RuleListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<RuleRow>> {
  const params = new SqlParams();
  const p = (v: unknown) => params.add(v);
  const where = ['r.current', ruleVisibleSql(actor, params)];
  if (filter.ruleClass) where.push(`r.rule_class = ${p(filter.ruleClass)}`);
  if (filter.itemCode) where.push(`r.item_code = ${p(filter.itemCode)}`);
  if (filter.regionCode) {
    // Rules that apply somewhere in the region: scoped inside it or above it.
    const prefix = p(codePrefix(filter.regionCode));
    where.push(`(starts_with(r.jurisdiction, ${prefix}) OR starts_with(${prefix}, r.jurisdiction))`);
  }
  if (filter.activeOn) {
    const day = p(filter.activeOn);
    where.push(`r.effective_from <= ${day}::date AND (r.effective_to IS NULL OR r.effective_to >= ${day}::date)`);
  }
  if (filter.search) {
    const like = p(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(r.rule_id ILIKE ${like} OR r.description ILIKE ${like} OR r.item_code ILIKE ${like})`);
  }
  if (filter.inForceFrom && filter.inForceTo && filter.inForceFrom > filter.inForceTo) {
    throw badInput('in-force range: from is after to');
  }
  if (filter.inForceFrom) where.push(`(r.effective_to IS NULL OR r.effective_to >= ${p(filter.inForceFrom)}::date)`);
  if (filter.inForceTo) where.push(`r.effective_from <= ${p(filter.inForceTo)}::date`);
  if (filter.retired != null) where.push(`r.effective_to IS ${filter.retired ? 'NOT ' : ''}NULL`);
  return paginate<RuleRow, RuleRow>({
    query: (sql, ps) => db.query(sql, ps),
    from: `(SELECT ${RULE_SELECT} FROM rule r WHERE ${where.join(' AND ')}) listed`,
    where: [],
    params,
    orderBy: [{ column: 'listed.rule_id COLLATE "C"', key: 'rule_id' }],
    first,
    after,
    map: (row) => row,
  });
}

export interface RuleStatRow {
  rule: RuleRow;
  hits: number;
  amount: string;
  institutions: number;
}

/**
 * Per current rule applying in the region: its hits at institutions of the region whose anchor
 * (the latest settlement of the evidence) lies in [from, to], their amount and institutions.
 */
export async function ruleStats(
  db: Db,
  actor: Actor,
  window: { regionCode: string; from: string; to: string },
): Promise<RuleStatRow[]> {
  const params = new SqlParams();
  const prefix = params.add(codePrefix(window.regionCode));
  const from = params.add(window.from);
  const to = params.add(window.to);
  const rows: (RuleRow & { hits: number; amount: string; institutions: number })[] = await db.query(
    `SELECT ${RULE_SELECT}, count(h.id)::int AS hits, coalesce(sum(h.amount_involved), 0)::text AS amount,
            count(DISTINCT h.institution_code)::int AS institutions
     FROM rule r
     LEFT JOIN LATERAL (
       SELECT h.id, h.amount_involved, h.institution_code FROM collision_hit h
       WHERE h.model = 'RULE_' || r.rule_class AND h.detail->>'ruleId' = r.rule_id
         AND starts_with(h.region_code, ${prefix})
         AND (SELECT max(k.settled_on) FROM settlement_key k WHERE k.settlement_id = ANY (h.settlement_ids))
             BETWEEN ${from}::date AND ${to}::date
     ) h ON true
     WHERE r.current AND ${ruleVisibleSql(actor, params)}
       AND (starts_with(r.jurisdiction, ${prefix}) OR starts_with(${prefix}, r.jurisdiction))
     GROUP BY r.id
     ORDER BY count(h.id) DESC, r.rule_id COLLATE "C"`,
    params.values,
  );
  return rows.map(({ hits, amount, institutions, ...rule }) => ({ rule: rule as RuleRow, hits, amount, institutions }));
}

/** A rule version by row id, visible to the actor (any version: old ones stay readable). */
export async function visibleRuleByRowId(db: Db, actor: Actor, id: string): Promise<RuleRow | null> {
  const params = new SqlParams([id]);
  const rows: RuleRow[] = await db.query(
    `SELECT ${RULE_SELECT} FROM rule r WHERE r.id = $1 AND ${ruleVisibleSql(actor, params)}`,
    params.values,
  );
  return rows[0] ?? null;
}
