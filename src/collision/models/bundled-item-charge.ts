import { defineModel } from '../model';
import { EFFECTIVE_CATALOG_CTE, keyDate } from '../sql-parts';

/**
 * 分解收费 (打包项目重复收取组成项目): a bundled item and one of its components charged in the
 * same settlement on the same day. The bundle's components come from its effective catalog
 * row. Starts from the few lines of items that are a bundle somewhere, then looks up their
 * settlement's component lines.
 */
export const bundledItemCharge = defineModel({
  code: 'BUNDLED_ITEM_CHARGE',
  name: '分解收费（打包项目重复收取组成项目）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    WITH ${EFFECTIVE_CATALOG_CTE},
    bundle_line AS MATERIALIZED (
      SELECT DISTINCT it.settled_on, it.settlement_id, it.charged_on, it.item_code
      FROM settlement_item it
      WHERE it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        AND it.item_code IN (SELECT item_code FROM price_catalog WHERE cardinality(includes) > 0)
    ),
    bundle AS MATERIALIZED (
      SELECT s.settled_on, s.settlement_id, s.institution_code, s.person_id, bl.charged_on,
             bl.item_code AS bundle_code, c.component
      FROM bundle_line bl
      JOIN settlement s ON s.settled_on = bl.settled_on AND s.settlement_id = bl.settlement_id
      JOIN institution i ON i.code = s.institution_code
      JOIN effective_catalog ec ON ec.city = left(i.region_code, 4) AND ec.item_code = bl.item_code
      CROSS JOIN LATERAL (SELECT DISTINCT unnest(ec.includes) AS component) c
      WHERE starts_with(i.region_code, ${q.regionPrefix})
    )
    SELECT b.settlement_id || '|' || b.bundle_code || '|' || b.component || '|' || ${keyDate('b.charged_on')} AS hit_key,
           sum(l.amount) AS amount_involved,
           b.institution_code,
           ARRAY[b.person_id::text] AS person_ids,
           ARRAY[b.settlement_id::text] AS settlement_ids,
           jsonb_build_object('bundleCode', b.bundle_code, 'componentCode', b.component, 'chargedOn', b.charged_on,
                              'componentLines', array_agg(l.line_no ORDER BY l.line_no)) AS detail
    FROM bundle b
    JOIN settlement_item l
      ON l.settled_on = b.settled_on AND l.settlement_id = b.settlement_id
     AND l.charged_on = b.charged_on AND l.item_code = b.component
    GROUP BY b.settlement_id, b.institution_code, b.person_id, b.charged_on, b.bundle_code, b.component`,
});
