/**
 * Per-region settings (thresholds, deadlines) stored as data in region_setting: the row
 * with the longest region prefix that matches wins, '' holds the defaults.
 */
import { EntityManager, DataSource } from 'typeorm';
import { regionSettingRows } from './reference.repository';

export interface RegionSettings {
  criminalThreshold: string;
  escalationThreshold: string;
  disciplineCopyThreshold: string;
  acceptWorkingDays: number;
  acceptWorkingDaysPolice: number;
  feedbackWorkingDays: number;
  feedbackExtensionMonths: number;
  feedbackMaxMonths: number;
  supervisionReminderHours: number;
  /** 回头看: months after a problem's closure. */
  recheckMonths: number;
  /** A measure's reminder: this many working days before its deadline. */
  measureReminderWorkingDays: number;
}

export async function regionSettings(db: DataSource | EntityManager, regionCode: string): Promise<RegionSettings> {
  const rows = await regionSettingRows(db, regionCode);
  return Object.fromEntries(rows.map((r) => [r.key, r.value])) as unknown as RegionSettings;
}
