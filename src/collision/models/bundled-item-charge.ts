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
    -- The bundle lines with their settlement first, then their catalog row: joining the
    -- settlements to the catalog before the lines multiplied every settlement by its city's
    -- items (a 66 s plan over a six-month window).
    bundle_line AS MATERIALIZED (
      SELECT DISTINCT it.settled_on, it.settlement_id, it.charged_on, it.item_code, s.institution_code, s.person_id
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      WHERE it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        AND it.item_code IN (SELECT item_code FROM price_catalog WHERE cardinality(includes) > 0)
    ),
    bundle AS MATERIALIZED (
      SELECT bl.settled_on, bl.settlement_id, bl.institution_code, bl.person_id, bl.charged_on,
             bl.item_code AS bundle_code, c.component
      FROM bundle_line bl
      JOIN institution i ON i.code = bl.institution_code
      JOIN effective_catalog ec ON ec.city = left(i.region_code, 4) AND ec.item_code = bl.item_code
      CROSS JOIN LATERAL (SELECT DISTINCT unnest(ec.includes) AS component) c
      WHERE starts_with(i.region_code, ${q.regionPrefix})
    )
    SELECT b.settlement_id || '|' || b.bundle_code || '|' || b.component || '|' || ${keyDate('b.charged_on')} AS hit_key,
           l.amount AS amount_involved,
           b.institution_code,
           ARRAY[b.person_id::text] AS person_ids,
           ARRAY[b.settlement_id::text] AS settlement_ids,
           jsonb_build_object('bundleCode', b.bundle_code, 'componentCode', b.component, 'chargedOn', b.charged_on,
                              'componentLines', l.line_nos) AS detail
    FROM bundle b
    -- The component's lines of that settlement and day, looked up by the settlement's key
    -- (a merge join over every line of the window otherwise).
    CROSS JOIN LATERAL (
      SELECT sum(l.amount) AS amount, array_agg(l.line_no ORDER BY l.line_no) AS line_nos, count(*) AS n
      FROM settlement_item l
      WHERE l.settled_on = b.settled_on AND l.settlement_id = b.settlement_id
        AND l.charged_on = b.charged_on AND l.item_code = b.component
    ) l
    WHERE l.n > 0`,
});
