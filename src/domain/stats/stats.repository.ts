/**
 * Every SQL statement of 督办统计 (supervisionStats): the event figures from the daily roll-up
 * (ROLLUP_SQL over stats_daily, brought up to date by refreshRollup) or directly (EVENTS_SQL,
 * one UNION of all dated events: the reference), both rolled up with GROUPING SETS (totals,
 * sub-kinds, departments, months); persons sanctioned (roll-up or direct), supervision items,
 * overdue measures, the region and the departments' names. Counting rules and the roll-up:
 * docs/READING.md.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import type { RegionLevel } from '../../core/regions';
import { SqlParams } from '../../core/sql';
import { inTransaction } from '../../db/transaction';
import { ClueEvent, clueMachine } from '../clue/clue.machine';
import { DepartmentKind } from '../reference/department.entity';
import { SupervisionEvent, supervisionMachine } from '../supervision/supervision.machine';
import { transferMachine } from '../transfer/transfer.machine';
import { hitVerificationMachine } from '../collision/hit-verification.machine';
import { measureMachine } from '../problem/measure.machine';
import { recheckMachine } from '../problem/recheck.machine';
import { statesFiring } from '../../workflow/machine';

type Db = DataSource | EntityManager;

export type EventKind =
  | 'CLUE_CREATED'
  | 'CLUE_ROUTED'
  | 'TRANSFER_REQUESTED'
  | 'TRANSFER_ACCEPTED'
  | 'TRANSFER_RETURNED'
  | 'TRANSFER_OVERDUE'
  | 'CASE_FILED'
  | 'CASE_CLOSED'
  | 'SANCTION'
  | 'RECOVERED'
  | 'HIT_DETECTED'
  | 'HIT_VERIFIED'
  | 'PROBLEM_FOUND'
  | 'PROBLEM_CLOSED'
  | 'RECHECK_PASSED'
  | 'RECHECK_RECURRED'
  | 'CLUE_CONCLUDED'
  | 'CLUE_CONCLUDED_TO_CASE'
  | 'VOLUNTARY_REFUND'
  | 'PATIENT_REFUND';

/** Which GROUPING SET a row belongs to: GROUPING(sub, dept, month) of the query below. */
export const SET_TOTAL = 7;
export const SET_SUB = 3;
export const SET_DEPT = 5;
export const SET_MONTH = 6;
export const SET_SUB_DEPT = 1;
export const SET_SUB_MONTH = 2;

export interface AggregateRow {
  kind: EventKind;
  sub: string | null;
  dept: string | null;
  month: string | null;
  g: number;
  n: number;
  first: number;
  amount: string;
  days: number | null;
}

/**
 * Scope ($1 = LIKE pattern of the region's jurisdiction, $4 = its departments' ids): a clue or
 * case is in scope when its institution's region (region_code) or its owning department lies in
 * the region; an event is also in scope when the department that is party to it (routed to,
 * sender, receiver) does.
 * Department tests come first so that region-wide queries rarely look the clue up.
 */
const inScopeDep = (column: string) => `${column} = ANY($4::uuid[])`;
const clueInScope = (c: string) => `(${inScopeDep(`${c}.owner_department_id`)} OR ${c}.region_code LIKE $1)`;
const clueIdInScope = (id: string) => `EXISTS (SELECT 1 FROM clue sc WHERE sc.id = ${id} AND ${clueInScope('sc')})`;
const caseInScope = (k: string) =>
  `(${inScopeDep(`${k}.owner_department_id`)} OR ${k}.region_code LIKE $1
    OR EXISTS (SELECT 1 FROM case_clue kc JOIN clue kcc ON kcc.id = kc.clue_id
      WHERE kc.case_id = ${k}.id AND kcc.region_code LIKE $1))`;
/** A problem: its region (the institution's, else the subject's, else the responsible department's) or its responsible department. */
const problemInScope = (p: string) => `(${inScopeDep(`${p}.responsible_department_id`)} OR ${p}.region_code LIKE $1)`;
const transferInScope = (t: string) =>
  `(${inScopeDep(`${t}.from_department_id`)} OR ${inScopeDep(`${t}.to_department_id`)}
    OR ${clueIdInScope(`${t}.clue_id`)})`;
/**
 * The states and events the figures read, from the machines (never copied lists), as the
 * parameters after the scope and window ($5…) of EVENTS_SQL and SUPERVISION_SQL.
 */
export const EVENTS_MACHINE_PARAMETERS = [
  /* $5: a transfer was answered once it left the states ACCEPT fires from */
  statesFiring(transferMachine, 'ACCEPT'),
  /* $6 */ transferMachine.events.RETURN.to,
  /* $7: a clue closed with a recovered amount */ clueMachine.events.CLOSE.to,
  /* $8, $9: routing on the clue timeline */ 'ROUTE' satisfies ClueEvent,
  clueMachine.entity,
  /* $10: a hit not verified yet */ hitVerificationMachine.creation.DETECT.to,
  /* $11: the verdicts (初核结论) on the clue timeline */ [
    'CONCLUDE_SUBSTANTIATED',
    'CONCLUDE_UNSUBSTANTIATED',
  ] satisfies ClueEvent[],
  /* $12, $13: the results of a recheck */ recheckMachine.events.PASS.to,
  recheckMachine.events.RECUR.to,
];
export const SUPERVISION_MACHINE_PARAMETERS = [
  /* $5 */ supervisionMachine.events.CANCEL.to,
  /* $6, $7: the cancellation on the item's timeline */ 'CANCEL' satisfies SupervisionEvent,
  supervisionMachine.entity,
];

/** $2, $3: the window [lo, hi) as timestamptz. */
const inWindow = (column: string) => `${column} >= $2 AND ${column} < $3`;

interface EventSource {
  kind: string;
  sub?: string;
  /** The event's moment; absent for a figure of the whole window. */
  at?: string;
  dept?: string;
  amount?: string;
  days?: string;
  /** What one row counts (default count(*)). */
  count?: string;
  /** Which rows are the first of their subject in the window (default all): figures of distinct things. */
  first?: string;
  /** FROM … WHERE …: the rows of this kind of event in the window and the scope. */
  from: string;
}

/** One kind of event, aggregated where it is read: (kind, sub, dept, Shanghai month) → n, first, Σ amount, Σ days. */
const aggregated = (e: EventSource) => `
    SELECT ${e.kind}::text AS kind, ${e.sub ?? 'NULL'}::text AS sub, ${e.dept ?? 'NULL'}::uuid AS dept,
           ${e.at ? `date_trunc('month', ${e.at} AT TIME ZONE '${TIME_ZONE}')` : 'NULL::timestamp'} AS month,
           ${e.count ?? 'count(*)'} AS n,
           ${e.first ? `count(*) FILTER (WHERE ${e.first})` : (e.count ?? 'count(*)')} AS n_first,
           sum(${e.amount ?? 'NULL::numeric'}) AS amount,
           sum(${e.days ?? 'NULL::float8'}) AS days_sum,
           count(${e.days ?? 'NULL'}) AS days_n
    ${e.from}
    GROUP BY 1, 2, 3, 4`;

/**
 * A transfer's missed deadlines in the window (accept, then feedback: the feedback deadline is
 * always the later one), one row per transfer and month, `first` on the earliest: counting
 * rows per month and `first` rows overall counts each overdue transfer once.
 */
const MISSED_DEADLINES = `FROM clue_transfer t
      CROSS JOIN LATERAL (SELECT
        ${inWindow('t.accept_deadline')} AND t.accept_deadline < now()
          AND (t.responded_at IS NULL OR t.responded_at > t.accept_deadline) AS accept,
        coalesce(${inWindow('t.feedback_deadline')} AND t.feedback_deadline < now()
          AND (t.feedback_at IS NULL OR t.feedback_at > t.feedback_deadline), false) AS feedback) miss
      CROSS JOIN LATERAL (VALUES
        (t.accept_deadline, miss.accept, true, true),
        (t.feedback_deadline, miss.feedback, NOT miss.accept,
         NOT (miss.accept AND date_trunc('month', t.accept_deadline AT TIME ZONE '${TIME_ZONE}')
                            = date_trunc('month', t.feedback_deadline AT TIME ZONE '${TIME_ZONE}')))
      ) d (deadline, missed, first, new_month)
      WHERE (miss.accept OR miss.feedback) AND d.missed AND d.new_month AND ${transferInScope('t')}`;

