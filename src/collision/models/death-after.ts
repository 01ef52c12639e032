import { defineModel } from '../model';

/** 死亡后就医结算 (冒名就医): a settlement dated after the insured person's death. */
export const deathAfter = defineModel({
  code: 'DEATH_AFTER',
  name: '死亡后就医结算（冒名就医）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    SELECT s.settlement_id::text AS hit_key,
           s.fund_amount AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('deathDate', p.death_date, 'settledOn', s.settled_on) AS detail
    FROM settlement s
    JOIN person p ON p.person_id = s.person_id
    JOIN institution i ON i.code = s.institution_code
    WHERE s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND s.settled_on > p.death_date
      AND starts_with(i.region_code, ${q.regionPrefix})`,
});
