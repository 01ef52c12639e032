import { AppServices } from '../../app';

/**
 * Flags transfers past their accept or feedback deadline, records it on their timeline and
 * notifies the sending department's leaders — once per transfer and deadline (set-based,
 * safe when two workers run it at the same time).
 */
export async function markOverdueTransfers(services: AppServices): Promise<string[]> {
  return services.db.transaction(async (m) => {
    const flagged: { id: string; status: string; from_department_id: string; deadline_kind: string }[] = await m.query(
      `WITH flagged AS (
         UPDATE clue_transfer SET overdue = true, overdue_since = now()
         WHERE id IN (
           SELECT id FROM clue_transfer
           WHERE NOT overdue AND ((status = 'PENDING' AND accept_deadline < now()) OR (status = 'ACCEPTED' AND feedback_deadline < now()))
           FOR UPDATE SKIP LOCKED)
         RETURNING id, status, from_department_id, CASE status WHEN 'PENDING' THEN 'accept' ELSE 'feedback' END AS deadline_kind)
       SELECT * FROM flagged`,
    );
    if (!flagged.length) return [];
    const ids = flagged.map((f) => f.id);
    await m.query(
      `INSERT INTO state_change (entity_type, entity_id, from_state, to_state, event, detail)
       SELECT 'ClueTransfer', t.id, t.status, t.status, 'OVERDUE',
              jsonb_build_object('deadline', CASE t.status WHEN 'PENDING' THEN 'accept' ELSE 'feedback' END)
       FROM clue_transfer t WHERE t.id = ANY($1)`,
      [ids],
    );
    await m.query(
      `INSERT INTO notification (user_id, kind, entity_type, entity_id, message, dedupe_key)
       SELECT u.id, 'TRANSFER_OVERDUE', 'ClueTransfer', t.id,
              '线索移送 ' || c.code || ' 已超过' || CASE t.status WHEN 'PENDING' THEN '接收' ELSE '反馈' END || '期限',
              'transfer-overdue:' || t.id || ':' || t.status || ':' || u.id
       FROM clue_transfer t
       JOIN clue c ON c.id = t.clue_id
       JOIN app_user u ON u.department_id = t.from_department_id AND 'LEADER' = ANY(u.roles) AND u.active
       WHERE t.id = ANY($1)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [ids],
    );
    return ids;
  });
}