/** Every dated event of the window (the sources of each figure: docs/READING.md). */
const EVENT_SOURCES: EventSource[] = [
  {
    kind: `'CLUE_CREATED'`,
    at: 'c.created_at',
    dept: 'c.owner_department_id',
    from: `FROM clue c WHERE ${inWindow('c.created_at')} AND ${clueInScope('c')}`,
  },
  {
    kind: `'CLUE_ROUTED'`,
    at: 's.at',
    dept: 'r.dept',
    from: `FROM state_change s
      CROSS JOIN LATERAL (SELECT coalesce((s.detail->>'departmentId')::uuid,
                                          (SELECT rc.owner_department_id FROM clue rc
                                            WHERE rc.id = s.entity_id)) AS dept) r
      WHERE s.entity_type = $9::text AND s.event = $8::text AND ${inWindow('s.at')}
        AND (${inScopeDep('r.dept')} OR ${clueIdInScope('s.entity_id')})`,
  },
  {
    kind: `'TRANSFER_REQUESTED'`,
    at: 't.requested_at',
    dept: 't.from_department_id',
    from: `FROM clue_transfer t WHERE ${inWindow('t.requested_at')} AND ${transferInScope('t')}`,
  },
  {
    kind: `CASE WHEN t.status = $6::text THEN 'TRANSFER_RETURNED' ELSE 'TRANSFER_ACCEPTED' END`,
    at: 't.responded_at',
    dept: 't.to_department_id',
    days: 'extract(epoch FROM t.responded_at - t.requested_at)::float8 / 86400',
    from: `FROM clue_transfer t
      WHERE ${inWindow('t.responded_at')} AND t.status <> ALL($5::text[])
        AND ${transferInScope('t')}`,
  },
  {
    kind: `'TRANSFER_OVERDUE'`,
    at: 'd.deadline',
    dept: 't.to_department_id',
    first: 'd.first',
    from: MISSED_DEADLINES,
  },
  {
    kind: `'CASE_FILED'`,
    at: 'k.filed_at',
    dept: 'k.owner_department_id',
    from: `FROM "case" k WHERE ${inWindow('k.filed_at')} AND ${caseInScope('k')}`,
  },
  {
    kind: `'CASE_CLOSED'`,
    at: 'k.closed_at',
    dept: 'k.owner_department_id',
    from: `FROM "case" k WHERE ${inWindow('k.closed_at')} AND ${caseInScope('k')}`,
  },
  {
    kind: `'SANCTION'`,
    sub: 's.kind',
    at: 's.decided_at',
    dept: 'k.owner_department_id',
    from: `FROM sanction s JOIN "case" k ON k.id = s.case_id WHERE ${inWindow('s.decided_at')} AND ${caseInScope('k')}`,
  },
  {
    kind: `'RECOVERED'`,
    at: 's.decided_at',
    dept: 'k.owner_department_id',
    amount: 's.amount',
    from: `FROM sanction s JOIN "case" k ON k.id = s.case_id
      WHERE ${inWindow('s.decided_at')} AND s.kind = 'FUND_RECOVERY' AND ${caseInScope('k')}`,
  },
  {
    kind: `'RECOVERED'`,
    at: 'c.closed_at',
    dept: 'c.owner_department_id',
    amount: 'c.recovered_amount',
    from: `FROM clue c
      WHERE ${inWindow('c.closed_at')} AND c.status = $7::text AND c.recovered_amount IS NOT NULL
        AND ${clueInScope('c')}`,
  },
  // ---- the outcome loop (PRODUCT.md §9) ----
  {
    kind: `'HIT_DETECTED'`,
    at: 'h.created_at',
    dept: 'hc.owner_department_id',
    from: `FROM collision_hit h LEFT JOIN clue hc ON hc.id = h.clue_id
      WHERE ${inWindow('h.created_at')} AND h.region_code LIKE $1`,
  },
  {
    kind: `'HIT_VERIFIED'`,
    at: 'h.created_at',
    dept: 'hc.owner_department_id',
    from: `FROM collision_hit h LEFT JOIN clue hc ON hc.id = h.clue_id
      WHERE ${inWindow('h.created_at')} AND h.region_code LIKE $1 AND h.verification <> $10::text`,
  },
  {
    kind: `'PROBLEM_FOUND'`,
    at: 'p.created_at',
    dept: 'p.responsible_department_id',
    from: `FROM problem p WHERE ${inWindow('p.created_at')} AND ${problemInScope('p')}`,
  },
  {
    kind: `'PROBLEM_CLOSED'`,
    at: 'p.closed_at',
    dept: 'p.responsible_department_id',
    from: `FROM problem p WHERE ${inWindow('p.closed_at')} AND ${problemInScope('p')}`,
  },
  {
    kind: `CASE WHEN r.status = $12::text THEN 'RECHECK_PASSED' ELSE 'RECHECK_RECURRED' END`,
    at: 'r.completed_at',
    dept: 'p.responsible_department_id',
    from: `FROM recheck r JOIN problem p ON p.id = r.problem_id
      WHERE ${inWindow('r.completed_at')} AND r.status IN ($12::text, $13::text) AND ${problemInScope('p')}`,
  },
  {
    // 自查自纠 refunds: reports recorded in the window for institutions of the region, by the recording department.
    kind: `'VOLUNTARY_REFUND'`,
    at: 'sr.recorded_at',
    dept: 'sr.department_id',
    amount: 'sr.voluntary_refund',
    from: `FROM self_check_report sr JOIN institution si ON si.code = sr.institution_code
      WHERE ${inWindow('sr.recorded_at')} AND si.region_code LIKE $1`,
  },
  {
    kind: `'PATIENT_REFUND'`,
    at: 'sr.recorded_at',
    dept: 'sr.department_id',
    amount: 'sr.patient_refund',
    from: `FROM self_check_report sr JOIN institution si ON si.code = sr.institution_code
      WHERE ${inWindow('sr.recorded_at')} AND si.region_code LIKE $1`,
  },
  {
    // Each clue once, at its first verdict in the window; to a case: filed into one (by now).
    kind: 'k.kind',
    at: 'v.at',
    dept: 'v.owner_department_id',
    from: `FROM (
        SELECT DISTINCT ON (s.entity_id) s.at, c.owner_department_id,
               EXISTS (SELECT 1 FROM case_clue kc WHERE kc.clue_id = c.id) AS to_case
        FROM state_change s JOIN clue c ON c.id = s.entity_id
        WHERE s.entity_type = $9::text AND s.event = ANY($11::text[]) AND ${inWindow('s.at')} AND ${clueInScope('c')}
        ORDER BY s.entity_id, s.at) v
      CROSS JOIN LATERAL (VALUES ('CLUE_CONCLUDED'), (CASE WHEN v.to_case THEN 'CLUE_CONCLUDED_TO_CASE' END)) k (kind)
      WHERE k.kind IS NOT NULL`,
  },
];

/**
 * Pre-aggregated rows (kind, sub, dept, month: 'YYYY-MM' → n, n_first, amount, days_sum,
 * days_n) rolled up into totals, sub-kinds, departments and months, and sub-kinds per
 * department and per month. `n` counts events; `first` counts each overdue transfer once (used
 * for totals and departments; months use `n`, one row per transfer and month).
 */
const grouped = (pre: string) => `
  WITH pre AS (${pre})
  SELECT kind, sub, dept, month, GROUPING(sub, dept, month)::int AS g, coalesce(sum(n), 0)::int AS n,
         coalesce(sum(n_first), 0)::int AS first, coalesce(sum(amount), 0)::text AS amount,
         round((sum(days_sum) / nullif(sum(days_n), 0))::numeric, 2)::float8 AS days
  FROM pre
  GROUP BY GROUPING SETS ((kind), (kind, sub), (kind, dept), (kind, month), (kind, sub, dept), (kind, sub, month))`;

/**
 * The direct aggregation: every event of the window read from the workflow tables, aggregated
 * per source, then rolled up (the reference the roll-up is tested against).
 */
