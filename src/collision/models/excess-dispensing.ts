import { defineModel } from '../model';
import { EFFECTIVE_CATALOG_CTE, keyMonth } from '../sql-parts';

/**
 * 超量开药: one person's monthly quantity of one drug, over all institutions, above the
 * effective monthly limit of the PERSON's region. Aggregates DRUG lines whose charged_on is in
 * the window; the subject is the institution that dispensed the most (tie: smallest code).
 * Sums come first; the subject and the evidence are looked up for the excess months only.
 */
export const excessDispensing = defineModel({
  code: 'EXCESS_DISPENSING',
  name: '超量开药',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    WITH ${EFFECTIVE_CATALOG_CTE},
    monthly AS (
      SELECT s.person_id, it.item_code, date_trunc('month', it.charged_on)::date AS month,
             sum(it.quantity) AS quantity, sum(it.amount) AS amount
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      WHERE it.item_kind = 'DRUG'
        AND it.charged_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        AND it.item_code IN (SELECT item_code FROM price_catalog WHERE max_monthly_quantity IS NOT NULL)
      GROUP BY s.person_id, it.item_code, date_trunc('month', it.charged_on)
    ),
    excess AS MATERIALIZED (
      SELECT m.*, ec.max_monthly_quantity, ec.catalog_region,
             greatest(m.month, ${q.anchorFrom}) AS first_day,
             least((m.month + interval '1 month - 1 day')::date, ${q.anchorTo}) AS last_day
      FROM monthly m
      JOIN person p ON p.person_id = m.person_id
      JOIN effective_catalog ec ON ec.city = left(p.region_code, 4) AND ec.item_code = m.item_code
      WHERE m.quantity > ec.max_monthly_quantity
    ),
    -- Each excess month's lines through the person's settlements (LATERAL, OFFSET 0: kept a
    -- lookup by person). Joined as sets, the planner met the lines on the item code first:
    -- every excess person × every line of the drug, minutes at 2 M settlements.
    dispensed AS (
      SELECT e.person_id, e.item_code, e.month, d.institution_code, d.settlement_id, d.quantity
      FROM excess e
      CROSS JOIN LATERAL (
        SELECT s.institution_code, s.settlement_id, it.quantity
        FROM settlement s
        JOIN settlement_item it ON it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
        WHERE s.person_id = e.person_id
          AND it.item_code = e.item_code
          AND it.item_kind = 'DRUG'
          AND it.charged_on BETWEEN e.first_day AND e.last_day
        OFFSET 0
      ) d
    ),
    subject AS (
      SELECT DISTINCT ON (person_id, item_code, month) person_id, item_code, month, institution_code
      FROM dispensed
      GROUP BY person_id, item_code, month, institution_code
      ORDER BY person_id, item_code, month, sum(quantity) DESC, institution_code COLLATE "C"
    ),
    evidence AS (
      SELECT person_id, item_code, month, collision_id_set(array_agg(settlement_id::text)) AS settlement_ids
      FROM dispensed
      GROUP BY person_id, item_code, month
    )
    SELECT e.person_id || '|' || e.item_code || '|' || ${keyMonth('e.month')} AS hit_key,
           money_ratio_half_up(e.amount * (e.quantity - e.max_monthly_quantity), e.quantity) AS amount_involved,
           su.institution_code,
           ARRAY[e.person_id::text] AS person_ids,
           ev.settlement_ids,
           jsonb_build_object('itemCode', e.item_code, 'month', ${keyMonth('e.month')}, 'quantity', e.quantity,
                              'amount', e.amount, 'maxMonthlyQuantity', e.max_monthly_quantity,
                              'catalogRegion', e.catalog_region) AS detail
    FROM excess e
    JOIN subject su ON su.person_id = e.person_id AND su.item_code = e.item_code AND su.month = e.month
    JOIN evidence ev ON ev.person_id = e.person_id AND ev.item_code = e.item_code AND ev.month = e.month`,
});
