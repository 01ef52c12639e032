/**
 * Scheduled work on supervision items, run by the workers every minute: overdue marking and
 * deadline reminders. Both are set-based and idempotent: each item is marked or reminded
 * once, even when two workers run the same job at the same time (rows are claimed with
 * FOR UPDATE SKIP LOCKED and re-checked by the UPDATE; notifications have dedupe keys).
 * Each UPDATE is wrapped in a SELECT because TypeORM returns [rows, count] for a bare UPDATE.
 */
import { AppServices } from '../../app';
import { publishEvent } from '../../graphql/pubsub';
import { toGlobalId } from '../../core/ids';
import { CASE_WORKERS, partiesOf } from '../../policy';
import { nextState } from '../../workflow/machine';
import { appendAudit } from '../audit/audit.service';
import { supervisionMachine } from './supervision.machine';

/**
 * OPEN items past their deadline become OVERDUE through the machine's MARK_OVERDUE (fired by
 * the system), with their timeline entries, one audit entry for the batch, notifications
 * for the assigned department's users and the supervising leader, and a live event each.
 * Returns the ids marked by this call.
 */
export async function markOverdueSupervision(services: AppServices): Promise<string[]> {
  const event = supervisionMachine.events.MARK_OVERDUE;
  const system = partiesOf(null, {});
  const from = event.from;
  const to = nextState(supervisionMachine, from[0], 'MARK_OVERDUE', system, undefined);
  const ids = await services.db.transaction(async (m) => {
    const marked: { id: string; from_state: string }[] = await m.query(
      `WITH due AS (
         SELECT id, status FROM supervision_item
         WHERE status = ANY($1) AND deadline < now()
         ORDER BY deadline
         FOR UPDATE SKIP LOCKED
       ),
       marked AS (
         UPDATE supervision_item s SET status = $2, version = s.version + 1, overdue_at = now()
         FROM due WHERE s.id = due.id AND s.status = ANY($1)
         RETURNING s.id, due.status AS from_state
       )
       SELECT id, from_state FROM marked`,
      [from, to],
    );
    if (!marked.length) return [];
    const itemIds = marked.map((r) => r.id);
    await m.query(
      `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event)
       SELECT $1, item.id, NULL, item.from_state, $2, 'MARK_OVERDUE'
       FROM unnest($3::uuid[], $4::text[]) AS item(id, from_state)`,
      [supervisionMachine.entity, to, itemIds, marked.map((r) => r.from_state)],
    );
    await m.query(
      `INSERT INTO notification (user_id, kind, entity_type, entity_id, message, dedupe_key)
       SELECT DISTINCT ON (u.id, s.id) u.id, 'SUPERVISION_OVERDUE', 'SupervisionItem', s.id,
              '督办事项「' || s.title || '」已逾期 (期限 ' || to_char(s.deadline, 'YYYY-MM-DD HH24:MI') || ')',
              'supervision-overdue:' || s.id || ':' || u.id
       FROM supervision_item s
       JOIN app_user u ON u.active
         AND ((u.department_id = s.assigned_to_department_id AND u.roles && $2::text[]) OR u.id = s.leader_id)
       WHERE s.id = ANY($1::uuid[])
       ORDER BY u.id, s.id
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [itemIds, CASE_WORKERS],
    );
    await appendAudit(m, {
      actorId: null,
      action: `${supervisionMachine.entity}.MARK_OVERDUE`,
      targetType: supervisionMachine.entity,
      detail: { to, itemIds: itemIds.map((id) => toGlobalId('SupervisionItem', id)) },
    });
    return itemIds;
  });
  for (const itemId of ids) await publishEvent(services, 'supervisionOverdue', { itemId });
  return ids;
}

/**
 * Reminds the assigned department's users of OPEN items whose deadline is within
 * `supervisionReminderHours` (the setting of the assigned department's region: the longest
 * matching region prefix wins, as in region-settings.ts), once per item. Returns the ids
 * reminded by this call.
 */
export async function remindSupervisionDeadlines(services: AppServices): Promise<string[]> {
  return services.db.transaction(async (m) => {
    const reminded: { id: string }[] = await m.query(
      `WITH due AS (
         SELECT s.id FROM supervision_item s
         JOIN department d ON d.id = s.assigned_to_department_id
         CROSS JOIN LATERAL (
           SELECT (rs.value #>> '{}')::numeric AS hours FROM region_setting rs
           WHERE rs.key = 'supervisionReminderHours' AND d.region_code LIKE rs.region_prefix || '%'
           ORDER BY length(rs.region_prefix) DESC LIMIT 1
         ) setting
         WHERE s.status = 'OPEN' AND s.reminded_at IS NULL AND s.deadline > now()
           AND s.deadline <= now() + setting.hours * interval '1 hour'
         FOR UPDATE OF s SKIP LOCKED
       ),
       reminded AS (
         UPDATE supervision_item s SET reminded_at = now()
         FROM due WHERE s.id = due.id AND s.reminded_at IS NULL
         RETURNING s.id
       )
       SELECT id FROM reminded`,
    );
    if (!reminded.length) return [];
    const itemIds = reminded.map((r) => r.id);
    await m.query(
      `INSERT INTO notification (user_id, kind, entity_type, entity_id, message, dedupe_key)
       SELECT u.id, 'SUPERVISION_REMINDER', 'SupervisionItem', s.id,
              '督办事项「' || s.title || '」将于 ' || to_char(s.deadline, 'YYYY-MM-DD HH24:MI') || ' 到期',
              'supervision-reminder:' || s.id || ':' || u.id
       FROM supervision_item s
       JOIN app_user u ON u.active AND u.department_id = s.assigned_to_department_id AND u.roles && $2::text[]
       WHERE s.id = ANY($1::uuid[])
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [itemIds, CASE_WORKERS],
    );
    return itemIds;
  });
}