export const EVENTS_SQL = grouped(`
    SELECT kind, sub, dept, to_char(month, 'YYYY-MM') AS month, n, n_first, amount, days_sum, days_n
    FROM (${EVENT_SOURCES.map(aggregated).join('\n    UNION ALL')}) e`);

// ---- the daily roll-up (docs/READING.md, "Roll-up") ----

/** A department joined for its region (the scope regions of an event). */
const withDept = (alias: string, id: string) => `LEFT JOIN department ${alias} ON ${alias}.id = ${id}`;
/** The clues' owners (`od`) and the transfers' parties (`fd`, `td`) joined by their sources below. */
const clueRegions = (c: string) => [`${c}.region_code`, 'od.region_code'];
const transferRegions = ['fd.region_code', 'td.region_code', ...clueRegions('tc')];
const transferFrom = `FROM clue_transfer t LEFT JOIN clue tc ON tc.id = t.clue_id ${withDept('od', 'tc.owner_department_id')}
      ${withDept('fd', 't.from_department_id')} ${withDept('td', 't.to_department_id')}`;
/** A case's clues' regions (an array: a case may have several). */
const caseClueRegions = (k: string) =>
  `ARRAY(SELECT kcc.region_code FROM case_clue kc JOIN clue kcc ON kcc.id = kc.clue_id WHERE kc.case_id = ${k}.id ORDER BY 1)`;
/** A Shanghai calendar day. */
const dayOf = (at: string) => `(${at} AT TIME ZONE '${TIME_ZONE}')::date`;
/** $1, $2: the days recomputed, [lo, hi) as timestamptz. */
const inDays = (column: string) => `${column} >= $1 AND ${column} < $2`;

interface RollupSource {
  kind: string;
  sub?: string;
  /** The event's moment. */
  at: string;
  dept?: string;
  /** A related day the reading needs (see stats_daily.ref_day). */
  refDay?: string;
  /** The region codes the event is in scope of (scalar expressions; NULLs are dropped). */
  regions: string[];
  /** More of them, as one text[] expression. */
  moreRegions?: string;
  amount?: string;
  days?: string;
  from: string;
}

/**
 * One kind of event per (kind, sub, dept, day, ref_day, regions): grouped first by the raw
 * region columns, then by their normalized set (distinct, sorted), so that the normalization
 * runs per group, not per event.
 */
const rolled = (e: RollupSource) => {
  const regions = e.regions.map((r, i) => `${r}::text AS r${i}`).join(', ');
  const columns = e.regions.map((_r, i) => `r${i}`);
  return `
    SELECT kind, sub, dept, day, ref_day,
           stats_regions(ARRAY[${columns.join(', ')}]${e.moreRegions ? ' || more' : ''}) AS regions,
           sum(n)::int AS n, sum(amount) AS amount, sum(days_sum) AS days_sum, sum(days_n)::int AS days_n
    FROM (
      SELECT ${e.kind}::text AS kind, ${e.sub ?? 'NULL'}::text AS sub, ${e.dept ?? 'NULL'}::uuid AS dept,
             ${dayOf(e.at)} AS day, ${e.refDay ?? 'NULL'}::date AS ref_day, ${regions},
             ${e.moreRegions ? `${e.moreRegions} AS more,` : ''}
             count(*) AS n, sum(${e.amount ?? 'NULL::numeric'}) AS amount,
             sum(${e.days ?? 'NULL::float8'}) AS days_sum, count(${e.days ?? 'NULL'}) AS days_n
      ${e.from}
      GROUP BY ${[1, 2, 3, 4, 5, ...columns.map((_c, i) => 6 + i), ...(e.moreRegions ? [6 + columns.length] : [])].join(', ')}
    ) g
    GROUP BY 1, 2, 3, 4, 5, 6`;
};

/**
 * The events of the days recomputed, written independently of EVENT_SOURCES (the property
 * test compares the two): instead of a scope test, each row carries the regions it is in
 * scope of. Parameters after the days ($3…) are EVENTS_MACHINE_PARAMETERS.
 */
