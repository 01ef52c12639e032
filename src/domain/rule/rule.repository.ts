/** Every statement of the rule library (RULES.md): rules are versioned rows of `rule`. */
import { DataSource, EntityManager } from 'typeorm';

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
