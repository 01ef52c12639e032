import { CollisionModel, defineModel, HitSqlContext } from '../model';
import { keyDate } from '../sql-parts';

/**
 * The seven rule classes of the rule library (RULES.md), each one set-based statement over all
 * the rules of its class that the run recorded (collision_run_rule: the versions current when
 * the run started). Lines are joined to rules by item code; a rule applies to a line when the
 * settlement's institution lies in the rule's jurisdiction and the line's charged_on lies in
 * [effective_from, effective_to]. No loop over rules anywhere: 15,000 rules are one hash join.
 */

export type RuleClass = 'SEX' | 'AGE' | 'VISIT_TYPE' | 'LEVEL' | 'DIAGNOSIS' | 'EXCLUSIVE' | 'FREQUENCY';
export const RULE_CLASSES: readonly RuleClass[] = [
  'SEX',
  'AGE',
  'VISIT_TYPE',
  'LEVEL',
  'DIAGNOSIS',
  'EXCLUSIVE',
  'FREQUENCY',
];
export const ruleModelCode = (ruleClass: RuleClass): string => `RULE_${ruleClass}`;

/** The run's rules of one class (their recorded versions). */
const runRules = (q: HitSqlContext, ruleClass: RuleClass) => `rules AS MATERIALIZED (
      SELECT r.* FROM collision_run_rule cr JOIN rule r ON r.id = cr.rule_row_id
      WHERE cr.run_id = ${q.runId} AND cr.rule_class = '${ruleClass}'
    )`;

/**
 * The rule index: every rule of the run once per institution region it covers (its jurisdiction
 * is a prefix of the region: province 2 digits, city 4, county 6). Lines join it on
 * (item_code, institution region) equality — one hash join however many rules there are, and a
 * line meets only the rules that apply to its institution (no fan-out over the three prefixes).
 */
const ruleIndex = `rule_index AS MATERIALIZED (
      SELECT ir.region_code AS inst_region, r.*
      FROM (SELECT DISTINCT region_code FROM institution) ir
      CROSS JOIN LATERAL (VALUES (left(ir.region_code, 2)), (left(ir.region_code, 4)), (ir.region_code)) AS j(prefix)
      JOIN rules r ON r.jurisdiction = j.prefix
    )`;

/**
 * The key lines meet a summary by: item and institution region as one value, so the join is a
 * hash join of the lines (with their settlement and institution) against the summary — the
 * planner cannot pair settlements with summary rows before it has the lines' item codes.
 */
const LOOKUP = (item: string, region: string) => `(${item} || '|' || ${region})`;

/** The rule validity contains the line's charged_on. */
const IN_FORCE = (r: string, on: string) =>
  `${on} >= ${r}.effective_from AND (${r}.effective_to IS NULL OR ${on} <= ${r}.effective_to)`;

/** The rule's identity in every hit's detail. */
const RULE_DETAIL = `'ruleId', r.rule_id, 'ruleVersion', r.version, 'description', r.description, 'itemCode', r.item_code,
                     'ruleRegion', r.region_code`;

/**
 * A class whose hits are single lines: key rule_id|settlement_id|line_no, amount the line's.
 * The rules are first folded per (item, institution region, validity) into the tightest bounds
 * any of them sets (`summary.aggregate`); a line meets one summary row per validity in force
 * (hash join on item and region), and only the lines that could fail (`summary.mayFail`, over
 * the summary `sm`) are then joined to the rules one by one — a large library of rules that are
 * mostly complied with costs about what a small one does.
 */
