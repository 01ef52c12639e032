import { defineModel } from '../model';
import { keyMonth } from '../sql-parts';

/**
 * 次均费用异常 (人均费用悬殊): an institution whose mean outpatient fund amount in a month is a
 * robust outlier among its peers (same kind, same city, each with enough settlements that
 * month). Robust z = (x − m) / (1.4826 × MAD), medians averaging the two middle values.
 *
 * Everything is exact: a mean is the rational total/n, the median m is kept as num/den
 * (average of the two middle means), MAD as the average of two rational deviations, and the
 * test z > k is evaluated by cross-multiplying positive denominators, so no division ever
 * rounds. High-precision quotients only serve to order the members, where distinct
 * rationals of these sizes never come closer than 1e-14.
 */
export const peerOutlier = defineModel({
  code: 'PEER_OUTLIER',
  name: '次均费用异常（人均费用悬殊）',
  defaults: { minSettlements: 30, minPeers: 5, threshold: 3.5 },
  sliceable: 'month',
  sql: (q) => `
    WITH monthly AS (
      SELECT s.institution_code, date_trunc('month', s.settled_on)::date AS month,
             count(*) AS n, sum(s.fund_amount) AS total
      FROM settlement s
      JOIN institution i ON i.code = s.institution_code
      WHERE s.visit_type = 'OUTPATIENT'
        AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        -- peers share the city, so a region run needs no institution outside its city
        AND starts_with(i.region_code, left(${q.regionPrefix}, 4))
      GROUP BY s.institution_code, date_trunc('month', s.settled_on)
      HAVING count(*) >= ${q.param('minSettlements')}
    ),
    member AS (
      SELECT m.*, i.kind, left(i.region_code, 4) AS city,
             count(*) OVER peers AS peer_count,
             row_number() OVER (peers ORDER BY m.total::numeric(60, 40) / m.n, m.institution_code COLLATE "C") AS pos
      FROM monthly m
      JOIN institution i ON i.code = m.institution_code
      WINDOW peers AS (PARTITION BY i.kind, left(i.region_code, 4), m.month)
    ),
    median AS (
      -- m = (lo.total/lo.n + hi.total/hi.n) / 2 as m_num / m_den; lo = hi when the count is odd
      SELECT kind, city, month,
             max(total) FILTER (WHERE pos = (peer_count + 1) / 2) * max(n) FILTER (WHERE pos = peer_count / 2 + 1)
               + max(total) FILTER (WHERE pos = peer_count / 2 + 1) * max(n) FILTER (WHERE pos = (peer_count + 1) / 2)
               AS m_num,
             2 * max(n) FILTER (WHERE pos = (peer_count + 1) / 2) * max(n) FILTER (WHERE pos = peer_count / 2 + 1)
               AS m_den
      FROM member
      WHERE peer_count >= ${q.param('minPeers')}
      GROUP BY kind, city, month
    ),
    deviation AS (
      -- x − m = diff_num / dev_den; |x − m| = abs(diff_num) / dev_den
      SELECT mb.*, md.m_num, md.m_den,
             mb.total * md.m_den - mb.n * md.m_num AS diff_num,
             mb.n * md.m_den AS dev_den,
             row_number() OVER (PARTITION BY mb.kind, mb.city, mb.month
                                ORDER BY abs(mb.total * md.m_den - mb.n * md.m_num)::numeric(80, 40) / (mb.n * md.m_den),
                                         mb.institution_code COLLATE "C") AS dev_pos
      FROM member mb
      JOIN median md ON md.kind = mb.kind AND md.city = mb.city AND md.month = mb.month
    ),
    mad AS (
      -- MAD = (p_num/p_den + q_num/q_den) / 2
      SELECT kind, city, month,
             max(abs(diff_num)) FILTER (WHERE dev_pos = (peer_count + 1) / 2) AS p_num,
             max(dev_den) FILTER (WHERE dev_pos = (peer_count + 1) / 2) AS p_den,
             max(abs(diff_num)) FILTER (WHERE dev_pos = peer_count / 2 + 1) AS q_num,
             max(dev_den) FILTER (WHERE dev_pos = peer_count / 2 + 1) AS q_den
      FROM deviation
      GROUP BY kind, city, month
    ),
    outlier AS (
      SELECT d.*, ma.p_num, ma.p_den, ma.q_num, ma.q_den
      FROM deviation d
      JOIN mad ma ON ma.kind = d.kind AND ma.city = d.city AND ma.month = d.month
      WHERE ma.p_num + ma.q_num > 0
        AND d.diff_num > 0
        -- (x − m) / (1.4826 × MAD) > k, multiplied out by 2 · dev_den · p_den · q_den > 0
        AND 2 * d.diff_num * ma.p_den * ma.q_den
            > ${q.param('threshold')} * 1.4826 * d.dev_den * (ma.p_num * ma.q_den + ma.q_num * ma.p_den)
    )
    SELECT o.institution_code || '|' || ${keyMonth('o.month')} AS hit_key,
           money_ratio_half_up(o.diff_num, o.m_den) AS amount_involved,
           o.institution_code,
           ev.person_ids,
           ev.settlement_ids,
           jsonb_build_object(
             'month', ${keyMonth('o.month')},
             'settlements', o.n,
             'fundTotal', o.total,
             'mean', round(o.total / o.n, 2),
             'peerMedian', round(o.m_num / o.m_den, 2),
             'mad', round((o.p_num / o.p_den + o.q_num / o.q_den) / 2, 2),
             'robustZ', round(2 * o.diff_num * o.p_den * o.q_den
                              / (1.4826 * o.dev_den * (o.p_num * o.q_den + o.q_num * o.p_den)), 4),
             'peers', o.peer_count) AS detail
    FROM outlier o
    CROSS JOIN LATERAL (
      SELECT collision_id_set(array_agg(s.settlement_id::text)) AS settlement_ids,
             collision_id_set(array_agg(s.person_id::text)) AS person_ids
      FROM settlement s
      WHERE s.institution_code = o.institution_code
        AND s.visit_type = 'OUTPATIENT'
        AND s.settled_on BETWEEN greatest(o.month, ${q.anchorFrom}) AND least((o.month + interval '1 month - 1 day')::date, ${q.anchorTo})
    ) ev`,
});
