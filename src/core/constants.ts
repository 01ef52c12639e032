/**
 * Values that have one meaning across the code base, named once: the civil time zone, the
 * advisory-lock keys (a registry, so that no two purposes share a key) and the names of
 * the scheduled maintenance jobs.
 */

/** "The date of" anything is its date here (PRODUCT.md); sessions run in this zone too. */
export const TIME_ZONE = 'Asia/Shanghai';

/**
 * PostgreSQL advisory-lock keys: one registry, so that no two purposes share a key. Two-key
 * locks (`pg_advisory_xact_lock(key, sub)`) use the key as their class and `sub` per object.
 */
export const ADVISORY_LOCKS = {
  /** Appends to the hash-chained audit log, one at a time. */
  auditChain: 724_311,
  /** Serialises collision-run finalisation: clue creation must see every other run's new clues. */
  finalizeCollisionRun: 724_312,
  /** One ANALYZE of the fact tables at a time (fact-statistics.ts). */
  factStatistics: 724_313,
  /** Ingest: one load per batch file name at a time (sub-key: hashtext of the file name). */
  ingestFile: 724_314,
  /** Ingest: creation of fact-table partitions (sub-key 0). */
  ingestPartitions: 724_315,
  /** One refresh of the pharmacy sales summary at a time (src/collision/pharmacy-sales.ts). */
  pharmacySales: 724_340,
} as const;

/** The jobs of the maintenance queue (BullMQ job names, also the scheduler ids). */
export const MAINTENANCE_JOBS = {
  verifyAuditChain: 'verify-audit-chain',
  deadlineSweep: 'deadline-sweep',
  collisionNightly: 'collision-nightly',
  collisionMonthly: 'collision-monthly',
} as const;

export type MaintenanceJob = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];
