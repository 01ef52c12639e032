import { defineModel } from '../model';

/**
 * 内部人员冒领 (冒用亲友身份套取): a manual reimbursement paid into a public official's account
 * rather than the insured person's own. Accounts compare by their keyed hash.
 */
export const insiderPayee = defineModel({
  code: 'INSIDER_PAYEE',
  name: '内部人员冒领（冒用亲友身份套取）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    SELECT s.settlement_id::text AS hit_key,
           s.fund_amount AS amount_involved,
           s.institution_code,
           collision_id_set(array_agg(o.person_id::text) || s.person_id::text) AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object('officials', collision_id_set(array_agg(o.person_id::text)),
                              'payeeAccount', s.payee_account_masked) AS detail
    FROM settlement s
    JOIN institution i ON i.code = s.institution_code
    JOIN person p ON p.person_id = s.person_id
    JOIN person o ON o.bank_account_hash = s.payee_account_hash AND o.is_public_official
    WHERE s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})
      AND length(s.payee_account_hash) > 0
      AND s.payee_account_hash IS DISTINCT FROM p.bank_account_hash
    GROUP BY s.settlement_id, s.fund_amount, s.institution_code, s.person_id, s.payee_account_masked`,
});
