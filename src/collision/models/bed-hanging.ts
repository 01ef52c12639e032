import { defineModel } from '../model';
import { ITEM_OF_SETTLEMENT } from '../sql-parts';

/**
 * 挂床住院: a long stay with few days on which anything but the bed was charged. Active days
 * count distinct charged_on in [admit, discharge): the discharge day is not a day in bed.
 */
export const bedHanging = defineModel({
  code: 'BED_HANGING',
  name: '挂床住院',
  defaults: { minLengthOfStay: 3, activeDayRatio: 0.5 },
  sliceable: 'month',
  sql: (q) => `
    SELECT s.settlement_id::text AS hit_key,
           s.fund_amount AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('lengthOfStay', s.discharge_date - s.admit_date, 'activeDays', a.active_days) AS detail
    FROM settlement s
    JOIN institution i ON i.code = s.institution_code
    CROSS JOIN LATERAL (
      SELECT count(DISTINCT it.charged_on) AS active_days
      FROM settlement_item it
      WHERE ${ITEM_OF_SETTLEMENT}
        AND it.item_kind <> 'BED'
        AND it.charged_on >= s.admit_date
        AND it.charged_on < s.discharge_date
    ) a
    WHERE s.visit_type = 'INPATIENT'
      AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
      AND s.discharge_date - s.admit_date >= ${q.param('minLengthOfStay')}
      AND a.active_days < ${q.param('activeDayRatio')} * (s.discharge_date - s.admit_date)`,
});