const ROLLUP_SOURCES: RollupSource[] = [
  {
    kind: `'CLUE_CREATED'`,
    at: 'c.created_at',
    dept: 'c.owner_department_id',
    regions: clueRegions('c'),
    from: `FROM clue c ${withDept('od', 'c.owner_department_id')} WHERE ${inDays('c.created_at')}`,
  },
  {
    kind: `'CLUE_ROUTED'`,
    at: 's.at',
    dept: 'r.dept',
    regions: ['rd.region_code', ...clueRegions('rc')],
    from: `FROM state_change s LEFT JOIN clue rc ON rc.id = s.entity_id ${withDept('od', 'rc.owner_department_id')}
      CROSS JOIN LATERAL (SELECT coalesce((s.detail->>'departmentId')::uuid, rc.owner_department_id) AS dept) r
      ${withDept('rd', 'r.dept')}
      WHERE s.entity_type = $7::text AND s.event = $6::text AND ${inDays('s.at')}`,
  },
  {
    kind: `'TRANSFER_REQUESTED'`,
    at: 't.requested_at',
    dept: 't.from_department_id',
    regions: transferRegions,
    from: `${transferFrom} WHERE ${inDays('t.requested_at')}`,
  },
  {
    kind: `CASE WHEN t.status = $4::text THEN 'TRANSFER_RETURNED' ELSE 'TRANSFER_ACCEPTED' END`,
    at: 't.responded_at',
    dept: 't.to_department_id',
    regions: transferRegions,
    days: 'extract(epoch FROM t.responded_at - t.requested_at)::float8 / 86400',
    from: `${transferFrom} WHERE ${inDays('t.responded_at')} AND t.status <> ALL($3::text[])`,
  },
  {
    // A missed accept deadline.
    kind: `'TRANSFER_OVERDUE'`,
    at: 't.accept_deadline',
    dept: 't.to_department_id',
    regions: transferRegions,
    from: `${transferFrom}
      WHERE ${inDays('t.accept_deadline')} AND t.accept_deadline < now()
        AND (t.responded_at IS NULL OR t.responded_at > t.accept_deadline)`,
  },
  {
    // A missed feedback deadline; ref_day: the day of the same transfer's missed accept deadline.
    kind: `'TRANSFER_OVERDUE'`,
    at: 't.feedback_deadline',
    dept: 't.to_department_id',
    refDay: `CASE WHEN t.accept_deadline < now() AND (t.responded_at IS NULL OR t.responded_at > t.accept_deadline)
                  THEN ${dayOf('t.accept_deadline')} END`,
    regions: transferRegions,
    from: `${transferFrom}
      WHERE ${inDays('t.feedback_deadline')} AND t.feedback_deadline < now()
        AND (t.feedback_at IS NULL OR t.feedback_at > t.feedback_deadline)`,
  },
  {
    kind: `'CASE_FILED'`,
    at: 'k.filed_at',
    dept: 'k.owner_department_id',
    regions: ['k.region_code', 'od.region_code'],
    moreRegions: caseClueRegions('k'),
    from: `FROM "case" k ${withDept('od', 'k.owner_department_id')} WHERE ${inDays('k.filed_at')}`,
  },
  {
    kind: `'CASE_CLOSED'`,
    at: 'k.closed_at',
    dept: 'k.owner_department_id',
    regions: ['k.region_code', 'od.region_code'],
    moreRegions: caseClueRegions('k'),
    from: `FROM "case" k ${withDept('od', 'k.owner_department_id')} WHERE ${inDays('k.closed_at')}`,
  },
  {
    kind: `'SANCTION'`,
    sub: 's.kind',
    at: 's.decided_at',
    dept: 'k.owner_department_id',
    regions: ['k.region_code', 'od.region_code'],
    moreRegions: caseClueRegions('k'),
    from: `FROM sanction s JOIN "case" k ON k.id = s.case_id ${withDept('od', 'k.owner_department_id')}
      WHERE ${inDays('s.decided_at')}`,
  },
  {
    kind: `'RECOVERED'`,
    at: 's.decided_at',
    dept: 'k.owner_department_id',
    amount: 's.amount',
    regions: ['k.region_code', 'od.region_code'],
    moreRegions: caseClueRegions('k'),
    from: `FROM sanction s JOIN "case" k ON k.id = s.case_id ${withDept('od', 'k.owner_department_id')}
      WHERE ${inDays('s.decided_at')} AND s.kind = 'FUND_RECOVERY'`,
  },
  {
    kind: `'RECOVERED'`,
    at: 'c.closed_at',
    dept: 'c.owner_department_id',
    amount: 'c.recovered_amount',
    regions: clueRegions('c'),
    from: `FROM clue c ${withDept('od', 'c.owner_department_id')}
      WHERE ${inDays('c.closed_at')} AND c.status = $5::text AND c.recovered_amount IS NOT NULL`,
  },
  {
    kind: `'HIT_DETECTED'`,
    at: 'h.created_at',
    dept: 'hc.owner_department_id',
    regions: ['h.region_code'],
    from: `FROM collision_hit h LEFT JOIN clue hc ON hc.id = h.clue_id WHERE ${inDays('h.created_at')}`,
  },
  {
    kind: `'HIT_VERIFIED'`,
    at: 'h.created_at',
    dept: 'hc.owner_department_id',
    regions: ['h.region_code'],
    from: `FROM collision_hit h LEFT JOIN clue hc ON hc.id = h.clue_id
      WHERE ${inDays('h.created_at')} AND h.verification <> $8::text`,
  },
  {
    kind: `'PROBLEM_FOUND'`,
    at: 'p.created_at',
    dept: 'p.responsible_department_id',
    regions: ['p.region_code', 'rd.region_code'],
    from: `FROM problem p ${withDept('rd', 'p.responsible_department_id')} WHERE ${inDays('p.created_at')}`,
  },
  {
    kind: `'PROBLEM_CLOSED'`,
    at: 'p.closed_at',
    dept: 'p.responsible_department_id',
    regions: ['p.region_code', 'rd.region_code'],
    from: `FROM problem p ${withDept('rd', 'p.responsible_department_id')} WHERE ${inDays('p.closed_at')}`,
  },
  {
    kind: `CASE WHEN r.status = $10::text THEN 'RECHECK_PASSED' ELSE 'RECHECK_RECURRED' END`,
    at: 'r.completed_at',
    dept: 'p.responsible_department_id',
    regions: ['p.region_code', 'rd.region_code'],
    from: `FROM recheck r JOIN problem p ON p.id = r.problem_id ${withDept('rd', 'p.responsible_department_id')}
      WHERE ${inDays('r.completed_at')} AND r.status IN ($10::text, $11::text)`,
  },
  {
    kind: `'VOLUNTARY_REFUND'`,
    at: 'sr.recorded_at',
    dept: 'sr.department_id',
    amount: 'sr.voluntary_refund',
    regions: ['si.region_code'],
    from: `FROM self_check_report sr JOIN institution si ON si.code = sr.institution_code
      WHERE ${inDays('sr.recorded_at')}`,
  },
  {
    kind: `'PATIENT_REFUND'`,
    at: 'sr.recorded_at',
    dept: 'sr.department_id',
    amount: 'sr.patient_refund',
    regions: ['si.region_code'],
    from: `FROM self_check_report sr JOIN institution si ON si.code = sr.institution_code
      WHERE ${inDays('sr.recorded_at')}`,
  },
  {
    // Every verdict; ref_day: the day of the clue's previous verdict. A reading counts the
    // verdicts whose previous one is outside its window: each clue once, at its first verdict.
    kind: 'k.kind',
    at: 's.at',
    dept: 'c.owner_department_id',
    refDay: dayOf('pv.at'),
    regions: clueRegions('c'),
    from: `FROM state_change s JOIN clue c ON c.id = s.entity_id ${withDept('od', 'c.owner_department_id')}
      CROSS JOIN LATERAL (SELECT max(p.at) AS at FROM state_change p
        WHERE p.entity_type = s.entity_type AND p.entity_id = s.entity_id AND p.event = ANY($9::text[]) AND p.at < s.at) pv
      CROSS JOIN LATERAL (VALUES ('CLUE_CONCLUDED'),
        (CASE WHEN EXISTS (SELECT 1 FROM case_clue kc WHERE kc.clue_id = c.id) THEN 'CLUE_CONCLUDED_TO_CASE' END)) k (kind)
      WHERE s.entity_type = $7::text AND s.event = ANY($9::text[]) AND ${inDays('s.at')} AND k.kind IS NOT NULL`,
  },
];

/**
 * The points of the persons $1 (text[]; NULL: every person sanctioned): every (person, scope
 * prefix, day) a person was sanctioned in that scope — the 2-, 4- and 6-digit prefixes of the
 * sanction's scope regions, so a reading takes its jurisdiction's rows by index — for all
 * departments (per_dept false) and per case owner, with the latest earlier such day (`prev`,
 * NULL: none; per case owner: by the same owner).
 */
const personPoints = `
  WITH days AS MATERIALIZED (
    SELECT DISTINCT s.person_id, x.prefix, k.owner_department_id AS dept, ${dayOf('s.decided_at')} AS day
    FROM (SELECT DISTINCT person_id FROM sanction WHERE $1::text[] IS NULL AND person_id IS NOT NULL
          UNION SELECT unnest($1::text[])) p
      CROSS JOIN LATERAL (SELECT * FROM sanction s WHERE s.person_id = p.person_id AND s.person_id IS NOT NULL) s
      JOIN "case" k ON k.id = s.case_id ${withDept('od', 'k.owner_department_id')}
      CROSS JOIN LATERAL unnest(stats_prefixes(ARRAY[k.region_code, od.region_code]::text[] || ${caseClueRegions('k')}::text[])) x (prefix))
  SELECT person_id, prefix, false AS per_dept, NULL::uuid AS dept, day,
         lag(day) OVER (PARTITION BY person_id, prefix ORDER BY day) AS prev
  FROM (SELECT DISTINCT person_id, prefix, day FROM days) t
  UNION ALL
  SELECT person_id, prefix, true, dept, day, lag(day) OVER (PARTITION BY person_id, prefix, dept ORDER BY day) FROM days`;

/** Rebuild: every person's points, then their counts by day and by month. */
export const ROLLUP_PERSONS_BUILD_SQL = [
  `INSERT INTO stats_person_point (person_id, prefix, per_dept, dept, day, prev) ${personPoints}`,
  `INSERT INTO stats_person_daily (prefix, per_dept, dept, day, prev, n)
   SELECT prefix, per_dept, dept, day, prev, count(*)::int FROM stats_person_point GROUP BY 1, 2, 3, 4, 5`,
  `INSERT INTO stats_person_monthly (prefix, per_dept, dept, month, prev_month, n)
   SELECT prefix, per_dept, dept, date_trunc('month', day)::date, date_trunc('month', prev)::date, count(*)::int
   FROM stats_person_point GROUP BY 1, 2, 3, 4, 5`,
];

/**
 * The persons $1 (text[]) changed: their points replaced, and the counts by day and by month
 * adjusted by the difference (−1 per old point, +1 per new one). Counts that drop to 0 stay
 * (they add nothing).
 */
export const ROLLUP_PERSONS_UPDATE_SQL = `
  WITH old AS (DELETE FROM stats_person_point WHERE person_id = ANY($1::text[])
               RETURNING prefix, per_dept, dept, day, prev),
  new AS (INSERT INTO stats_person_point (person_id, prefix, per_dept, dept, day, prev) ${personPoints}
          RETURNING prefix, per_dept, dept, day, prev),
  delta AS (
    SELECT prefix, per_dept, dept, day, prev, sum(d)::int AS d
    FROM (SELECT *, -1 AS d FROM old UNION ALL SELECT *, 1 FROM new) x
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0),
  daily AS (
    INSERT INTO stats_person_daily AS t (prefix, per_dept, dept, day, prev, n)
    SELECT prefix, per_dept, dept, day, prev, d FROM delta
    ON CONFLICT (prefix, day, per_dept, dept, prev) DO UPDATE SET n = t.n + excluded.n)
  INSERT INTO stats_person_monthly AS t (prefix, per_dept, dept, month, prev_month, n)
  SELECT prefix, per_dept, dept, date_trunc('month', day)::date, date_trunc('month', prev)::date, sum(d)::int
  FROM delta GROUP BY 1, 2, 3, 4, 5
  ON CONFLICT (prefix, month, per_dept, dept, prev_month) DO UPDATE SET n = t.n + excluded.n`;