function lineClass(
  ruleClass: RuleClass,
  name: string,
  spec: {
    joins?: string;
    fails: string;
    detail: string;
    summary: { aggregate: string; mayFail: string };
    /** Values of the line computed once per suspect line (`expr AS name`), read as `x.name`. */
    lineValues?: string;
  },
): CollisionModel {
  return defineModel({
    code: ruleModelCode(ruleClass),
    name,
    defaults: {},
    sliceable: 'month',
    sql: (q) => {
      const anchored = `s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      AND starts_with(i.region_code, ${q.regionPrefix})`;
      const select = `SELECT r.rule_id || '|' || s.settlement_id || '|' || it.line_no AS hit_key,
           it.amount AS amount_involved,
           s.institution_code,
           ARRAY[s.person_id::text] AS person_ids,
           ARRAY[s.settlement_id::text] AS settlement_ids,
           jsonb_build_object(${RULE_DETAIL}, 'lineNo', it.line_no, 'chargedOn', it.charged_on,
                              ${spec.detail}) AS detail`;
      return `
    WITH ${runRules(q, ruleClass)}, ${ruleIndex},
    summary AS MATERIALIZED (
      SELECT r.item_code, r.inst_region, r.effective_from, coalesce(r.effective_to, 'infinity'::date) AS effective_to,
             ${spec.summary.aggregate}, ${LOOKUP('r.item_code', 'r.inst_region')} AS lookup
      FROM rule_index r GROUP BY 1, 2, 3, 4
    ),
    suspect AS MATERIALIZED (
      SELECT DISTINCT it.settled_on, it.settlement_id, it.line_no, it.item_code, it.charged_on,
             i.region_code AS inst_region${spec.lineValues ? `, ${spec.lineValues}` : ''}
      FROM settlement_item it
      JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
      JOIN institution i ON i.code = s.institution_code
      JOIN summary sm ON sm.lookup = ${LOOKUP('it.item_code', 'i.region_code')}
                     AND it.charged_on BETWEEN sm.effective_from AND sm.effective_to
      ${spec.joins ?? ''}
      WHERE ${anchored}
        AND it.item_code = ANY (ARRAY(SELECT DISTINCT item_code FROM summary))
        AND (${spec.summary.mayFail})
    )
    ${select}
    FROM suspect x
    JOIN rule_index r ON r.item_code = x.item_code AND r.inst_region = x.inst_region AND ${IN_FORCE('r', 'x.charged_on')}
    JOIN settlement_item it ON it.settled_on = x.settled_on AND it.settlement_id = x.settlement_id AND it.line_no = x.line_no
    JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
    JOIN institution i ON i.code = s.institution_code
    ${spec.joins ?? ''}
    WHERE ${spec.fails}`;
    },
  });
}

const LEVEL_RANK = (level: string) =>
  `(CASE ${level} WHEN 'PRIMARY' THEN 1 WHEN 'SECONDARY' THEN 2 WHEN 'TERTIARY' THEN 3 ELSE 0 END)`;
const AGE = `date_part('year', age(it.charged_on, p.birth_date))::int`;
const VISIT_BIT = (visitType: string) =>
  `(CASE ${visitType} WHEN 'OUTPATIENT' THEN 1 WHEN 'INPATIENT' THEN 2 WHEN 'PHARMACY' THEN 4 ELSE 0 END)`;
const VISIT_BITS = (visitTypes: string) =>
  `((CASE WHEN 'OUTPATIENT' = ANY (${visitTypes}) THEN 1 ELSE 0 END) | (CASE WHEN 'INPATIENT' = ANY (${visitTypes}) THEN 2 ELSE 0 END)
    | (CASE WHEN 'PHARMACY' = ANY (${visitTypes}) THEN 4 ELSE 0 END))`;

export const ruleSex = lineClass('SEX', '规则库：限性别', {
  joins: 'JOIN person p ON p.person_id = s.person_id',
  fails: 'p.gender <> r.gender',
  summary: {
    aggregate: 'array_agg(DISTINCT r.gender) AS genders',
    mayFail: 'p.gender <> ANY (sm.genders)',
  },
  detail: `'gender', p.gender, 'allowedGender', r.gender`,
});

export const ruleAge = lineClass('AGE', '规则库：限年龄', {
  joins: 'JOIN person p ON p.person_id = s.person_id',
  fails: `x.age < r.min_age OR x.age > r.max_age`,
  summary: {
    aggregate: 'max(r.min_age) AS min_age, min(r.max_age) AS max_age',
    mayFail: `${AGE} < sm.min_age OR ${AGE} > sm.max_age`,
  },
  lineValues: `${AGE} AS age`,
  detail: `'age', x.age, 'minAge', r.min_age, 'maxAge', r.max_age`,
});

export const ruleVisitType = lineClass('VISIT_TYPE', '规则库：限就医方式', {
  fails: 's.visit_type <> ALL (r.visit_types)',
  // The visit types every rule pays for, as bits (OUTPATIENT 1, INPATIENT 2, PHARMACY 4).
  summary: {
    aggregate: `bit_and(${VISIT_BITS('r.visit_types')}) AS paid_by_all`,
    mayFail: `(sm.paid_by_all & ${VISIT_BIT('s.visit_type')}) = 0`,
  },
  detail: `'visitType', s.visit_type, 'visitTypes', to_jsonb(r.visit_types)`,
});

export const ruleLevel = lineClass('LEVEL', '规则库：限医院等级', {
  fails: `${LEVEL_RANK('i.level')} < ${LEVEL_RANK('r.min_level')}`,
  summary: {
    aggregate: `max(${LEVEL_RANK('r.min_level')}) AS min_rank`,
    mayFail: `${LEVEL_RANK('i.level')} < sm.min_rank`,
  },
  detail: `'level', i.level, 'minLevel', r.min_level`,
});

