import { defineModel } from '../model';
import { ITEM_OF_SETTLEMENT } from '../sql-parts';

/** 一次住院重复检查: one imaging exam (EXAM item) charged more often than allowed in one stay. */
export const repeatExamInStay = defineModel({
  code: 'REPEAT_EXAM_IN_STAY',
  name: '一次住院重复检查',
  defaults: { maxQuantity: 2 },
  sliceable: 'month',
  sql: (q) => `
    SELECT s.settlement_id || '|' || it.item_code AS hit_key,
           money_ratio_half_up(sum(it.amount) * (sum(it.quantity) - ${q.param('maxQuantity')}), sum(it.quantity))
             AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('itemCode', it.item_code, 'quantity', sum(it.quantity), 'amount', sum(it.amount),
                              'maxQuantity', ${q.param('maxQuantity')}) AS detail
    FROM settlement s
    JOIN institution i ON i.code = s.institution_code
    JOIN settlement_item it ON ${ITEM_OF_SETTLEMENT}
    WHERE s.visit_type = 'INPATIENT'
      AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
      AND it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND it.item_kind = 'EXAM'
    GROUP BY s.settlement_id, s.institution_code, s.person_id, it.item_code
    HAVING sum(it.quantity) > ${q.param('maxQuantity')}`,
});
