import { defineModel } from '../model';
import { dx3, keyDate } from '../sql-parts';

/**
 * 团伙式住院 (组织虚假住院): many persons admitted to one institution on one day with the same
 * dx3 and the same length of stay. Aggregates the INPATIENT settlements dated in the window;
 * a group's key has no month, so the model is split by region only.
 */
export const groupAdmission = defineModel({
  code: 'GROUP_ADMISSION',
  name: '团伙式住院（组织虚假住院）',
  defaults: { minPersons: 5 },
  sliceable: 'region',
  sql: (q) => `
    SELECT s.institution_code || '|' || ${keyDate('s.admit_date')} || '|' || ${dx3('s')} || '|'
             || (s.discharge_date - s.admit_date) AS hit_key,
           sum(s.fund_amount) AS amount_involved,
           s.institution_code,
           collision_id_set(array_agg(s.person_id::text)) AS person_ids,
           collision_id_set(array_agg(s.settlement_id::text)) AS settlement_ids,
           jsonb_build_object('admitDate', s.admit_date, 'dx3', ${dx3('s')},
                              'lengthOfStay', s.discharge_date - s.admit_date,
                              'persons', count(DISTINCT s.person_id)) AS detail
    FROM settlement s
    JOIN institution i ON i.code = s.institution_code
    WHERE s.visit_type = 'INPATIENT'
      AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
      AND s.diagnosis_code <> ''
    GROUP BY s.institution_code, s.admit_date, ${dx3('s')}, s.discharge_date - s.admit_date
    HAVING count(DISTINCT s.person_id) >= ${q.param('minPersons')}`,
});
