import { defineModel } from '../model';
import { keyDate } from '../sql-parts';

/**
 * 同一患者多张处方 (分解处方): many outpatient or pharmacy settlements of one person at one
 * place on one day. Counting comes first; evidence is gathered for the qualifying days only.
 */
export const prescriptionSplitting = defineModel({
  code: 'PRESCRIPTION_SPLITTING',
  name: '同一患者多张处方（分解处方）',
  defaults: { minSettlements: 3 },
  sliceable: 'month',
  sql: (q) => `
    WITH split_day AS MATERIALIZED (
      SELECT s.person_id, s.institution_code, s.settled_on
      FROM settlement s
      WHERE s.visit_type IN ('OUTPATIENT', 'PHARMACY')
        AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      GROUP BY s.person_id, s.institution_code, s.settled_on
      HAVING count(*) >= ${q.param('minSettlements')}
    )
    SELECT d.person_id || '|' || d.institution_code || '|' || ${keyDate('d.settled_on')} AS hit_key,
           e.amount AS amount_involved,
           d.institution_code,
           ARRAY[d.person_id::text] AS person_ids,
           e.settlement_ids,
           jsonb_build_object('settledOn', d.settled_on, 'settlements', e.settlements) AS detail
    FROM split_day d
    -- The few split days look their settlements up by person (an index), whatever the
    -- planner guesses of the CTE's size (a sort of every settlement in the window otherwise).
    CROSS JOIN LATERAL (
      SELECT sum(s.fund_amount) AS amount, collision_id_set(array_agg(s.settlement_id::text)) AS settlement_ids,
             count(*) AS settlements
      FROM settlement s
      WHERE s.person_id = d.person_id AND s.settled_on = d.settled_on AND s.institution_code = d.institution_code
        AND s.visit_type IN ('OUTPATIENT', 'PHARMACY')
    ) e`,
});