export const ruleDiagnosis = lineClass('DIAGNOSIS', '规则库：限适应症（诊断）', {
  fails: `s.diagnosis_code IS NULL OR NOT EXISTS (SELECT 1 FROM unnest(r.diagnosis_prefixes) px WHERE starts_with(s.diagnosis_code, px))`,
  // The distinct prefix lists of the rules (few: rules share them); a line passing every list passes every rule.
  summary: {
    aggregate: `array_agg(DISTINCT array_to_string(r.diagnosis_prefixes, ';')) AS prefix_lists`,
    mayFail: `s.diagnosis_code IS NULL OR EXISTS (SELECT 1 FROM unnest(sm.prefix_lists) pl
      WHERE NOT EXISTS (SELECT 1 FROM unnest(string_to_array(pl, ';')) px WHERE starts_with(s.diagnosis_code, px)))`,
  },
  detail: `'diagnosisCode', s.diagnosis_code, 'diagnosisPrefixes', to_jsonb(r.diagnosis_prefixes)`,
});

/**
 * 互斥项目: in one settlement on one charged_on day, a line of item_code (which the rule applies
 * to) and lines of other_item_code. Amount: Σ amount of that day's other_item_code lines.
 */
export const ruleExclusive = defineModel({
  code: ruleModelCode('EXCLUSIVE'),
  name: '规则库：互斥项目',
  defaults: {},
  sliceable: 'month',
  // Pairs first: the (settlement, day)s where both items of some rule's pair were charged, found
  // over the lines without the rules; only those few are joined to the rules themselves.
  sql: (q) => `
    WITH ${runRules(q, 'EXCLUSIVE')}, ${ruleIndex},
    pairs AS MATERIALIZED (SELECT DISTINCT item_code, other_item_code FROM rules),
    -- Per (settlement, charged_on day) the lines of pair items, kept only when two different items
    -- were charged (one hash aggregation over the lines).
    day_sets AS MATERIALIZED (
      SELECT it.settled_on, it.settlement_id, it.charged_on, array_agg(it.item_code) AS items,
             array_agg(it.amount) AS amounts
      FROM settlement_item it
      WHERE it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        AND (it.item_code IN (SELECT item_code FROM pairs) OR it.item_code IN (SELECT other_item_code FROM pairs))
      GROUP BY it.settled_on, it.settlement_id, it.charged_on
      HAVING min(it.item_code COLLATE "C") <> max(it.item_code COLLATE "C")
    ),
    both_charged AS MATERIALIZED (
      SELECT d.settled_on, d.settlement_id, d.charged_on, p.item_code, p.other_item_code,
             (SELECT sum(u.amount) FROM unnest(d.items, d.amounts) AS u(item_code, amount)
              WHERE u.item_code = p.other_item_code) AS other_amount
      FROM day_sets d
      CROSS JOIN LATERAL (SELECT DISTINCT x.item_code FROM unnest(d.items) AS x(item_code)) x
      JOIN pairs p ON p.item_code = x.item_code
      WHERE p.other_item_code = ANY (d.items)
    ),
    -- The few co-charged pairs with their settlement and institution region: joined to the rule
    -- index on (item_code, other_item_code, region) equality.
    charged_at AS MATERIALIZED (
      SELECT b.*, s.institution_code, s.person_id, i.region_code AS inst_region
      FROM both_charged b
      JOIN settlement s ON s.settled_on = b.settled_on AND s.settlement_id = b.settlement_id
      JOIN institution i ON i.code = s.institution_code
      WHERE starts_with(i.region_code, ${q.regionPrefix})
    )
    SELECT r.rule_id || '|' || b.settlement_id || '|' || ${keyDate('b.charged_on')} AS hit_key,
           b.other_amount AS amount_involved,
           b.institution_code,
           ARRAY[b.person_id::text] AS person_ids,
           ARRAY[b.settlement_id::text] AS settlement_ids,
           jsonb_build_object(${RULE_DETAIL}, 'otherItemCode', r.other_item_code, 'chargedOn', b.charged_on) AS detail
    FROM charged_at b
    JOIN rule_index r ON r.item_code = b.item_code AND r.other_item_code = b.other_item_code
                     AND r.inst_region = b.inst_region AND ${IN_FORCE('r', 'b.charged_on')}`,
});

/** A FREQUENCY group's date: the day (DAY), the first of the year (YEAR), -infinity (SETTLEMENT). */
const GROUP_ON = (period: string, on: string) =>
  `(CASE ${period} WHEN 'DAY' THEN ${on} WHEN 'YEAR' THEN make_date(date_part('year', ${on})::int, 1, 1)
    ELSE '-infinity'::date END)`;

