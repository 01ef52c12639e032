import { defineModel } from '../model';

/**
 * 进销存不符: a pharmacy sold more of a drug than it ever bought. Cumulative from the start of
 * the data up to the window's end (MODELS.md); the window's start plays no part. Sums come
 * first; the sales settlements are listed for the mismatched drugs only.
 */
export const inventoryMismatch = defineModel({
  code: 'INVENTORY_MISMATCH',
  name: '进销存不符',
  defaults: {},
  sliceable: 'region',
  sql: (q) => `
    WITH sold AS (
      SELECT s.institution_code, it.item_code, sum(it.quantity) AS quantity, sum(it.amount) AS amount
      FROM institution i
      JOIN settlement s ON s.institution_code = i.code
      JOIN settlement_item it ON it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
      WHERE i.kind = 'PHARMACY'
        AND starts_with(i.region_code, ${q.regionPrefix})
        AND it.item_kind = 'DRUG'
        AND it.charged_on <= ${q.windowTo}
      GROUP BY s.institution_code, it.item_code
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
      JOIN settlement_item it ON it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
      WHERE s.institution_code = m.institution_code
        AND it.item_code = m.item_code
        AND it.item_kind = 'DRUG'
        AND it.charged_on <= ${q.windowTo}
    ) ev`,
});
