import { defineModel } from '../model';
import { dx3 } from '../sql-parts';

/**
 * 分解住院: readmission B at the same institution, same dx3, within a few days of an earlier
 * discharge A. Every such A (settled by the window's end) is evidence; B is the anchor.
 */
export const splitAdmission = defineModel({
  code: 'SPLIT_ADMISSION',
  name: '分解住院',
  defaults: { maxGapDays: 15 },
  sliceable: 'month',
  // The pairs by a hash join on (person, institution): the merge join the statistics chose
  // sorted both sides by text keys (73 ms against 41 at 215k settlements, warm).
  settings: { enable_mergejoin: 'off' },
  sql: (q) => `
    SELECT b.settlement_id::text AS hit_key,
           b.fund_amount AS amount_involved,
           b.institution_code,
           ARRAY[b.person_id::text] AS person_ids,
           collision_id_set(array_agg(a.settlement_id::text) || b.settlement_id::text) AS settlement_ids,
           jsonb_build_object(
             'admitDate', b.admit_date,
             'dx3', ${dx3('b')},
             'previous', jsonb_agg(jsonb_build_object('settlementId', a.settlement_id, 'dischargeDate', a.discharge_date,
                                                      'gapDays', b.admit_date - a.discharge_date)
                                   ORDER BY a.discharge_date, a.settlement_id COLLATE "C")) AS detail
    FROM settlement b
    JOIN institution i ON i.code = b.institution_code
    JOIN settlement a
      ON a.person_id = b.person_id
     AND a.institution_code = b.institution_code
     AND a.visit_type = 'INPATIENT'
     AND a.settlement_id <> b.settlement_id
     AND a.discharge_date <= b.admit_date
     AND b.admit_date - a.discharge_date <= ${q.param('maxGapDays')}
     AND ${dx3('a')} = ${dx3('b')}
     AND a.settled_on <= ${q.windowTo}
    WHERE b.visit_type = 'INPATIENT'
      AND b.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
    GROUP BY b.settlement_id, b.fund_amount, b.institution_code, b.person_id, b.admit_date, b.diagnosis_code`,
});
