/**
 * Every SQL statement of 分办: the routing rules, and what routing reads about a clue, its
 * region and the departments it places clues with.
 */
import { DataSource, EntityManager } from 'typeorm';
import { Tables } from '../../db/tables';
import { DepartmentKind } from '../reference/department.entity';
import { RegionLevel } from '../../core/regions';
import type { RoutingRuleRow } from './routing.rules';

type Db = DataSource | EntityManager;

/** All rules in evaluation order, or only the enabled ones. */
export function routingRules(db: Db, options: { enabledOnly?: boolean } = {}): Promise<RoutingRuleRow[]> {
  return db.query(`SELECT * FROM routing_rule ${options.enabledOnly ? 'WHERE enabled' : ''} ORDER BY position`);
}

export async function routingRuleById(db: Db, id: string): Promise<RoutingRuleRow | null> {
  const [row]: RoutingRuleRow[] = await db.query('SELECT * FROM routing_rule WHERE id = $1', [id]);
  return row ?? null;
}

/** Changes the given fields of a rule (null: unchanged); null when there is no such rule. */
export async function updateRoutingRule(
  db: Db,
  id: string,
  change: { name: string | null; condition: unknown; targetKind: DepartmentKind | null; enabled: boolean | null },
): Promise<RoutingRuleRow | null> {
  const [row]: RoutingRuleRow[] = await db.query(
    // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
    `WITH changed AS (
       UPDATE routing_rule SET name = coalesce($2, name), condition = coalesce($3::jsonb, condition),
              target_kind = coalesce($4, target_kind), enabled = coalesce($5, enabled), updated_at = now()
       WHERE id = $1 RETURNING *)
     SELECT * FROM changed`,
    [
      id,
      change.name,
      change.condition == null ? null : JSON.stringify(change.condition),
      change.targetKind,
      change.enabled,
    ],
  );
  return row ?? null;
}

/** The persons of a clue as routing sees them: how many, and whether a public official is among them. */
export async function cluePersonFacts(m: EntityManager, clueId: string): Promise<{ n: number; official: boolean }> {
  const [row]: { n: number; official: boolean }[] = await m.query(
    `SELECT count(*)::int AS n, coalesce(bool_or(p.is_public_official), false) AS official
     FROM clue_person cp JOIN person p ON p.person_id = cp.person_id WHERE cp.clue_id = $1`,
    [clueId],
  );
  return row;
}

export async function regionOf(
  m: EntityManager,
  code: string,
): Promise<Pick<Tables['region'], 'code' | 'name' | 'parent_code'> & { level: RegionLevel }> {
  const [row] = await m.query('SELECT code, name, level, parent_code FROM region WHERE code = $1', [code]);
  return row;
}

/** The department of (kind, region), inserted with `name` when missing; returns its id. */
export async function ensureDepartment(
  m: EntityManager,
  department: { kind: DepartmentKind; regionCode: string; name: string },
): Promise<string> {
  await m.query(
    `INSERT INTO department (kind, region_code, name) VALUES ($1, $2, $3) ON CONFLICT (kind, region_code) DO NOTHING`,
    [department.kind, department.regionCode, department.name],
  );
  const [row]: Pick<Tables['department'], 'id'>[] = await m.query(
    'SELECT id FROM department WHERE kind = $1 AND region_code = $2',
    [department.kind, department.regionCode],
  );
  return row.id;
}

/** Clues still NEW `olderThanSeconds` after their creation, the oldest first (partial index clue_new_idx). */
export async function strandedClueIds(db: Db, olderThanSeconds: number, limit: number): Promise<string[]> {
  const rows: { id: string }[] = await db.query(
    `SELECT id FROM clue WHERE status = 'NEW' AND created_at < now() - make_interval(secs => $1)
     ORDER BY created_at LIMIT $2`,
    [olderThanSeconds, limit],
  );
  return rows.map((r) => r.id);
}
