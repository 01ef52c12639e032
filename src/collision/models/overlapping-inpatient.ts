import { defineModel } from '../model';

/**
 * 同期多机构住院 (虚假住院): two stays of one person at different institutions that overlap.
 * The pair is found from its later-settled member x (the anchor, ordered by settled_on then
 * id bytewise) so that each pair is produced once, and only with evidence up to the window's end.
 */
export const overlappingInpatient = defineModel({
  code: 'OVERLAPPING_INPATIENT',
  name: '同期多机构住院（虚假住院）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    SELECT CASE WHEN x.settlement_id COLLATE "C" < y.settlement_id COLLATE "C"
                THEN x.settlement_id || '|' || y.settlement_id
                ELSE y.settlement_id || '|' || x.settlement_id END AS hit_key,
           x.fund_amount + y.fund_amount AS amount_involved,
           CASE WHEN x.admit_date > y.admit_date THEN x.institution_code
                WHEN y.admit_date > x.admit_date THEN y.institution_code
                WHEN x.settlement_id COLLATE "C" > y.settlement_id COLLATE "C" THEN x.institution_code
                ELSE y.institution_code END AS institution_code,
           ARRAY[x.person_id::text] AS person_ids,
           collision_id_set(ARRAY[x.settlement_id, y.settlement_id]) AS settlement_ids,
           jsonb_build_object(
             'stays', jsonb_build_array(
               jsonb_build_object('settlementId', x.settlement_id, 'institutionCode', x.institution_code,
                                  'admitDate', x.admit_date, 'dischargeDate', x.discharge_date),
               jsonb_build_object('settlementId', y.settlement_id, 'institutionCode', y.institution_code,
                                  'admitDate', y.admit_date, 'dischargeDate', y.discharge_date))) AS detail
    FROM settlement x
    JOIN settlement y
      ON y.person_id = x.person_id
     AND y.visit_type = 'INPATIENT'
     AND y.institution_code <> x.institution_code
     AND x.admit_date < y.discharge_date
     AND y.admit_date < x.discharge_date
     AND (y.settled_on < x.settled_on
          OR (y.settled_on = x.settled_on AND y.settlement_id COLLATE "C" < x.settlement_id COLLATE "C"))
    WHERE x.visit_type = 'INPATIENT'
      AND x.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}`,
});
