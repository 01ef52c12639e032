import { defineModel } from '../model';
import { EFFECTIVE_CATALOG_CTE } from '../sql-parts';

/**
 * 超标准收费: a line's unit price above the effective catalog cap of the institution's region.
 * Lines are first narrowed to those above the item's lowest cap anywhere (a necessary
 * condition), so the effective row is looked up for a handful of lines only.
 */
export const overPrice = defineModel({
  code: 'OVER_PRICE',
  name: '超标准收费',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    WITH ${EFFECTIVE_CATALOG_CTE},
    lowest_cap AS (
      SELECT item_code, min(max_unit_price) AS cap FROM price_catalog
      WHERE max_unit_price IS NOT NULL GROUP BY item_code
    ),
    candidate AS MATERIALIZED (
      SELECT it.settled_on, it.settlement_id, it.line_no, it.item_code, it.unit_price, it.quantity
      FROM settlement_item it
      JOIN lowest_cap lc ON lc.item_code = it.item_code AND it.unit_price > lc.cap
      WHERE it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
    )
    SELECT c.settlement_id || '|' || c.line_no AS hit_key,
           round((c.unit_price - ec.max_unit_price) * c.quantity, 2) AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('itemCode', c.item_code, 'unitPrice', c.unit_price, 'quantity', c.quantity,
                              'maxUnitPrice', ec.max_unit_price, 'catalogRegion', ec.catalog_region) AS detail
    FROM candidate c
    JOIN settlement s ON s.settled_on = c.settled_on AND s.settlement_id = c.settlement_id
    JOIN institution i ON i.code = s.institution_code
    JOIN effective_catalog ec ON ec.city = left(i.region_code, 4) AND ec.item_code = c.item_code
    WHERE starts_with(i.region_code, ${q.regionPrefix})
      AND c.unit_price > ec.max_unit_price`,
});
