import { defineModel } from '../model';
import { EFFECTIVE_CATALOG_CTE, EXACT_SUM, keyDate } from '../sql-parts';

/**
 * 重复收费 (超日限量): one person's quantity of one item at one institution on one charged_on
 * day, over all their settlements, above the effective daily limit. Aggregates lines whose
 * own date (charged_on) is in the window; evidence is gathered for the excess days only.
 */
export const dailyQuantityExcess = defineModel({
  code: 'DAILY_QUANTITY_EXCESS',
  name: '重复收费（超日限量）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    WITH ${EFFECTIVE_CATALOG_CTE},
    daily AS (
      SELECT s.person_id, s.institution_code, it.item_code, it.charged_on,
             ${EXACT_SUM('it.quantity', 4)} AS quantity, ${EXACT_SUM('it.amount', 2)} AS amount
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      WHERE it.charged_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        -- only items some catalog row limits per day can exceed anything
        AND it.item_code IN (SELECT item_code FROM price_catalog WHERE max_daily_quantity IS NOT NULL)
      GROUP BY s.person_id, s.institution_code, it.item_code, it.charged_on
    ),
    excess AS MATERIALIZED (
      SELECT d.*, ec.max_daily_quantity, ec.catalog_region
      FROM daily d
      JOIN institution i ON i.code = d.institution_code
      JOIN effective_catalog ec ON ec.city = left(i.region_code, 4) AND ec.item_code = d.item_code
      WHERE d.quantity > ec.max_daily_quantity
        AND starts_with(i.region_code, ${q.regionPrefix})
    )
    SELECT e.person_id || '|' || e.institution_code || '|' || e.item_code || '|' || ${keyDate('e.charged_on')} AS hit_key,
           money_ratio_half_up(e.amount * (e.quantity - e.max_daily_quantity), e.quantity) AS amount_involved,
           e.institution_code,
           ARRAY[e.person_id::text] AS person_ids,
           ev.settlement_ids,
           jsonb_build_object('itemCode', e.item_code, 'chargedOn', e.charged_on, 'quantity', e.quantity,
                              'amount', e.amount, 'maxDailyQuantity', e.max_daily_quantity,
                              'catalogRegion', e.catalog_region) AS detail
    FROM excess e
    CROSS JOIN LATERAL (
      SELECT collision_id_set(array_agg(it.settlement_id::text)) AS settlement_ids
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      WHERE it.item_code = e.item_code AND it.charged_on = e.charged_on
        AND s.person_id = e.person_id AND s.institution_code = e.institution_code
    ) ev`,
});
