import { defineModel } from '../model';
import { EFFECTIVE_CATALOG_CTE, EXACT_SUM, keyDate } from '../sql-parts';

/** A window this short is read with the planner's own choices (index lookups of a day's lines). */
const SHORT_WINDOW_DAYS = 7;

/**
 * 重复收费 (超日限量): one person's quantity of one item at one institution on one charged_on
 * day, over all their settlements, above the effective daily limit. Aggregates lines whose
 * own date (charged_on) is in the window; each group keeps its lines' settlements as it goes
 * (the evidence), so no second pass over the lines is needed.
 *
 * Over a long window the planner underestimates the limited items' lines (4× at 1M settlements)
 * and looks up each line's settlement by primary key (1.4 M lookups); hashing the window's
 * settlements once is about a third faster, so nested loops and merge joins are off for long
 * windows (without the former lateral evidence read, which needed the index lookups).
 */
export const dailyQuantityExcess = defineModel({
  code: 'DAILY_QUANTITY_EXCESS',
  name: '重复收费（超日限量）',
  defaults: {},
  sliceable: 'month',
  settings: ({ anchorDays }): Record<string, string> =>
    anchorDays <= SHORT_WINDOW_DAYS ? {} : { enable_nestloop: 'off', enable_mergejoin: 'off' },
  sql: (q) => `
    WITH ${EFFECTIVE_CATALOG_CTE},
    daily AS (
      SELECT s.person_id, s.institution_code, it.item_code, it.charged_on,
             ${EXACT_SUM('it.quantity', 4)} AS quantity, ${EXACT_SUM('it.amount', 2)} AS amount,
             array_agg(it.settlement_id::text) AS settlement_ids
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
           collision_id_set(e.settlement_ids) AS settlement_ids,
           jsonb_build_object('itemCode', e.item_code, 'chargedOn', e.charged_on, 'quantity', e.quantity,
                              'amount', e.amount, 'maxDailyQuantity', e.max_daily_quantity,
                              'catalogRegion', e.catalog_region) AS detail
    FROM excess e`,
});
