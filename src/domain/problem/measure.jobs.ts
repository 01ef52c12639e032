/**
 * The deadline sweep's part for rectification measures (workers/maintenance.processor.ts):
 * REMIND once, measureReminderWorkingDays working days (the setting of the problem's region)
 * before the deadline, and MARK_OVERDUE once, the day after the deadline passed without a
 * 整改报告 — both SYSTEM events of the measure machine applied in bulk, each with a
 * notification to the responsible department's case workers. Idempotent: rows are claimed
 * with SKIP LOCKED and stamped (reminded_at, overdue_at); notifications have dedupe keys.
 */
import { AppServices } from '../../app';
import { SqlParams } from '../../core/sql';
import { inTransaction } from '../../db/transaction';
import { applySystemEventInBulk } from '../../workflow/transition';
import { insertNotificationsFrom } from '../notification/notification.repository';
import { regionSettings } from '../reference/region-settings';
import { workingDaysBetween } from '../reference/working-days';
import { measureMachine } from './measure.machine';
import {
  measuresNearDeadline,
  measureSweepNotifications,
  overdueMeasureCandidates,
  reminderMeasureCandidates,
  todayInTimeZone,
} from './problem.repository';

/** Calendar days ahead that can hold the reminder's working days, holidays included. */
const REMINDER_HORIZON_DAYS = 30;

export async function markOverdueMeasures(services: AppServices): Promise<string[]> {
  return inTransaction(services.db, async (m) => {
    const params = new SqlParams();
    const marked = await applySystemEventInBulk(m, measureMachine, 'MARK_OVERDUE', {
      candidates: overdueMeasureCandidates(params),
      params,
      set: { overdue_at: 'now()' },
      detail: `jsonb_build_object('deadline', t.deadline)`,
    });
    const ids = marked.map((r) => r.id);
    if (ids.length) {
      const n = new SqlParams();
      await insertNotificationsFrom(m, measureSweepNotifications(n, 'MEASURE_OVERDUE', ids), n);
    }
    return ids;
  });
}

export async function remindMeasureDeadlines(services: AppServices): Promise<string[]> {
  const today = await todayInTimeZone(services.db);
  const near = await measuresNearDeadline(services.db, REMINDER_HORIZON_DAYS);
  const due: string[] = [];
  const daysByRegion = new Map<string, number>();
  const leftByDeadline = new Map<string, number>();
  for (const measure of near) {
    let days = daysByRegion.get(measure.region_code);
    if (days === undefined) {
      days = Number((await regionSettings(services.db, measure.region_code)).measureReminderWorkingDays);
      daysByRegion.set(measure.region_code, days);
    }
    let left = leftByDeadline.get(measure.deadline);
    if (left === undefined) {
      left = await workingDaysBetween(services.db, today, measure.deadline);
      leftByDeadline.set(measure.deadline, left);
    }
    if (left <= days) due.push(measure.id);
  }
  if (!due.length) return [];
  return inTransaction(services.db, async (m) => {
    const params = new SqlParams();
    const reminded = await applySystemEventInBulk(m, measureMachine, 'REMIND', {
      candidates: reminderMeasureCandidates(params, due),
      params,
      set: { reminded_at: 'now()' },
      detail: `jsonb_build_object('deadline', t.deadline)`,
    });
    const ids = reminded.map((r) => r.id);
    if (ids.length) {
      const n = new SqlParams();
      await insertNotificationsFrom(m, measureSweepNotifications(n, 'MEASURE_REMINDER', ids), n);
    }
    return ids;
  });
}
