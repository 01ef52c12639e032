/**
 * Every SQL statement of 督办统计 (supervisionStats): one UNION of all dated events aggregated
 * with GROUPING SETS (totals, sanction kinds, departments, months), one over supervision
 * items, the region and the departments' names. Counting rules: docs/READING.md.
 */
import { DataSource, EntityManager } from 'typeorm';
import { TIME_ZONE } from '../../core/constants';
import type { RegionLevel } from '../../core/regions';
import { SqlParams } from '../../core/sql';
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
  | 'PERSONS_SANCTIONED'
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
    kind: `'PERSONS_SANCTIONED'`,
    count: 'count(DISTINCT s.person_id)',
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
 * The events pre-aggregated per source, rolled up into totals, sanction kinds, departments and
 * months. `n` counts events; `first` counts each overdue transfer once (used for totals and
 * departments; months use `n`, one row per transfer and month).
 */
export const EVENTS_SQL = `
  WITH pre AS (${EVENT_SOURCES.map(aggregated).join('\n    UNION ALL')})
  SELECT kind, sub, dept, to_char(month, 'YYYY-MM') AS month, GROUPING(sub, dept, month)::int AS g, sum(n)::int AS n,
         sum(n_first)::int AS first, coalesce(sum(amount), 0)::text AS amount,
         round((sum(days_sum) / nullif(sum(days_n), 0))::numeric, 2)::float8 AS days
  FROM pre
  GROUP BY GROUPING SETS ((kind), (kind, sub), (kind, dept), (kind, month))`;

/**
 * Supervision items whose target is in scope or whose assignee lies in the region, in their
 * state at the end of the window (overdue = unfinished past the deadline), and those
 * completed in the window. A cancellation's moment is its CANCEL timeline entry.
 */
export const SUPERVISION_SQL = `
  WITH items AS (
    SELECT s.deadline, s.completed_at,
           CASE WHEN s.status = $5::text THEN coalesce(
             (SELECT min(sc.at) FROM state_change sc
              WHERE sc.entity_type = $7::text AND sc.entity_id = s.id
                AND sc.event = $6::text), '-infinity') END AS cancelled_at
    FROM supervision_item s
    WHERE s.created_at < $3
      AND (${inScopeDep('s.assigned_to_department_id')}
           OR (s.clue_id IS NOT NULL AND ${clueIdInScope('s.clue_id')})
           OR (s.case_id IS NOT NULL AND EXISTS (SELECT 1 FROM "case" k WHERE k.id = s.case_id AND ${caseInScope('k')}))
           OR (s.transfer_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM clue_transfer t WHERE t.id = s.transfer_id AND ${transferInScope('t')})))
  ),
  at_end AS (
    SELECT i.*, (coalesce(i.completed_at < $3, false) OR coalesce(i.cancelled_at < $3, false)) AS finished FROM items i
  )
  SELECT count(*) FILTER (WHERE NOT finished AND deadline >= least($3::timestamptz, now()))::int AS open,
         count(*) FILTER (WHERE NOT finished AND deadline < least($3::timestamptz, now()))::int AS overdue,
         count(*) FILTER (WHERE ${inWindow('completed_at')})::int AS completed
  FROM at_end`;

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

/** The level of a region, or undefined for an unknown code. */
export async function regionLevel(db: Db, regionCode: string): Promise<RegionLevel | undefined> {
  const rows: { level: RegionLevel }[] = await db.query('SELECT level FROM region WHERE code = $1', [regionCode]);
  return rows[0]?.level;
}

/**
 * The figures of one region and window, read in one transaction: the departments in the region
 * (`pattern`, the LIKE pattern of its jurisdiction), the event aggregates, the supervision
 * figures, and the departments outside the region that acted on its clues and cases.
 */
export function readStats(
  db: DataSource,
  window: { pattern: string; lo: Date; hi: Date },
): Promise<{
  inRegion: DepartmentRow[];
  aggregates: AggregateRow[];
  supervision: { open: number; overdue: number; completed: number };
  measuresOverdue: MeasuresOverdueRow[];
  others: DepartmentRow[];
}> {
  return db.transaction(async (m) => {
    const inRegion: DepartmentRow[] = await m.query(
      'SELECT id, kind, name, region_code FROM department WHERE region_code LIKE $1',
      [window.pattern],
    );
    const scope = [window.pattern, window.lo, window.hi, inRegion.map((d) => d.id)];
    // The events query's cost estimate crosses PostgreSQL's JIT thresholds, and compiling it
    // takes longer than running it (docs/PERFORMANCE.md, Reading).
    await m.query('SET LOCAL jit = off');
    const aggregates: AggregateRow[] = await m.query(
      EVENTS_SQL,
      new SqlParams([...scope, ...EVENTS_MACHINE_PARAMETERS]).values,
    );
    const [supervision]: { open: number; overdue: number; completed: number }[] = await m.query(
      SUPERVISION_SQL,
      new SqlParams([...scope, ...SUPERVISION_MACHINE_PARAMETERS]).values,
    );
    const measuresOverdue: MeasuresOverdueRow[] = await m.query(
      MEASURES_OVERDUE_SQL,
      new SqlParams([...scope, ...MEASURES_MACHINE_PARAMETERS]).values,
    );
    const attributed = [
      ...aggregates.filter((r) => r.g === SET_DEPT).map((r) => r.dept),
      ...measuresOverdue.filter((r) => r.month === null).map((r) => r.dept),
    ];
    const outside = [...new Set(attributed.filter((d): d is string => !!d))].filter(
      (id) => !inRegion.some((d) => d.id === id),
    );
    const others: DepartmentRow[] = outside.length
      ? await m.query('SELECT id, kind, name, region_code FROM department WHERE id = ANY($1::uuid[])', [outside])
      : [];
    return { inRegion, aggregates, supervision, measuresOverdue, others };
  });
}
