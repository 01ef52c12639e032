import { defineModel } from '../model';
import { ITEM_OF_SETTLEMENT } from '../sql-parts';

/** 低标准入院 (住院仅做检查检验): a paid stay whose lines are only lab tests, imaging and the bed. */
export const lowStandardAdmission = defineModel({
  code: 'LOW_STANDARD_ADMISSION',
  name: '低标准入院（住院仅做检查检验）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    SELECT s.settlement_id::text AS hit_key,
           s.fund_amount AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('itemKinds', (SELECT collision_id_set(array_agg(it.item_kind::text))
                                            FROM settlement_item it WHERE ${ITEM_OF_SETTLEMENT})) AS detail
    FROM settlement s
    JOIN institution i ON i.code = s.institution_code
    WHERE s.visit_type = 'INPATIENT'
      AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
      AND s.fund_amount > 0
      -- some line, and every line a lab test, an exam or the bed (no line: NULL): one pass over
      -- the stay's own lines by primary key (an EXISTS became a semi-join hashing every line)
      AND (SELECT bool_and(it.item_kind IN ('LAB', 'EXAM', 'BED')) FROM settlement_item it WHERE ${ITEM_OF_SETTLEMENT})`,
});