/**
 * The supervision items' changes on the days [$1, $2) ($3: the cancelled state, $4: the
 * CANCEL event, $5: the items' entity name), per scope prefix, assigned department and day.
 * With c, d, f the days of creation, deadline and finish (completion or cancellation, the
 * earliest; none: never), an item is open at the boundary before day D when c < D ≤ min(f, d)
 * and overdue when max(c, d) < D ≤ f — the direct reading's "created before the end, not
 * finished before it, deadline before it or not" at a day boundary — so it adds +1 open on c
 * and −1 on min(f, d) (when later than c), +1 overdue on max(c, d) and −1 on f (when later).
 * COMPLETED counts completions on their day (ref_day: the creation day when later). An item
 * is recomputed when one of its moments lies in the days (stats_item_moments).
 */
export const ROLLUP_SUPERVISION_INSERT_SQL = `
  WITH candidates AS MATERIALIZED (
    SELECT id FROM supervision_item WHERE ${inDays('created_at')}
    UNION SELECT id FROM supervision_item WHERE ${inDays('deadline')}
    UNION SELECT id FROM supervision_item WHERE ${inDays('completed_at')}
    UNION SELECT entity_id FROM state_change WHERE entity_type = $5::text AND event = $4::text AND ${inDays('at')})
  INSERT INTO stats_supervision_daily (prefix, kind, dept, day, ref_day, n)
  SELECT x.prefix, e.kind, i.dept, e.day, e.ref_day, sum(e.n)::int
  FROM (
    SELECT s.assigned_to_department_id AS dept, ${dayOf('s.created_at')} AS c, ${dayOf('s.deadline')} AS d,
           ${dayOf('s.completed_at')} AS done,
           ${dayOf(`least(s.completed_at, CASE WHEN s.status = $3::text THEN coalesce(
             (SELECT min(sc.at) FROM state_change sc WHERE sc.entity_type = $5::text AND sc.entity_id = s.id
                AND sc.event = $4::text), '-infinity') END)`)} AS f,
           stats_prefixes(ARRAY[ad.region_code, c.region_code, cod.region_code, k.region_code, kod.region_code,
             fd.region_code, td.region_code, tc.region_code, tcod.region_code]::text[]
             || CASE WHEN k.id IS NOT NULL THEN ${caseClueRegions('k')}::text[] ELSE '{}' END) AS prefixes
    FROM candidates ca JOIN supervision_item s ON s.id = ca.id
    JOIN department ad ON ad.id = s.assigned_to_department_id
    LEFT JOIN clue c ON c.id = s.clue_id ${withDept('cod', 'c.owner_department_id')}
    LEFT JOIN "case" k ON k.id = s.case_id ${withDept('kod', 'k.owner_department_id')}
    LEFT JOIN clue_transfer t ON t.id = s.transfer_id ${withDept('fd', 't.from_department_id')}
      ${withDept('td', 't.to_department_id')}
    LEFT JOIN clue tc ON tc.id = t.clue_id ${withDept('tcod', 'tc.owner_department_id')}
  ) i
  CROSS JOIN LATERAL (SELECT least(i.f, i.d) AS m, greatest(i.c, i.d) AS o) b
  CROSS JOIN LATERAL (VALUES
    ('OPEN', i.c, NULL::date, CASE WHEN b.m > i.c THEN 1 END),
    ('OPEN', b.m, NULL, CASE WHEN b.m > i.c THEN -1 END),
    ('OVERDUE', b.o, NULL, CASE WHEN i.f IS NULL OR i.f > b.o THEN 1 END),
    ('OVERDUE', i.f, NULL, CASE WHEN i.f > b.o THEN -1 END),
    ('COMPLETED', i.done, CASE WHEN i.c > i.done THEN i.c END, CASE WHEN i.done IS NOT NULL THEN 1 END)
  ) e (kind, day, ref_day, n)
  CROSS JOIN LATERAL unnest(i.prefixes) x (prefix)
  WHERE e.n IS NOT NULL AND e.day >= ${dayOf('$1::timestamptz')} AND e.day < ${dayOf('$2::timestamptz')}
  GROUP BY 1, 2, 3, 4, 5
  HAVING sum(e.n) <> 0`;

export const ROLLUP_SUPERVISION_PARAMETERS = [
  /* $3 */ supervisionMachine.events.CANCEL.to,
  /* $4, $5: the cancellation on the item's timeline */ 'CANCEL' satisfies SupervisionEvent,
  supervisionMachine.entity,
];

/**
 * The supervision items from the roll-up for a prefix ($1) and the days $2 … $3: the changes
 * before the window (month NULL) and those of each month of the window, per kind and
 * department (the stocks at each end are their running sums: stats.service.ts), completions in
 * the window only.
 */
export const ROLLUP_SUPERVISION_SQL = `
  SELECT kind, dept, CASE WHEN day >= $2::date THEN to_char(day, 'YYYY-MM') END AS month, sum(n)::int AS n
  FROM stats_supervision_daily
  WHERE prefix = $1 AND day <= $3::date
    AND (kind <> 'COMPLETED' OR (day >= $2::date AND (ref_day IS NULL OR ref_day <= $3::date)))
  GROUP BY 1, 2, 3`;

export interface SupervisionChangeRow {
  kind: 'OPEN' | 'OVERDUE' | 'COMPLETED';
  dept: string;
  /** NULL: before the window. */
  month: string | null;
  n: number;
}

/**
 * In scope of a region: one of the row's scope regions starts with the prefix ($1, the
 * jurisdiction's digits). One string match rather than one per element.
 */
const rowInScope = `(',' || array_to_string(regions, ',')) LIKE '%,' || $1::text || '%'`;

/**
 * Distinct persons sanctioned from the roll-up ($1 jurisdiction prefix, $2 … $3 days), as
 * PERSONS_SQL: a person counts in a period once, on its first day in it — the day whose previous
 * day lies before the period. Whole months of the window are read by month (their previous
 * month before the window's first month; for a window starting mid-month, the previous days
 * between that month's start and the window's start by day); the days of partial months by day.
 * No distinct count: the rows read are bounded by the calendar and the departments, except the
 * partial months' days.
 */
export const ROLLUP_PERSONS_SQL = `
  WITH b AS (
    SELECT $2::date AS lo, $3::date AS hi, date_trunc('month', $2::date)::date AS fm,
           CASE WHEN $2::date = date_trunc('month', $2::date)::date THEN $2::date
                ELSE (date_trunc('month', $2::date) + interval '1 month')::date END AS ws,
           date_trunc('month', $3::date + 1)::date AS we),
  parts AS (
    SELECT m.per_dept, m.dept, m.month,
           sum(m.n) FILTER (WHERE m.prev_month IS NULL OR m.prev_month < b.fm) AS n_window,
           sum(m.n) FILTER (WHERE m.prev_month IS NULL OR m.prev_month < m.month) AS n_month
    FROM stats_person_monthly m, b WHERE m.prefix = $1 AND m.month >= b.ws AND m.month < b.we
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT d.per_dept, d.dept, date_trunc('month', d.day)::date, sum(d.n), 0
    FROM stats_person_daily d, b
    WHERE d.prefix = $1 AND d.prev >= b.fm AND d.prev < b.lo AND d.day >= b.ws AND d.day < b.we
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT d.per_dept, d.dept, date_trunc('month', d.day)::date,
           sum(d.n) FILTER (WHERE d.prev IS NULL OR d.prev < b.lo),
           sum(d.n) FILTER (WHERE d.prev IS NULL OR d.prev < greatest(date_trunc('month', d.day)::date, b.lo))
    FROM stats_person_daily d, b
    WHERE d.prefix = $1 AND d.day >= b.lo AND d.day <= b.hi AND NOT (d.day >= b.ws AND d.day < b.we)
    GROUP BY 1, 2, 3)
  SELECT dept, to_char(month, 'YYYY-MM') AS month, g, n FROM (
    SELECT NULL::uuid AS dept, NULL::date AS month, 3 AS g, coalesce(sum(n_window), 0)::int AS n FROM parts WHERE NOT per_dept
    UNION ALL SELECT dept, NULL, 1, coalesce(sum(n_window), 0)::int FROM parts WHERE per_dept GROUP BY dept
    UNION ALL SELECT NULL, month, 2, coalesce(sum(n_month), 0)::int FROM parts WHERE NOT per_dept GROUP BY month
  ) r
  WHERE n > 0 OR g = 3`;

