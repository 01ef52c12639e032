/**
 * The maintained drug sales summary INVENTORY_MISMATCH reads (migration 1763902600014):
 * Σquantity and Σamount of the DRUG lines per (settlement_item partition, institution of the
 * settlement, item, month of charged_on), with each group's last charged_on. Before the model's statement, in the job's
 * transaction, `refreshDrugSales` recomputes the rows of every partition that changed since it
 * was summarised — a month marked by the fact tables' triggers, a partition attached,
 * re-created or truncated (another oid or relfilenode), a partition new or gone — so the model
 * sums a few thousand rows instead of every line of history. One refresh at a time (an
 * advisory lock); the next finds nothing left to do.
 */
import { EntityManager } from 'typeorm';
import { ADVISORY_LOCKS } from '../core/constants';

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

/** Identifier quoting for a partition name read from the catalog. */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Recomputes the summary rows of the changed partitions; returns the partitions refreshed. */
export async function refreshDrugSales(tx: EntityManager): Promise<string[]> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCKS.drugSales]);
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
     SELECT i.part, to_char(i.part_from, 'YYYY-MM-DD') AS part_from, to_char(i.part_to, 'YYYY-MM-DD') AS part_to,
            i.oid::text AS item_rel, i.relfilenode::text AS item_node,
            s.oid::text AS settlement_rel, s.relfilenode::text AS settlement_node,
            (d.part IS NULL
             OR (d.part_from, d.part_to, d.item_rel, d.item_node) IS DISTINCT FROM (i.part_from, i.part_to, i.oid, i.relfilenode)
             OR (d.settlement_rel, d.settlement_node) IS DISTINCT FROM (s.oid, s.relfilenode)
             OR EXISTS (SELECT FROM unnest($1::date[]) m WHERE m >= date_trunc('month', i.part_from::timestamp) AND m < i.part_to)) AS stale
     FROM leaf i
     LEFT JOIN leaf s ON s.parent = 'settlement' AND s.part_from = i.part_from AND s.part_to = i.part_to
     LEFT JOIN collision_drug_sales_part d ON d.part = i.part
     WHERE i.parent = 'settlement_item'`,
    [dirty],
  );
  const current = parts.map((p) => p.part);
  await tx.query('DELETE FROM collision_drug_sales WHERE part <> ALL($1::text[])', [current]);
  await tx.query('DELETE FROM collision_drug_sales_part WHERE part <> ALL($1::text[])', [current]);
  const stale = parts.filter((p) => p.stale);
  for (const p of stale) {
    await tx.query('DELETE FROM collision_drug_sales WHERE part = $1', [p.part]);
    // Bounds restate the partition for the settlement side, so that it is pruned to the same month.
    await tx.query(
      `INSERT INTO collision_drug_sales (part, part_from, part_to, institution_code, item_code, charged_month, quantity, amount,
                                         last_charged_on)
       SELECT $1, $2::date, $3::date, s.institution_code, it.item_code, date_trunc('month', it.charged_on::timestamp)::date,
              sum(it.quantity), sum(it.amount), max(it.charged_on)
       FROM ${ident(p.part)} it
       JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
       WHERE it.item_kind = 'DRUG' AND s.settled_on >= $2::date AND s.settled_on < $3::date
       GROUP BY s.institution_code, it.item_code, date_trunc('month', it.charged_on::timestamp)`,
      [p.part, p.part_from, p.part_to],
    );
    await tx.query(
      `INSERT INTO collision_drug_sales_part (part, part_from, part_to, item_rel, item_node, settlement_rel, settlement_node)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (part) DO UPDATE SET part_from = EXCLUDED.part_from, part_to = EXCLUDED.part_to,
         item_rel = EXCLUDED.item_rel, item_node = EXCLUDED.item_node, settlement_rel = EXCLUDED.settlement_rel,
         settlement_node = EXCLUDED.settlement_node, refreshed_at = now()`,
      [p.part, p.part_from, p.part_to, p.item_rel, p.item_node, p.settlement_rel, p.settlement_node],
    );
  }
  if (stale.length) await tx.query('ANALYZE collision_drug_sales');
  return stale.map((p) => p.part);
}
