/**
 * 督办统计 (PRODUCT.md §7, supervisionStats): every figure of a region over a date window in a
 * handful of set-based queries — one UNION of all dated events aggregated with GROUPING SETS
 * (totals, sanction kinds, departments, months), one over supervision items, one for the
 * departments' names. Counting rules: docs/READING.md.
 */
import { DataSource, EntityManager } from 'typeorm';
import { badInput } from '../../core/errors';
import { formatMoney } from '../../graphql/scalars';
import { assertCanReadStats, Actor } from '../../policy';
import { DepartmentKind } from '../reference/department.entity';
import { jurisdictionPrefix, RegionLevel } from '../../core/regions';
import { DepartmentType } from '../reference/reference.types';
import { DepartmentStats, KindCount, MonthStats, SupervisionStats } from './stats.types';

type Db = DataSource | EntityManager;

/** Start of a Shanghai calendar day (China has had no daylight saving time since 1991). */
const shanghaiMidnight = (date: string): Date => new Date(`${date}T00:00:00+08:00`);

const nextDay = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** The YYYY-MM months from the month of `from` to the month of `to`. */
function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const last = to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    months.push(month);
    if (month >= last) return months;
    m = m === 12 ? 1 : m + 1;
    if (m === 1) y++;
  }
}

type EventKind =
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
  | 'RECOVERED';

/** Which GROUPING SET a row belongs to: GROUPING(sub, dept, month) of the query below. */
const SET_TOTAL = 7;
const SET_SUB = 3;
const SET_DEPT = 5;
const SET_MONTH = 6;

