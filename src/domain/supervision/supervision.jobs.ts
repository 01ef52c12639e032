/**
 * Scheduled work on supervision items, run by the workers every minute: overdue marking and
 * deadline reminders, both SYSTEM events of the supervision machine applied in bulk. Both
 * are set-based and idempotent: each item is marked or reminded once, even when two workers
 * run the same job at the same time (rows are claimed with FOR UPDATE SKIP LOCKED and
 * re-checked; notifications have dedupe keys).
 */
import { inTransaction } from '../../db/transaction';
import { AppServices } from '../../app';
import { SqlParams } from '../../core/sql';
import { publishEvent } from '../../events/pubsub';
import { applySystemEventInBulk } from '../../workflow/transition';
import { supervisionMachine } from './supervision.machine';
import {
  notifySupervisionOverdue,
  notifySupervisionReminders,
  overdueSupervisionCandidates,
  reminderCandidates,
} from './supervision.repository';

/**
 * Items past their deadline become OVERDUE through the machine's MARK_OVERDUE, with their
 * timeline entries, one audit entry for the batch, notifications for the assigned
 * department's users and the supervising leader, and a live event each. Returns the ids
 * marked by this call.
 */
export async function markOverdueSupervision(services: AppServices): Promise<string[]> {
  const ids = await inTransaction(services.db, async (m) => {
    const params = new SqlParams();
    const marked = await applySystemEventInBulk(m, supervisionMachine, 'MARK_OVERDUE', {
      candidates: overdueSupervisionCandidates(params),
      params,
      set: { overdue_at: 'now()' },
    });
    const itemIds = marked.map((r) => r.id);
    if (itemIds.length) await notifySupervisionOverdue(m, itemIds);
    return itemIds;
  });
  for (const itemId of ids) await publishEvent(services, 'supervisionOverdue', { itemId });
  return ids;
}

/**
 * Reminds the assigned department's users of items whose deadline is near (REMIND, which
 * keeps the state and stamps `reminded_at`), once per item. Returns the ids reminded by this
 * call.
 */
export async function remindSupervisionDeadlines(services: AppServices): Promise<string[]> {
  return inTransaction(services.db, async (m) => {
    const params = new SqlParams();
    const reminded = await applySystemEventInBulk(m, supervisionMachine, 'REMIND', {
      candidates: reminderCandidates(params),
      params,
      set: { reminded_at: 'now()' },
    });
    const itemIds = reminded.map((r) => r.id);
    if (itemIds.length) await notifySupervisionReminders(m, itemIds);
    return itemIds;
  });
}