/** Recomputes the roll-up rows of the days [$1, $2) (after they were deleted). */
export const ROLLUP_INSERT_SQL = `
  INSERT INTO stats_daily (kind, sub, dept, day, ref_day, regions, n, amount, days_sum, days_n)
  ${ROLLUP_SOURCES.map(rolled).join('\n  UNION ALL')}`;

/**
 * The roll-up read for a region ($1, its jurisdiction prefix) and the days $2 … $3,
 * into the same rows as EVENTS_SQL. Rows with a related day: a verdict counts when the
 * clue's previous verdict is outside the window (its first in the window); an overdue feedback
 * counts once per transfer when its missed accept deadline is outside the window, and once
 * per month when that is outside the window or in another month.
 */
export const ROLLUP_SQL = grouped(`
    SELECT kind, sub, dept, to_char(day, 'YYYY-MM') AS month,
           sum(n) FILTER (WHERE ref_day IS NULL OR NOT (ref_day BETWEEN $2::date AND $3::date
             AND (kind <> 'TRANSFER_OVERDUE' OR date_trunc('month', ref_day) = date_trunc('month', day)))) AS n,
           sum(n) FILTER (WHERE ref_day IS NULL OR ref_day NOT BETWEEN $2::date AND $3::date) AS n_first,
           sum(amount) AS amount, sum(days_sum) AS days_sum, sum(days_n) AS days_n
    FROM stats_daily
    WHERE day BETWEEN $2::date AND $3::date AND ${rowInScope}
    GROUP BY 1, 2, 3, 4`);

/**
 * Whether the roll-up may be stale: a rebuild asked for, a day marked, or a transfer deadline
 * passed since the last refresh. One read (index probes), the whole cost of a reading's
 * refresh when nothing changed. Also the moment of the last refresh, and whether it is less
 * than $1 milliseconds ago (`recent`).
 */
export const STALE_SQL = `
  SELECT w.rebuild OR w.refreshed_at IS NULL
         OR EXISTS (SELECT 1 FROM stats_dirty_day) OR EXISTS (SELECT 1 FROM stats_person_dirty)
         OR EXISTS (SELECT 1 FROM clue_transfer t WHERE t.accept_deadline >= w.refreshed_at AND t.accept_deadline < now())
         OR EXISTS (SELECT 1 FROM clue_transfer t WHERE t.feedback_deadline >= w.refreshed_at AND t.feedback_deadline < now())
         AS stale,
         w.refreshed_at, now() AS now,
         coalesce(w.refreshed_at > now() - $1::int * interval '1 millisecond', false) AS recent
  FROM stats_rollup_state w`;

/** How fresh the roll-up a reading is about to read is. */
export interface RollupFreshness {
  /** Every write committed before this moment is counted (later ones may be too). */
  asOf: Date;
  /** Days recomputed by this call: -1 all, 0 none. */
  recomputed: number;
}

/**
 * Brings the roll-up up to date, in one transaction (serialized on the state row): the days
 * marked by the triggers, and the days of the transfers whose deadline passed since the last
 * refresh (the overdue figures depend on the time: a deadline passes without any write), or
 * everything when a rebuild is asked for. Idempotent. Without a transaction when STALE_SQL
 * finds nothing to do.
 *
 * `maxStalenessMs` (STATS_MAX_STALENESS_MS) > 0 bounds the staleness instead: nothing is done
 * when the last refresh is less than that old, and when another connection is refreshing
 * (its lock on the state row: SKIP LOCKED) the roll-up is read as it is rather than waited
 * for — so readers neither queue behind each other nor repeat each other's work, and the
 * figures are at most that long plus one refresh old. 0: exact, every reading waits for the
 * refresh it needs.
 */
export async function refreshRollup(db: DataSource, maxStalenessMs = 0): Promise<RollupFreshness> {
  const [seen]: { stale: boolean; refreshed_at: Date | null; now: Date; recent: boolean }[] = await db.query(
    STALE_SQL,
    [maxStalenessMs],
  );
  if (!seen.stale) return { asOf: seen.now, recomputed: 0 };
  const bounded = maxStalenessMs > 0 && seen.refreshed_at !== null;
  if (bounded && seen.recent) return { asOf: seen.refreshed_at!, recomputed: 0 };
  return inTransaction(db, async (m) => {
    const [state]: { rebuild: boolean; refreshed: boolean; refreshed_at: Date | null; now: Date; recent: boolean }[] =
      await m.query(
        `SELECT rebuild, refreshed_at IS NOT NULL AS refreshed, refreshed_at, now() AS now,
                coalesce(refreshed_at > now() - $1::int * interval '1 millisecond', false) AS recent
         FROM stats_rollup_state FOR UPDATE${bounded ? ' SKIP LOCKED' : ''}`,
        [maxStalenessMs],
      );
    // Bounded: another connection is refreshing (read the roll-up as it is), or has just done so.
    if (!state) return { asOf: seen.refreshed_at!, recomputed: 0 };
    if (bounded && state.recent) return { asOf: state.refreshed_at!, recomputed: 0 };
    await m.query('SET LOCAL jit = off');
    const params = (lo: string, hi: string) => new SqlParams([lo, hi, ...EVENTS_MACHINE_PARAMETERS]).values;
    const items = (lo: string, hi: string) => [lo, hi, ...ROLLUP_SUPERVISION_PARAMETERS];
    let recomputed = -1;
    if (state.rebuild || !state.refreshed) {
      await m.query('DELETE FROM stats_dirty_day');
      await m.query('DELETE FROM stats_person_dirty');
      await m.query('DELETE FROM stats_daily');
      await m.query('DELETE FROM stats_person_point');
      await m.query('DELETE FROM stats_person_daily');
      await m.query('DELETE FROM stats_person_monthly');
      await m.query('DELETE FROM stats_supervision_daily');
      await m.query(ROLLUP_INSERT_SQL, params('-infinity', 'infinity'));
      for (const sql of ROLLUP_PERSONS_BUILD_SQL) await m.query(sql, sql.includes('$1') ? [null] : []);
      await m.query(ROLLUP_SUPERVISION_INSERT_SQL, items('-infinity', 'infinity'));
    } else {
      // The marked days, and the days of the transfers a deadline of which passed since the
      // last refresh (the only figures time changes: `deadline < now()`).
      const marked: { day: string }[] = await m.query(
        `WITH d AS (DELETE FROM stats_dirty_day RETURNING day),
         passed AS (
           SELECT t.accept_deadline, t.feedback_deadline FROM clue_transfer t, stats_rollup_state w
           WHERE t.accept_deadline >= w.refreshed_at AND t.accept_deadline < now()
           UNION ALL
           SELECT t.accept_deadline, t.feedback_deadline FROM clue_transfer t, stats_rollup_state w
           WHERE t.feedback_deadline >= w.refreshed_at AND t.feedback_deadline < now())
         SELECT DISTINCT to_char(day, 'YYYY-MM-DD') AS day FROM d WHERE isfinite(day)
         UNION SELECT to_char(${dayOf('x')}, 'YYYY-MM-DD')
           FROM passed CROSS JOIN LATERAL (VALUES (accept_deadline), (feedback_deadline)) v (x) WHERE x IS NOT NULL
         ORDER BY 1`,
      );
      const days = marked.map((r) => r.day);
      if (days.length) {
        await m.query('DELETE FROM stats_daily WHERE day = ANY($1::date[])', [days]);
        await m.query('DELETE FROM stats_supervision_daily WHERE day = ANY($1::date[])', [days]);
      }
      for (const [first, last] of dayRanges(days)) {
        const [lo, hi] = [`${first}T00:00:00+08:00`, `${nextDay(last)}T00:00:00+08:00`];
        await m.query(ROLLUP_INSERT_SQL, params(lo, hi));
        await m.query(ROLLUP_SUPERVISION_INSERT_SQL, items(lo, hi));
      }
      // The persons whose sanctions changed.
      const persons: string[] = (
        await m.query(`WITH d AS (DELETE FROM stats_person_dirty RETURNING person_id) SELECT DISTINCT person_id FROM d`)
      ).map((r: { person_id: string }) => r.person_id);
      if (persons.length) await m.query(ROLLUP_PERSONS_UPDATE_SQL, [persons]);
      recomputed = days.length;
    }
    await m.query('UPDATE stats_rollup_state SET refreshed_at = now(), rebuild = false');
    // Fresh statistics for the planner after many days changed (a hash aggregate, not a sort).
    if (recomputed < 0 || recomputed > 30) {
      await m.query(
        'ANALYZE stats_daily, stats_person_point, stats_person_daily, stats_person_monthly, stats_supervision_daily',
      );
    }
    return { asOf: state.now, recomputed };
  });
}

