import { refreshPharmacySales } from '../pharmacy-sales';
import { defineModel } from '../model';

/**
 * 进销存不符: a pharmacy sold more of a drug than it ever bought. Cumulative from the start of
 * the data up to the window's end (MODELS.md); the window's start plays no part. The sales come
 * from the maintained summary `collision_pharmacy_sales` (refreshed first, in the job's transaction:
 * src/collision/pharmacy-sales.ts): every group of a month before the end's month, and of that
 * month in the partitions where all its lines are charged by the end; the lines of that month
 * are read only in the other partitions. The sales settlements are listed for the mismatched drugs only,
 * through the pharmacy's settlements.
 */
export const inventoryMismatch = defineModel({
  code: 'INVENTORY_MISMATCH',
  name: '进销存不符',
  defaults: {},
  sliceable: 'region',
  prepare: (tx) => refreshPharmacySales(tx),
  // The summary's refresh (a fresh load: every pharmacy line) joins lines to settlements by a
  // hash join: the merge join the statistics chose sorted the lines by their text id.
  settings: { enable_mergejoin: 'off' },
  sql: (q) => `
    WITH summary AS (
      SELECT d.* FROM collision_pharmacy_sales d
      WHERE d.charged_month <= date_trunc('month', ${q.windowTo}::timestamp)::date
    ),
    -- the partitions with lines of the end's month charged after the end: that month's lines of
    -- these partitions are read, the summary serves the rest (none, the usual nightly case)
    partial AS MATERIALIZED (
      SELECT DISTINCT d.part, d.part_from, d.part_to
      FROM summary d
      WHERE d.charged_month = date_trunc('month', ${q.windowTo}::timestamp)::date AND d.last_charged_on > ${q.windowTo}
    ),
    sales AS (
      SELECT d.institution_code, d.item_code, d.quantity, d.amount
      FROM summary d
      WHERE d.charged_month < date_trunc('month', ${q.windowTo}::timestamp)::date
         OR d.part NOT IN (SELECT p.part FROM partial p)
      UNION ALL
      SELECT s.institution_code, it.item_code, it.quantity, it.amount
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      JOIN partial p ON it.settled_on >= p.part_from AND it.settled_on < p.part_to
      WHERE it.item_kind = 'DRUG'
        AND it.charged_on BETWEEN date_trunc('month', ${q.windowTo}::timestamp)::date AND ${q.windowTo}
        AND it.settled_on >= (SELECT min(part_from) FROM partial) AND it.settled_on < (SELECT max(part_to) FROM partial)
        AND s.settled_on >= (SELECT min(part_from) FROM partial) AND s.settled_on < (SELECT max(part_to) FROM partial)
    ),
    sold AS (
      SELECT x.institution_code, x.item_code, sum(x.quantity) AS quantity, sum(x.amount) AS amount
      FROM sales x
      JOIN institution i ON i.code = x.institution_code
      WHERE i.kind = 'PHARMACY'
        AND starts_with(i.region_code, ${q.regionPrefix})
      GROUP BY x.institution_code, x.item_code
    ),
    bought AS (
      SELECT dp.institution_code, dp.item_code, sum(dp.quantity) AS quantity
      FROM drug_purchase dp
      WHERE dp.purchased_on <= ${q.windowTo}
      GROUP BY dp.institution_code, dp.item_code
    ),
    mismatch AS MATERIALIZED (
      SELECT so.*, coalesce(b.quantity, 0) AS bought
      FROM sold so
      LEFT JOIN bought b ON b.institution_code = so.institution_code AND b.item_code = so.item_code
      WHERE so.quantity > coalesce(b.quantity, 0)
    )
    SELECT m.institution_code || '|' || m.item_code AS hit_key,
           money_ratio_half_up(m.amount * (m.quantity - m.bought), m.quantity) AS amount_involved,
           m.institution_code,
           ev.person_ids,
           ev.settlement_ids,
           jsonb_build_object('itemCode', m.item_code, 'sold', m.quantity, 'bought', m.bought,
                              'salesAmount', m.amount, 'asOf', ${q.windowTo}) AS detail
    FROM mismatch m
    CROSS JOIN LATERAL (
      SELECT collision_id_set(array_agg(s.settlement_id::text)) AS settlement_ids,
             collision_id_set(array_agg(s.person_id::text)) AS person_ids
      FROM settlement s
      WHERE s.institution_code = m.institution_code
        -- a subplan per settlement of the pharmacy (its lines by primary key), not a join with
        -- every line of the drug
        AND (SELECT true FROM settlement_item it
             WHERE it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
               AND it.item_code = m.item_code AND it.item_kind = 'DRUG' AND it.charged_on <= ${q.windowTo}
             LIMIT 1)
    ) ev`,
});
