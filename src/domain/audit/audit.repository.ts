/** The SQL of the audit log (审计日志): appends to the hash chain, its check, and its pages. */
import { EntityManager, DataSource } from 'typeorm';
import { ADVISORY_LOCKS } from '../../core/constants';
import { Connection, paginate } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { Tables } from '../../db/tables';

/** An audit_log row (a Pick: `paginate` reads rows as records). */
export type AuditRow = Pick<
  Tables['audit_log'],
  'id' | 'at' | 'actor_id' | 'action' | 'target_type' | 'target_id' | 'detail' | 'prev_hash' | 'hash'
>;

export interface AuditInput {
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  /** The entity's GraphQL id. */
  targetId?: string | null;
  detail?: Record<string, unknown> | null;
}

/**
 * Appends one entry, linked to the one before it; `m` must be inside a transaction (the
 * advisory lock serialises appends until it ends, so that each entry links to the last).
 */
export async function insertAuditEntry(m: EntityManager, entry: AuditInput): Promise<string> {
  await m.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.auditChain]);
  const rows: Pick<AuditRow, 'id'>[] = await m.query(
    `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, detail, prev_hash, hash)
     SELECT e.at, e.actor_id, e.action, e.target_type, e.target_id, e.detail, p.hash,
            audit_entry_hash(p.hash, e.at, e.actor_id, e.action, e.target_type, e.target_id, e.detail)
     FROM (SELECT clock_timestamp() AS at, $1::uuid AS actor_id, $2::text AS action, $3::text AS target_type,
                  $4::text AS target_id, $5::jsonb AS detail) e
     LEFT JOIN (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1) p ON true
     RETURNING id`,
    [
      entry.actorId ?? null,
      entry.action,
      entry.targetType ?? null,
      entry.targetId ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ],
  );
  return String(rows[0].id);
}

/** The number of entries, and the first whose hash or link does not recompute (null when none). */
export async function checkAuditChain(
  db: DataSource | EntityManager,
): Promise<{ checked: number; firstBrokenId: string | null }> {
  const [row]: { checked: string; first_broken: string | null }[] = await db.query(`
    SELECT count(*) AS checked,
           min(id) FILTER (WHERE hash IS DISTINCT FROM recomputed OR prev_hash IS DISTINCT FROM expected_prev) AS first_broken
    FROM (
      SELECT id, hash, prev_hash,
             lag(hash) OVER (ORDER BY id) AS expected_prev,
             audit_entry_hash(prev_hash, at, actor_id, action, target_type, target_id, detail) AS recomputed
      FROM audit_log
    ) chain`);
  return { checked: Number(row.checked), firstBrokenId: row.first_broken };
}

/** A page of entries, newest first, optionally of one target. */
export function auditEntryPage<T>(
  db: DataSource,
  options: { targetId?: string | null; first: number; after?: string | null; map: (row: AuditRow) => T },
): Promise<Connection<T>> {
  const params = new SqlParams();
  return paginate<AuditRow, T>({
    query: (sql, values) => db.query(sql, values),
    from: 'audit_log',
    where: options.targetId ? [`target_id = ${params.add(options.targetId)}`] : [],
    params,
    orderBy: [{ column: 'id', key: 'id' }],
    descending: true,
    first: options.first,
    after: options.after,
    map: options.map,
  });
}

export async function auditEntryById(db: DataSource | EntityManager, id: string): Promise<AuditRow | null> {
  const rows: AuditRow[] = await db.query('SELECT * FROM audit_log WHERE id = $1', [id]);
  return rows[0] ?? null;
}
