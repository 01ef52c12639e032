/**
 * Planner statistics of the fact tables before the models run. A batch just loaded has none
 * (autovacuum analyzes it a minute or so later), and the models' self-joins planned without
 * them run as nested loops: on the 9.5 k real inpatient claims (test/integration/realdata.test.ts)
 * OVERLAPPING_INPATIENT took 17 s unanalyzed and 0.14 s analyzed. So a collision job first
 * analyzes the fact tables and partitions that have rows but no statistics, or whose rows
 * changed by more than a tenth since their last analysis (autovacuum's own rule is 10 % + 50
 * rows). One process at a time (an advisory lock); the others then find nothing left to do.
 * Partitioned parents are not analyzed: in PostgreSQL 15 that would read every partition, and
 * the models' plans come from the partitions' statistics.
 */
import { DataSource, EntityManager } from 'typeorm';
import { ADVISORY_LOCKS } from '../core/constants';

/** The fact and reference tables: what a batch loads and the models read (partitioned ones through their partitions). */
export const FACT_TABLES = [
  'settlement',
  'settlement_item',
  'settlement_key',
  'person',
  'person_relation',
  'institution',
  'price_catalog',
  'drug_purchase',
  'region',
] as const;

/** Analyzes the stale fact tables and partitions; returns their names. */
export async function refreshFactStatistics(db: DataSource | EntityManager): Promise<string[]> {
  return db.transaction(async (m) => {
    await m.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.factStatistics]);
    const stale: { name: string }[] = await m.query(
      `SELECT s.relid::regclass::text AS name
       FROM pg_stat_user_tables s
       LEFT JOIN pg_inherits i ON i.inhrelid = s.relid
       WHERE coalesce(i.inhparent, s.relid)::regclass::text = ANY($1)
         AND s.n_mod_since_analyze > 0
         AND (coalesce(s.last_analyze, s.last_autoanalyze) IS NULL
              OR s.n_mod_since_analyze > 0.1 * greatest(s.n_live_tup, 500))
       ORDER BY 1`,
      [FACT_TABLES],
    );
    for (const { name } of stale) await m.query(`ANALYZE ${name}`);
    return stale.map((t) => t.name);
  });
}