const nextDay = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Sorted YYYY-MM-DD days as [first, last] runs of consecutive days. */
function dayRanges(days: string[]): [string, string][] {
  const runs: [string, string][] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && nextDay(last[1]) === day) last[1] = day;
    else runs.push([day, day]);
  }
  return runs;
}

/**
 * The ends of the window and of each of its months (Shanghai calendar): `month` NULL for the
 * window, else 'YYYY-MM'; [at_start, at_end) is the period, clipped to the window.
 */
const PERIODS = `
    SELECT to_char(m, 'YYYY-MM') AS month, greatest(m AT TIME ZONE '${TIME_ZONE}', $2::timestamptz) AS at_start,
           least((m + interval '1 month') AT TIME ZONE '${TIME_ZONE}', $3::timestamptz) AS at_end
    FROM generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE '${TIME_ZONE}'),
                         date_trunc('month', ($3::timestamptz - interval '1 microsecond') AT TIME ZONE '${TIME_ZONE}'),
                         interval '1 month') m
    UNION ALL SELECT NULL, $2::timestamptz, $3::timestamptz`;

/**
 * Supervision items whose target is in scope or whose assignee lies in the region, in their
 * state at the end of the window and of each month (overdue = unfinished past the deadline;
 * an end is never later than now), and those completed in the period; for the window also per
 * assigned department (`month` NULL, `g` 0). A cancellation's moment is its CANCEL timeline
 * entry.
 */
const supervisionItems = (extra: string) => `
    SELECT s.created_at, s.deadline, s.completed_at, s.assigned_to_department_id AS dept,
           CASE WHEN s.status = $5::text THEN coalesce(
             (SELECT min(sc.at) FROM state_change sc
              WHERE sc.entity_type = $7::text AND sc.entity_id = s.id
                AND sc.event = $6::text), '-infinity') END AS cancelled_at
    FROM supervision_item s
    WHERE s.created_at < $3 AND NOT coalesce(s.completed_at < $2, false) ${extra}
      AND (${inScopeDep('s.assigned_to_department_id')}
           OR (s.clue_id IS NOT NULL AND ${clueIdInScope('s.clue_id')})
           OR (s.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM "case" k WHERE k.id = s.case_id AND ${caseInScope('k')}))
           OR (s.transfer_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM clue_transfer t WHERE t.id = s.transfer_id AND ${transferInScope('t')})))`;

export const SUPERVISION_SQL = `
  WITH items AS (${supervisionItems('')}
  ),
  at_end AS (
    SELECT e.month, CASE WHEN e.month IS NULL THEN i.dept END AS dept, i.completed_at, e.at_start, e.at_end,
           i.created_at < e.at_end
             AND NOT (coalesce(i.completed_at < e.at_end, false) OR coalesce(i.cancelled_at < e.at_end, false)) AS unfinished,
           i.deadline < least(e.at_end, now()) AS late
    FROM (${PERIODS}) e CROSS JOIN items i
  )
  SELECT month, dept, GROUPING(dept)::int AS g,
         count(*) FILTER (WHERE unfinished AND NOT late)::int AS open,
         count(*) FILTER (WHERE unfinished AND late)::int AS overdue,
         count(*) FILTER (WHERE completed_at >= at_start AND completed_at < at_end)::int AS completed
  FROM at_end
  GROUP BY GROUPING SETS ((month), (month, dept))`;

/**
 * The roll-up dates an item's change of open to overdue on its deadline day, which holds for
 * the ends up to now; at an end after now an item is overdue only once its deadline has passed
 * (SUPERVISION_SQL's `least(end, now())`). This counts, per end as SUPERVISION_SQL, the items
 * unfinished at an end whose deadline lies between now and that end — open, where the roll-up
 * has them overdue. Only items with a deadline still ahead are read (an index range).
 */
export const SUPERVISION_AHEAD_SQL = `
  WITH items AS (${supervisionItems('AND s.deadline >= now() AND s.deadline < $3')}
  ),
  at_end AS (
    SELECT e.month, CASE WHEN e.month IS NULL THEN i.dept END AS dept,
           i.created_at < e.at_end
             AND NOT (coalesce(i.completed_at < e.at_end, false) OR coalesce(i.cancelled_at < e.at_end, false))
             AND i.deadline < e.at_end AS ahead
    FROM (${PERIODS}) e CROSS JOIN items i
  )
  SELECT month, dept, GROUPING(dept)::int AS g, count(*) FILTER (WHERE ahead)::int AS n
  FROM at_end
  GROUP BY GROUPING SETS ((month), (month, dept))`;

export interface SupervisionRow {
  month: string | null;
  dept: string | null;
  /** 1: all departments. */
  g: number;
  open: number;
  overdue: number;
  completed: number;
}

/**
 * Distinct persons sanctioned in the window (cases in scope), in all, per case-owning
 * department and per month (`g` = GROUPING(dept, month)). Distinct counts do not add up over
 * days, so both readings run this query on the sanctions themselves.
 */
export const PERSONS_SQL = `
  SELECT k.owner_department_id AS dept, to_char(date_trunc('month', s.decided_at AT TIME ZONE '${TIME_ZONE}'), 'YYYY-MM') AS month,
         GROUPING(k.owner_department_id, date_trunc('month', s.decided_at AT TIME ZONE '${TIME_ZONE}'))::int AS g,
         count(DISTINCT s.person_id)::int AS n
  FROM sanction s JOIN "case" k ON k.id = s.case_id
  WHERE ${inWindow('s.decided_at')} AND ${caseInScope('k')}
  GROUP BY GROUPING SETS ((), (k.owner_department_id), (date_trunc('month', s.decided_at AT TIME ZONE '${TIME_ZONE}')))`;

export interface PersonsRow {
  dept: string | null;
  month: string | null;
  /** 3: all; 1: per department; 2: per month. */
  g: number;
  n: number;
}

/**
 * Rectification measures overdue at an end (unfinished — OPEN, or submitted only after that
 * end — with a deadline before the end's Shanghai date) of the problems in scope: at the end
 * of the window (`month` NULL: total, and per responsible department) and at the end of each
 * month of the window (`month`). An end is never later than now. $5: the measure states
 * before submission (from the machine).
 */
export const MEASURES_OVERDUE_SQL = `
  WITH ends AS (
    SELECT to_char(m, 'YYYY-MM') AS month,
           least((m + interval '1 month') AT TIME ZONE '${TIME_ZONE}', $3::timestamptz, now()) AS at_end
    FROM generate_series(date_trunc('month', $2::timestamptz AT TIME ZONE '${TIME_ZONE}'),
                         date_trunc('month', ($3::timestamptz - interval '1 microsecond') AT TIME ZONE '${TIME_ZONE}'),
                         interval '1 month') m
    UNION ALL SELECT NULL, least($3::timestamptz, now())
  )
  SELECT e.month, p.responsible_department_id AS dept, GROUPING(p.responsible_department_id)::int AS g, count(*)::int AS n
  FROM ends e
  JOIN rectification_measure rm ON rm.created_at < e.at_end
    AND rm.deadline < (e.at_end AT TIME ZONE '${TIME_ZONE}')::date
    AND (rm.status = ANY($5::text[]) OR rm.submitted_at >= e.at_end)
  JOIN problem p ON p.id = rm.problem_id AND ${problemInScope('p')}
  GROUP BY GROUPING SETS ((e.month), (e.month, p.responsible_department_id))`;