/**
 * 限频次: Σquantity of the item's lines the rule applies to, per settlement and charged_on day
 * (DAY), per settlement (SETTLEMENT) or per person and calendar year of charged_on (YEAR), above
 * max_units. DAY and SETTLEMENT anchor on the settlement's date; YEAR sums the lines whose own
 * charged_on lies in the window, its subject is the institution with the largest Σquantity
 * (tie: smallest code). Not sliced: a YEAR group spans months.
 */
export const ruleFrequency = defineModel({
  code: ruleModelCode('FREQUENCY'),
  name: '规则库：限频次',
  defaults: {},
  sliceable: false,
  sql: (q) => `
    WITH ${runRules(q, 'FREQUENCY')}, ${ruleIndex},
    summary AS MATERIALIZED (
      SELECT item_code, inst_region, period, effective_from, coalesce(effective_to, 'infinity'::date) AS effective_to,
             min(max_units) AS cap, ${LOOKUP('item_code', 'inst_region')} AS lookup,
             -- The (item, period, validity) as a small integer: groups sort on it cheaply.
             dense_rank() OVER (ORDER BY item_code, period, effective_from, coalesce(effective_to, 'infinity'::date)) AS vkey
      FROM rule_index GROUP BY 1, 2, 3, 4, 5
    ),
    vkeys AS MATERIALIZED (SELECT DISTINCT vkey, item_code, period, effective_from, effective_to FROM summary),
    -- Groups some rule could exceed: per (item, period, validity) their sum over every line a rule
    -- with that validity might count is above the lowest cap among them. Only these groups are
    -- then summed rule by rule.
    suspect_groups AS MATERIALIZED (
      SELECT g.vkey, g.group_id, g.group_on,
             -- the settlement's date of a DAY or SETTLEMENT group, for its lookup by primary key
             array_agg(DISTINCT g.settled_on) FILTER (WHERE g.settled_on IS NOT NULL) AS settled_ons
      FROM (
        -- DAY and SETTLEMENT: the settlements of the window (both sides pruned to its months)
        SELECT sm.vkey, s.settlement_id COLLATE "C" AS group_id, ${GROUP_ON('sm.period', 'it.charged_on')} AS group_on,
               it.quantity, sm.cap, s.settled_on
        FROM settlement_item it
        JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
        JOIN institution i ON i.code = s.institution_code
        JOIN summary sm ON sm.lookup = ${LOOKUP('it.item_code', 'i.region_code')}
                       AND it.charged_on BETWEEN sm.effective_from AND sm.effective_to AND sm.period <> 'YEAR'
        WHERE it.item_code = ANY (ARRAY(SELECT DISTINCT item_code FROM summary WHERE period <> 'YEAR'))
          AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
          AND it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        UNION ALL
        -- YEAR: the lines charged in the window, whatever their settlement's month
        SELECT sm.vkey, s.person_id COLLATE "C", ${GROUP_ON('sm.period', 'it.charged_on')}, it.quantity, sm.cap, NULL::date
        FROM settlement_item it
        JOIN settlement s ON s.settled_on = it.settled_on AND s.settlement_id = it.settlement_id
        JOIN institution i ON i.code = s.institution_code
        JOIN summary sm ON sm.lookup = ${LOOKUP('it.item_code', 'i.region_code')}
                       AND it.charged_on BETWEEN sm.effective_from AND sm.effective_to AND sm.period = 'YEAR'
        WHERE it.item_code = ANY (ARRAY(SELECT DISTINCT item_code FROM summary WHERE period = 'YEAR'))
          AND it.charged_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      ) g
      GROUP BY 1, 2, 3
      HAVING sum(g.quantity) > min(g.cap)
    ),
    suspect AS MATERIALIZED (
      SELECT k.item_code, k.period, k.effective_from, k.effective_to, g.group_id, g.group_on, g.settled_ons
      FROM suspect_groups g JOIN vkeys k ON k.vkey = g.vkey
    ),
    -- The lines of the suspect groups, found from the groups (a settlement by its id, a person's
    -- settlements by person), then each rule that applies to them.
    applied AS MATERIALIZED (
      SELECT r.id AS rule_row_id, r.period, s.settlement_id, s.person_id, s.institution_code, it.charged_on,
             it.quantity, it.amount
      FROM suspect sg
      JOIN settlement s ON s.settled_on = ANY (sg.settled_ons) AND s.settlement_id = sg.group_id COLLATE "default"
      JOIN settlement_item it ON it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
                             AND it.item_code = sg.item_code
      JOIN institution i ON i.code = s.institution_code
      JOIN rule_index r ON r.item_code = it.item_code AND r.inst_region = i.region_code AND ${IN_FORCE('r', 'it.charged_on')}
                       AND r.period = sg.period AND r.effective_from = sg.effective_from
                       AND coalesce(r.effective_to, 'infinity'::date) = sg.effective_to
      WHERE sg.period <> 'YEAR'
        AND sg.group_on = ${GROUP_ON('r.period', 'it.charged_on')}
        AND s.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
        AND it.settled_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
      UNION ALL
      SELECT r.id, r.period, s.settlement_id, s.person_id, s.institution_code, it.charged_on, it.quantity, it.amount
      FROM suspect sg
      JOIN settlement s ON s.person_id = sg.group_id COLLATE "default"
      JOIN settlement_item it ON it.settled_on = s.settled_on AND it.settlement_id = s.settlement_id
                             AND it.item_code = sg.item_code
      JOIN institution i ON i.code = s.institution_code
      JOIN rule_index r ON r.item_code = it.item_code AND r.inst_region = i.region_code AND ${IN_FORCE('r', 'it.charged_on')}
                       AND r.period = sg.period AND r.effective_from = sg.effective_from
                       AND coalesce(r.effective_to, 'infinity'::date) = sg.effective_to
      WHERE sg.period = 'YEAR'
        AND sg.group_on = ${GROUP_ON('r.period', 'it.charged_on')}
        AND it.charged_on BETWEEN ${q.anchorFrom} AND ${q.anchorTo}
    ),
    grouped AS (
      SELECT a.rule_row_id,
             CASE a.period WHEN 'YEAR' THEN a.person_id ELSE a.settlement_id END AS group_id,
             CASE a.period WHEN 'DAY' THEN ${keyDate('a.charged_on')}
                           WHEN 'YEAR' THEN to_char(a.charged_on, 'YYYY') END AS group_part,
             sum(a.quantity) AS quantity, sum(a.amount) AS amount,
             collision_id_set(array_agg(a.settlement_id::text)) AS settlement_ids,
             min(a.person_id) AS person_id
      FROM applied a
      GROUP BY 1, 2, 3
    ),
    excess AS MATERIALIZED (
      SELECT g.*, r.rule_id, r.version, r.description, r.item_code, r.region_code, r.max_units, r.period
      FROM grouped g JOIN rules r ON r.id = g.rule_row_id
      WHERE g.quantity > r.max_units
    ),
    subject AS (
      SELECT DISTINCT ON (e.rule_row_id, e.group_id, e.group_part) e.rule_row_id, e.group_id, e.group_part,
             a.institution_code
      FROM excess e
      JOIN applied a ON a.rule_row_id = e.rule_row_id
                    AND CASE e.period WHEN 'YEAR' THEN a.person_id ELSE a.settlement_id END = e.group_id
                    AND (e.period = 'SETTLEMENT' OR CASE e.period WHEN 'DAY' THEN ${keyDate('a.charged_on')}
                                                   ELSE to_char(a.charged_on, 'YYYY') END = e.group_part)
      GROUP BY e.rule_row_id, e.group_id, e.group_part, a.institution_code
      ORDER BY e.rule_row_id, e.group_id, e.group_part, sum(a.quantity) DESC, a.institution_code COLLATE "C"
    )
    SELECT e.rule_id || '|' || e.group_id || CASE WHEN e.group_part IS NULL THEN '' ELSE '|' || e.group_part END AS hit_key,
           money_ratio_half_up(e.amount * (e.quantity - e.max_units), e.quantity) AS amount_involved,
           su.institution_code,
           ARRAY[e.person_id::text] AS person_ids,
           e.settlement_ids,
           jsonb_build_object('ruleId', e.rule_id, 'ruleVersion', e.version, 'description', e.description,
                              'itemCode', e.item_code, 'ruleRegion', e.region_code, 'period', e.period,
                              'maxUnits', e.max_units, 'quantity', e.quantity, 'amount', e.amount) AS detail
    FROM excess e
    JOIN subject su ON su.rule_row_id = e.rule_row_id AND su.group_id = e.group_id
                   AND su.group_part IS NOT DISTINCT FROM e.group_part`,
});

/** The rule classes as entries of the model registry, in RULES.md order. */
export const RULE_CLASS_MODELS: readonly CollisionModel[] = [
  ruleSex,
  ruleAge,
  ruleVisitType,
  ruleLevel,
  ruleDiagnosis,
  ruleExclusive,
  ruleFrequency,
];
