/**
 * The pharmacies' drug sales summary INVENTORY_MISMATCH reads (migration 1763902600014):
 * Σquantity and Σamount of the DRUG lines of PHARMACY institutions per (settlement_item
 * partition, institution, item, month of charged_on), with each group's last charged_on.
 * Before the model's statement, in the job's transaction, `refreshPharmacySales` recomputes the
 * rows of every partition that changed since it was summarised — a month marked by the fact
 * tables' triggers (all of them when the set of pharmacies changed), a partition attached,
 * re-created or truncated (another oid or relfilenode), a partition new or gone — in one pass
 * over those partitions, so the model sums a few thousand rows instead of every line of
 * history. One refresh at a time (an advisory lock); the next finds nothing left to do.
 */
import { EntityManager } from 'typeorm';
import { ADVISORY_LOCKS } from '../core/constants';
import { EXACT_SUM } from './sql-parts';

interface Partition {
  part: string;
  part_from: string;
  part_to: string;
  item_rel: string;
  item_node: string;
  settlement_rel: string | null;
  settlement_node: string | null;
  stale: boolean;
}

/** A date as text (an infinite bound of a DEFAULT partition as '-infinity' / 'infinity'). */
const DAY = (d: string) => `CASE WHEN isfinite(${d}) THEN to_char(${d}, 'YYYY-MM-DD') ELSE ${d}::text END`;

/** Recomputes the summary rows of the changed partitions; returns the partitions refreshed. */
export async function refreshPharmacySales(tx: EntityManager): Promise<string[]> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.pharmacySales]);
  // The marks read here are deleted; a writer committing later leaves its marks for the next run.
  const marks: { month: string }[] = await tx.query(
    `WITH d AS (DELETE FROM collision_dirty_month RETURNING month)
     SELECT DISTINCT to_char(month, 'YYYY-MM-DD') AS month FROM d`,
  );
  const dirty = marks.map((m) => m.month);
  // The leaf partitions of settlement_item with their bounds (a DEFAULT or unbounded one: all
  // dates) and the settlement partition of the same bounds.
  const parts: Partition[] = await tx.query(
    `WITH leaf AS (
       SELECT p.relid::regclass::text AS part, c.oid::bigint AS oid, c.relfilenode::bigint AS relfilenode, r.relname AS parent,
              coalesce(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([0-9-]+)''\\)')::date, '-infinity') AS part_from,
              coalesce(substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([0-9-]+)''\\)')::date, 'infinity') AS part_to
       FROM pg_class r
       CROSS JOIN LATERAL pg_partition_tree(r.oid) p
       JOIN pg_class c ON c.oid = p.relid
       WHERE r.oid IN ('settlement'::regclass, 'settlement_item'::regclass) AND p.isleaf
     )
     SELECT i.part, ${DAY('i.part_from')} AS part_from, ${DAY('i.part_to')} AS part_to,
            i.oid::text AS item_rel, i.relfilenode::text AS item_node,
            s.oid::text AS settlement_rel, s.relfilenode::text AS settlement_node,
            (d.part IS NULL
             OR (d.part_from, d.part_to, d.item_rel, d.item_node) IS DISTINCT FROM (i.part_from, i.part_to, i.oid, i.relfilenode)
             OR (d.settlement_rel, d.settlement_node) IS DISTINCT FROM (s.oid, s.relfilenode)
             OR '-infinity' = ANY ($1::date[])
             OR EXISTS (SELECT FROM unnest($1::date[]) m WHERE m >= date_trunc('month', i.part_from::timestamp) AND m < i.part_to)) AS stale
     FROM leaf i
     LEFT JOIN leaf s ON s.parent = 'settlement' AND s.part_from = i.part_from AND s.part_to = i.part_to
     LEFT JOIN collision_pharmacy_sales_part d ON d.part = i.part
     WHERE i.parent = 'settlement_item'`,
    [dirty],
  );
  const current = parts.map((p) => p.part);
  await tx.query('DELETE FROM collision_pharmacy_sales WHERE part <> ALL($1::text[])', [current]);
  await tx.query('DELETE FROM collision_pharmacy_sales_part WHERE part <> ALL($1::text[])', [current]);
  const stale = parts.filter((p) => p.stale);
  if (!stale.length) return [];
  await tx.query('DELETE FROM collision_pharmacy_sales WHERE part = ANY($1::text[])', [stale.map((p) => p.part)]);
  // One pass over the stale partitions' DRUG lines (a fresh load: all of them), grouped by
  // partition (tableoid); the bounds keep both sides pruned to those months.
  const from = stale.reduce((m, p) => (p.part_from < m ? p.part_from : m), stale[0].part_from);
  const to = stale.reduce((m, p) => (p.part_to > m ? p.part_to : m), stale[0].part_to);
  await tx.query(
    `INSERT INTO collision_pharmacy_sales (part, part_from, part_to, institution_code, item_code, charged_month, quantity, amount,
                                       last_charged_on)
     SELECT p.part, p.part_from, p.part_to, g.institution_code, g.item_code, g.charged_month, g.quantity, g.amount,
            g.last_charged_on
     FROM (
       SELECT it.tableoid AS rel, s.institution_code, it.item_code,
              date_trunc('month', it.charged_on::timestamp)::date AS charged_month,
              ${EXACT_SUM('it.quantity', 4)} AS quantity, ${EXACT_SUM('it.amount', 2)} AS amount,
              max(it.charged_on) AS last_charged_on
       FROM settlement_item it
       JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
       JOIN institution i ON i.code = s.institution_code
       WHERE it.item_kind = 'DRUG' AND i.kind = 'PHARMACY' AND it.tableoid = ANY ($1::oid[])
         AND it.settled_on >= $5::date AND it.settled_on < $6::date
         AND s.settled_on >= $5::date AND s.settled_on < $6::date
       GROUP BY 1, 2, 3, 4
     ) g
     JOIN unnest($1::oid[], $2::text[], $3::date[], $4::date[]) AS p (rel, part, part_from, part_to) ON p.rel = g.rel`,
    [
      stale.map((p) => p.item_rel),
      stale.map((p) => p.part),
      stale.map((p) => p.part_from),
      stale.map((p) => p.part_to),
      from,
      to,
    ],
  );
  await tx.query(
    `INSERT INTO collision_pharmacy_sales_part (part, part_from, part_to, item_rel, item_node, settlement_rel, settlement_node)
     SELECT * FROM unnest($1::text[], $2::date[], $3::date[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
     ON CONFLICT (part) DO UPDATE SET part_from = EXCLUDED.part_from, part_to = EXCLUDED.part_to,
       item_rel = EXCLUDED.item_rel, item_node = EXCLUDED.item_node, settlement_rel = EXCLUDED.settlement_rel,
       settlement_node = EXCLUDED.settlement_node, refreshed_at = now()`,
    [
      stale.map((p) => p.part),
      stale.map((p) => p.part_from),
      stale.map((p) => p.part_to),
      stale.map((p) => p.item_rel),
      stale.map((p) => p.item_node),
      stale.map((p) => p.settlement_rel),
      stale.map((p) => p.settlement_node),
    ],
  );
  return stale.map((p) => p.part);
}
