import { defineModel } from '../model';

/**
 * 药品追溯码重复结算 (回流药): one drug package's trace code settled in two or more settlements.
 * Evidence is every settlement up to the window's end carrying the code; the anchor is the
 * latest of them (settled_at, then id bytewise), which must fall in the window. The first
 * sale is legitimate: the amount is every later settlement's lines with that code.
 *
 * One hash aggregate over the coded lines finds the reused codes first (two settlements ⇔
 * min(id) ≠ max(id); the latest settlement has the latest date), then only those are ranked.
 */
/** Windows up to this many days look up the codes they settled first. */
const SHORT_WINDOW_DAYS = 7;

export const traceCodeReuse = defineModel({
  code: 'TRACE_CODE_REUSE',
  name: '药品追溯码重复结算（回流药）',
  defaults: {},
  sliceable: 'month',
  sql: (q) => `
    -- Only a code with a line settled in the window can have its latest settlement there: a
    -- short window (a nightly day) reads those codes' history only, by the trace index; a long
    -- one aggregates every coded line once (the filter would cost more than it saves).
    WITH reused AS MATERIALIZED (
      SELECT it.trace_code
      FROM settlement_item it
      WHERE it.settled_on <= ${q.windowTo}
        AND it.trace_code <> ''${
          (q.anchorDays ?? Infinity) <= SHORT_WINDOW_DAYS
            ? `
        AND it.trace_code IN (SELECT w.trace_code FROM settlement_item w
                              WHERE w.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo} AND w.trace_code <> '')`
            : ''
        }
      GROUP BY it.trace_code
      HAVING min(it.settlement_id) <> max(it.settlement_id)
         AND max(it.settled_on) BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
    ),
    per_settlement AS (
      SELECT it.trace_code, s.settlement_id, s.settled_at, s.settled_on, s.institution_code, s.person_id,
             sum(it.amount) AS amount
      FROM reused r
      JOIN settlement_item it ON it.trace_code = r.trace_code AND it.trace_code <> '' AND it.settled_on <= ${q.windowTo}
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      GROUP BY it.trace_code, s.settlement_id, s.settled_at, s.settled_on, s.institution_code, s.person_id
    ),
    ranked AS (
      SELECT p.*,
             row_number() OVER (PARTITION BY trace_code ORDER BY settled_at, settlement_id COLLATE "C") AS from_first,
             row_number() OVER (PARTITION BY trace_code ORDER BY settled_at DESC, settlement_id COLLATE "C" DESC)
               AS from_last
      FROM per_settlement p
    )
    SELECT trace_code::text AS hit_key,
           sum(amount) FILTER (WHERE from_first > 1) AS amount_involved,
           min(institution_code) FILTER (WHERE from_last = 1) AS institution_code,
           collision_id_set(array_agg(person_id::text)) AS person_ids,
           collision_id_set(array_agg(settlement_id::text)) AS settlement_ids,
           jsonb_build_object(
             'settlements', count(*),
             'firstSettlementId', min(settlement_id) FILTER (WHERE from_first = 1),
             'lastSettlementId', min(settlement_id) FILTER (WHERE from_last = 1),
             'institutions', collision_id_set(array_agg(institution_code::text))) AS detail
    FROM ranked
    GROUP BY trace_code`,
});