interface AggregateRow {
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
const transferInScope = (t: string) =>
  `(${inScopeDep(`${t}.from_department_id`)} OR ${inScopeDep(`${t}.to_department_id`)}
    OR ${clueIdInScope(`${t}.clue_id`)})`;
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
           ${e.at ? `date_trunc('month', ${e.at} AT TIME ZONE 'Asia/Shanghai')` : 'NULL::timestamp'} AS month,
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
         NOT (miss.accept AND date_trunc('month', t.accept_deadline AT TIME ZONE 'Asia/Shanghai')
                            = date_trunc('month', t.feedback_deadline AT TIME ZONE 'Asia/Shanghai')))
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
      WHERE s.entity_type = 'Clue' AND s.event = 'ROUTE' AND ${inWindow('s.at')}
        AND (${inScopeDep('r.dept')} OR ${clueIdInScope('s.entity_id')})`,
  },
  {
    kind: `'TRANSFER_REQUESTED'`,
    at: 't.requested_at',
    dept: 't.from_department_id',
    from: `FROM clue_transfer t WHERE ${inWindow('t.requested_at')} AND ${transferInScope('t')}`,
  },
  {
    kind: `CASE t.status WHEN 'RETURNED' THEN 'TRANSFER_RETURNED' ELSE 'TRANSFER_ACCEPTED' END`,
    at: 't.responded_at',
    dept: 't.to_department_id',
    days: 'extract(epoch FROM t.responded_at - t.requested_at)::float8 / 86400',
    from: `FROM clue_transfer t
      WHERE ${inWindow('t.responded_at')} AND t.status IN ('RETURNED', 'ACCEPTED', 'FEEDBACK_GIVEN')
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
      WHERE ${inWindow('c.closed_at')} AND c.status = 'CLOSED' AND c.recovered_amount IS NOT NULL
        AND ${clueInScope('c')}`,
  },
];

/**
 * The events pre-aggregated per source, rolled up into totals, sanction kinds, departments and
 * months. `n` counts events; `first` counts each overdue transfer once (used for totals and
 * departments; months use `n`, one row per transfer and month).
 */
const EVENTS_SQL = `
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
const SUPERVISION_SQL = `
  WITH items AS (
    SELECT s.deadline, s.completed_at,
           CASE WHEN s.status = 'CANCELLED' THEN coalesce(
             (SELECT min(sc.at) FROM state_change sc
              WHERE sc.entity_type = 'SupervisionItem' AND sc.entity_id = s.id
                AND sc.event = 'CANCEL'), '-infinity') END AS cancelled_at
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

interface DepartmentRow {
  id: string;
  kind: DepartmentKind;
  name: string;
  region_code: string;
}

/** An exact sum from PostgreSQL (numeric as text), or zero. */
const money = (row: AggregateRow | undefined): string => formatMoney(row?.amount ?? '0');

export async function supervisionStats(
  db: Db,
  actor: Actor,
  regionCode: string,
  from: string,
  to: string,
): Promise<SupervisionStats> {
  assertCanReadStats(actor, regionCode);
  if (from > to) throw badInput('from must not be after to');
  const [region]: { level: RegionLevel }[] = await db.query('SELECT level FROM region WHERE code = $1', [regionCode]);
  if (!region) throw badInput(`unknown region ${regionCode}`);
  const { rows, supervision, departments } = await db.transaction(async (m) => {
    const pattern = `${jurisdictionPrefix(regionCode, region.level)}%`;
    const inRegion: DepartmentRow[] = await m.query(
      'SELECT id, kind, name, region_code FROM department WHERE region_code LIKE $1',
      [pattern],
    );
    const params = [pattern, shanghaiMidnight(from), shanghaiMidnight(nextDay(to)), inRegion.map((d) => d.id)];
    // The events query's cost estimate crosses PostgreSQL's JIT thresholds, and compiling it
    // takes longer than running it (docs/PERFORMANCE.md, Reading).
    await m.query('SET LOCAL jit = off');
    const aggregates: AggregateRow[] = await m.query(EVENTS_SQL, params);
    const [items]: { open: number; overdue: number; completed: number }[] = await m.query(SUPERVISION_SQL, params);
    // Departments outside the region that acted on its clues and cases.
    const outside = [...new Set(aggregates.filter((r) => r.g === SET_DEPT && r.dept).map((r) => r.dept!))].filter(
      (id) => !inRegion.some((d) => d.id === id),
    );
    const others: DepartmentRow[] = outside.length
      ? await m.query('SELECT id, kind, name, region_code FROM department WHERE id = ANY($1::uuid[])', [outside])
      : [];
    const all = [...inRegion, ...others].sort(
      (a, b) => a.region_code.localeCompare(b.region_code) || a.kind.localeCompare(b.kind),
    );
    return { rows: aggregates, supervision: items, departments: all };
  });

  const bySet = (g: number) => rows.filter((r) => r.g === g);
  const totals = new Map(bySet(SET_TOTAL).map((r) => [r.kind, r]));
  const total = (kind: EventKind) => totals.get(kind)?.n ?? 0;

  const perDepartment = new Map<string, Map<EventKind, AggregateRow>>();
  for (const r of bySet(SET_DEPT)) {
    if (!r.dept) continue;
    if (!perDepartment.has(r.dept)) perDepartment.set(r.dept, new Map());
    perDepartment.get(r.dept)!.set(r.kind, r);
  }
  const byDepartment = departments.map((d) => {
    const figures = perDepartment.get(d.id) ?? new Map<EventKind, AggregateRow>();
    const n = (kind: EventKind) => figures.get(kind)?.n ?? 0;
    return Object.assign(new DepartmentStats(), {
      department: DepartmentType.from({ id: d.id, kind: d.kind, name: d.name, regionCode: d.region_code }),
      cluesReceived: n('CLUE_ROUTED') + n('TRANSFER_ACCEPTED'),
      cluesTransferredOut: n('TRANSFER_REQUESTED'),
      transfersOverdue: figures.get('TRANSFER_OVERDUE')?.first ?? 0,
      casesFiled: n('CASE_FILED'),
      casesClosed: n('CASE_CLOSED'),
      amountRecovered: money(figures.get('RECOVERED')),
    });
  });

  const perMonth = new Map<string, Map<EventKind, AggregateRow>>();
  for (const r of bySet(SET_MONTH)) {
    if (!perMonth.has(r.month!)) perMonth.set(r.month!, new Map());
    perMonth.get(r.month!)!.set(r.kind, r);
  }
  const byMonth = monthsBetween(from, to).map((month) => {
    const figures = perMonth.get(month) ?? new Map<EventKind, AggregateRow>();
    const n = (kind: EventKind) => figures.get(kind)?.n ?? 0;
    return Object.assign(new MonthStats(), {
      month,
      cluesReceived: n('CLUE_CREATED'),
      cluesRouted: n('CLUE_ROUTED'),
      cluesTransferred: n('TRANSFER_REQUESTED'),
      transfersReturned: n('TRANSFER_RETURNED'),
      transfersOverdue: n('TRANSFER_OVERDUE'),
      casesFiled: n('CASE_FILED'),
      casesClosed: n('CASE_CLOSED'),
      sanctions: n('SANCTION'),
      amountRecovered: money(figures.get('RECOVERED')),
    });
  });

  const sanctionsByKind = bySet(SET_SUB)
    .filter((r) => r.kind === 'SANCTION' && r.sub)
    .sort((a, b) => b.n - a.n || a.sub!.localeCompare(b.sub!))
    .map((r) => Object.assign(new KindCount(), { kind: r.sub!, count: r.n }));

  return Object.assign(new SupervisionStats(), {
    regionCode,
    from,
    to,
    cluesReceived: total('CLUE_CREATED'),
    cluesRouted: total('CLUE_ROUTED'),
    cluesTransferred: total('TRANSFER_REQUESTED'),
    transfersReturned: total('TRANSFER_RETURNED'),
    transfersOverdue: totals.get('TRANSFER_OVERDUE')?.first ?? 0,
    averageDaysToAccept: totals.get('TRANSFER_ACCEPTED')?.days ?? null,
    casesFiled: total('CASE_FILED'),
    casesClosed: total('CASE_CLOSED'),
    sanctionsByKind,
    personsSanctioned: total('PERSONS_SANCTIONED'),
    amountRecovered: money(totals.get('RECOVERED')),
    supervisionOpen: supervision.open,
    supervisionOverdue: supervision.overdue,
    supervisionCompleted: supervision.completed,
    byDepartment,
    byMonth,
  });
}
