import { DataSource, EntityManager } from 'typeorm';

export interface AuditInput {
  actorId?: string | null;
  action: string;
  targetType?: string | null;
  /** The entity's GraphQL id. */
  targetId?: string | null;
  detail?: Record<string, unknown> | null;
}

/** Serialises appends so that each entry links to the one before it. */
const AUDIT_LOCK = 724_311;

/**
 * Appends one entry to the hash-chained audit log. Inside the caller's transaction when
 * given a transactional manager (the entry then commits or rolls back with the change it
 * records); otherwise in a transaction of its own.
 */
export async function appendAudit(db: DataSource | EntityManager, entry: AuditInput): Promise<string> {
  const run = async (m: EntityManager): Promise<string> => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
    const rows: { id: string }[] = await m.query(
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
  };
  if (db instanceof DataSource) return db.transaction(run);
  return db.queryRunner?.isTransactionActive ? run(db) : db.transaction(run);
}

export interface AuditChainReport {
  valid: boolean;
  checked: number;
  firstBrokenId: string | null;
}

/**
 * Recomputes every entry's hash and link. An edited entry fails its own hash; a deleted
 * one breaks the link of the entry after it.
 */
export async function verifyAuditChain(db: DataSource | EntityManager): Promise<AuditChainReport> {
  const [row]: { checked: string; first_broken: string | null }[] = await db.query(`
    SELECT count(*) AS checked,
           min(id) FILTER (WHERE hash IS DISTINCT FROM recomputed OR prev_hash IS DISTINCT FROM expected_prev) AS first_broken
    FROM (
      SELECT id, hash, prev_hash,
             lag(hash) OVER (ORDER BY id) AS expected_prev,
             audit_entry_hash(prev_hash, at, actor_id, action, target_type, target_id, detail) AS recomputed
      FROM audit_log
    ) chain`);
  return { valid: row.first_broken === null, checked: Number(row.checked), firstBrokenId: row.first_broken };
}