export const MEASURES_MACHINE_PARAMETERS = [/* $5 */ statesFiring(measureMachine, 'SUBMIT')];

export interface MeasuresOverdueRow {
  month: string | null;
  dept: string | null;
  /** 1: all departments. */
  g: number;
  n: number;
}

export interface DepartmentRow {
  id: string;
  kind: DepartmentKind;
  name: string;
  region_code: string;
}

const nextMonth = (month: string): string => {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** The YYYY-MM months from the month of `from` to the month of `to`. */
export function monthsBetween(from: string, to: string): string[] {
  const months = [from.slice(0, 7)];
  while (months[months.length - 1] < to.slice(0, 7)) months.push(nextMonth(months[months.length - 1]));
  return months;
}

/**
 * SUPERVISION_SQL's rows from the roll-up's changes (ROLLUP_SUPERVISION_SQL): the stocks at the
 * end of each month and of the window are the running sums of the changes before them, less
 * the items whose deadline is still ahead of now (SUPERVISION_AHEAD_SQL: open, not overdue).
 */
export function supervisionFromChanges(
  changes: SupervisionChangeRow[],
  ahead: { month: string | null; dept: string | null; g: number; n: number }[],
  months: string[],
): SupervisionRow[] {
  type Figures = { open: number; overdue: number; completed: number };
  const zero = (): Figures => ({ open: 0, overdue: 0, completed: 0 });
  // Per department: the stock before the window, and each month's changes.
  const depts = new Map<string, { before: Figures; inMonth: Map<string, Figures> }>();
  for (const r of changes) {
    if (!depts.has(r.dept)) depts.set(r.dept, { before: zero(), inMonth: new Map() });
    const d = depts.get(r.dept)!;
    if (r.month !== null && !d.inMonth.has(r.month)) d.inMonth.set(r.month, zero());
    const f = r.month === null ? d.before : d.inMonth.get(r.month)!;
    if (r.kind === 'OPEN') f.open += r.n;
    else if (r.kind === 'OVERDUE') f.overdue += r.n;
    else f.completed += r.n;
  }
  const aheadOf = (month: string | null, dept: string | null) =>
    ahead.find((a) => a.month === month && (dept === null ? a.g === 1 : a.g === 0 && a.dept === dept))?.n ?? 0;
  const rows: SupervisionRow[] = [];
  const total = zero();
  const perMonth = new Map(months.map((month) => [month, zero()]));
  for (const [dept, d] of depts) {
    const stock = { ...d.before, completed: 0 };
    for (const month of months) {
      const change = d.inMonth.get(month) ?? zero();
      stock.open += change.open;
      stock.overdue += change.overdue;
      stock.completed += change.completed;
      const m = perMonth.get(month)!;
      m.open += stock.open;
      m.overdue += stock.overdue;
      m.completed += change.completed;
    }
    const moved = aheadOf(null, dept);
    rows.push({
      month: null,
      dept,
      g: 0,
      open: stock.open + moved,
      overdue: stock.overdue - moved,
      completed: stock.completed,
    });
    total.open += stock.open;
    total.overdue += stock.overdue;
    total.completed += stock.completed;
  }
  const moved = aheadOf(null, null);
  rows.push({ month: null, dept: null, g: 1, ...total, open: total.open + moved, overdue: total.overdue - moved });
  for (const [month, f] of perMonth) {
    const movedInMonth = aheadOf(month, null);
    rows.push({ month, dept: null, g: 1, ...f, open: f.open + movedInMonth, overdue: f.overdue - movedInMonth });
  }
  return rows;
}

/** The level of a region, or undefined for an unknown code. */
export async function regionLevel(db: Db, regionCode: string): Promise<RegionLevel | undefined> {
  const rows: { level: RegionLevel }[] = await db.query('SELECT level FROM region WHERE code = $1', [regionCode]);
  return rows[0]?.level;
}

/** Where the event figures come from: the daily roll-up (default) or the events themselves. */
export type StatsSource = 'rollup' | 'direct';

/**
 * The figures of one region and window, read in one transaction: the departments in the region
 * (`pattern`, the LIKE pattern of its jurisdiction), the event aggregates (from the roll-up,
 * brought up to date first — within `maxStalenessMs`: refreshRollup — or from the events), the
 * distinct persons sanctioned, the supervision figures and overdue measures, and the
 * departments outside the region that acted on its clues and cases; and how fresh (`asOf`).
 */
export async function readStats(
  db: DataSource,
  window: { pattern: string; lo: Date; hi: Date; from: string; to: string },
  source: StatsSource = 'rollup',
  maxStalenessMs = 0,
): Promise<{
  /** The event figures count every write committed before this moment. */
  asOf: Date;
  inRegion: DepartmentRow[];
  aggregates: AggregateRow[];
  persons: PersonsRow[];
  supervision: SupervisionRow[];
  measuresOverdue: MeasuresOverdueRow[];
  others: DepartmentRow[];
}> {
  const freshness = source === 'rollup' ? await refreshRollup(db, maxStalenessMs) : null;
  return inTransaction(db, async (m) => {
    const inRegion: DepartmentRow[] = await m.query(
      'SELECT id, kind, name, region_code FROM department WHERE region_code LIKE $1',
      [window.pattern],
    );
    const scope = [window.pattern, window.lo, window.hi, inRegion.map((d) => d.id)];
    /** The jurisdiction prefix (the pattern without its '%'): the roll-up's key. */
    const prefix = window.pattern.slice(0, -1);
    // The events query's cost estimate crosses PostgreSQL's JIT thresholds, and compiling it
    // takes longer than running it (docs/PERFORMANCE.md, Reading).
    await m.query('SET LOCAL jit = off');
    const aggregates: AggregateRow[] =
      source === 'rollup'
        ? await m.query(ROLLUP_SQL, [prefix, window.from, window.to])
        : await m.query(EVENTS_SQL, new SqlParams([...scope, ...EVENTS_MACHINE_PARAMETERS]).values);
    const persons: PersonsRow[] =
      source === 'rollup'
        ? await m.query(ROLLUP_PERSONS_SQL, [prefix, window.from, window.to])
        : await m.query(PERSONS_SQL, scope);
    const supervisionParameters = new SqlParams([...scope, ...SUPERVISION_MACHINE_PARAMETERS]).values;
    const supervision: SupervisionRow[] =
      source === 'rollup'
        ? supervisionFromChanges(
            await m.query(ROLLUP_SUPERVISION_SQL, [prefix, window.from, window.to]),
            await m.query(SUPERVISION_AHEAD_SQL, supervisionParameters),
            monthsBetween(window.from, window.to),
          )
        : await m.query(SUPERVISION_SQL, supervisionParameters);
    const measuresOverdue: MeasuresOverdueRow[] = await m.query(
      MEASURES_OVERDUE_SQL,
      new SqlParams([...scope, ...MEASURES_MACHINE_PARAMETERS]).values,
    );
    const attributed = [
      ...aggregates.filter((r) => r.g === SET_DEPT).map((r) => r.dept),
      ...persons.filter((r) => r.g === 1).map((r) => r.dept),
      // Departments with an item open, overdue or completed (an item finished before the window is none).
      ...supervision
        .filter((r) => r.month === null && r.g === 0 && (r.open || r.overdue || r.completed))
        .map((r) => r.dept),
      ...measuresOverdue.filter((r) => r.month === null).map((r) => r.dept),
    ];
    const outside = [...new Set(attributed.filter((d): d is string => !!d))].filter(
      (id) => !inRegion.some((d) => d.id === id),
    );
    const others: DepartmentRow[] = outside.length
      ? await m.query('SELECT id, kind, name, region_code FROM department WHERE id = ANY($1::uuid[])', [outside])
      : [];
    const asOf = freshness?.asOf ?? (await m.query('SELECT now() AS now'))[0].now;
    return { asOf, inRegion, aggregates, persons, supervision, measuresOverdue, others };
  });
}
