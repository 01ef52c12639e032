/**
 * 督办统计 (PRODUCT.md §7, supervisionStats): every figure of a region over a date window from
 * a handful of set-based queries (stats.repository.ts), arranged into totals, sanction kinds,
 * departments and months. Counting rules: docs/READING.md.
 */
import { DataSource } from 'typeorm';
import { badInput } from '../../core/errors';
import { jurisdictionPrefix } from '../../core/regions';
import { formatMoney } from '../../core/dates';
import { assertCanReadStats, Actor } from '../../policy';
import { DepartmentType } from '../reference/reference.types';
import {
  AggregateRow,
  EventKind,
  monthsBetween,
  readStats,
  regionLevel,
  SET_DEPT,
  SET_MONTH,
  SET_SUB,
  SET_SUB_DEPT,
  SET_SUB_MONTH,
  SET_TOTAL,
  StatsSource,
} from './stats.repository';
import { DepartmentStats, KindCount, MonthStats, SupervisionStats } from './stats.types';

/** Start of a Shanghai calendar day (China has had no daylight saving time since 1991). */
const shanghaiMidnight = (date: string): Date => new Date(`${date}T00:00:00+08:00`);

const nextDay = (date: string): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** An exact sum from PostgreSQL (numeric as text), or zero. */
const money = (row: AggregateRow | undefined): string => formatMoney(row?.amount ?? '0');

const rate = (part: number, whole: number): number | null => (whole ? part / whole : null);

/**
 * The outcome-loop figures (PRODUCT.md §9) from a set's event counts and its overdue measures.
 * Self-check refunds: Σ of the 自查自纠 reports recorded in the window (docs/READING.md).
 */
const outcomeFigures = (
  n: (kind: EventKind) => number,
  measuresOverdue: number,
  row: (kind: EventKind) => AggregateRow | undefined,
) => ({
  hitsTotal: n('HIT_DETECTED'),
  hitsVerified: n('HIT_VERIFIED'),
  clearedRate: rate(n('HIT_VERIFIED'), n('HIT_DETECTED')),
  problemsFound: n('PROBLEM_FOUND'),
  problemsClosed: n('PROBLEM_CLOSED'),
  measuresOverdue,
  rechecksPassed: n('RECHECK_PASSED'),
  rechecksRecurred: n('RECHECK_RECURRED'),
  clueToCaseRate: rate(n('CLUE_CONCLUDED_TO_CASE'), n('CLUE_CONCLUDED')),
  voluntaryRefund: money(row('VOLUNTARY_REFUND')),
  patientRefund: money(row('PATIENT_REFUND')),
});

/** Sanctions by kind, most frequent first. */
const kindCounts = (rows: AggregateRow[]): KindCount[] =>
  rows
    .filter((r) => r.kind === 'SANCTION' && r.sub)
    .sort((a, b) => b.n - a.n || a.sub!.localeCompare(b.sub!))
    .map((r) => Object.assign(new KindCount(), { kind: r.sub!, count: r.n }));

/**
 * `source` chooses where the event figures come from: the daily roll-up (default) or the
 * events themselves (the reference the roll-up is tested and benchmarked against).
 * `maxStalenessMs`: how old the roll-up may be (STATS_MAX_STALENESS_MS; 0, the default here:
 * exact); `asOf` of the answer says how fresh it is.
 */
export async function supervisionStats(
  db: DataSource,
  actor: Actor,
  regionCode: string,
  from: string,
  to: string,
  source: StatsSource = 'rollup',
  maxStalenessMs = 0,
): Promise<SupervisionStats> {
  assertCanReadStats(actor, regionCode);
  if (from > to) throw badInput('from must not be after to');
  const level = await regionLevel(db, regionCode);
  if (!level) throw badInput(`unknown region ${regionCode}`);
  const {
    asOf,
    inRegion,
    aggregates: rows,
    persons,
    supervision,
    measuresOverdue,
    others,
  } = await readStats(
    db,
    {
      pattern: `${jurisdictionPrefix(regionCode, level)}%`,
      lo: shanghaiMidnight(from),
      hi: shanghaiMidnight(nextDay(to)),
      from,
      to,
    },
    source,
    maxStalenessMs,
  );
  const departments = [...inRegion, ...others].sort(
    (a, b) => a.region_code.localeCompare(b.region_code) || a.kind.localeCompare(b.kind),
  );

  const bySet = (g: number) => rows.filter((r) => r.g === g);
  const overdueAtEnd = measuresOverdue.filter((r) => r.month === null);
  const overdueTotal = overdueAtEnd.find((r) => r.g === 1)?.n ?? 0;
  const overdueOf = (dept: string) => overdueAtEnd.find((r) => r.g === 0 && r.dept === dept)?.n ?? 0;
  const overdueInMonth = (month: string) => measuresOverdue.find((r) => r.g === 1 && r.month === month)?.n ?? 0;
  const personsTotal = persons.find((r) => r.g === 3)?.n ?? 0;
  const personsOf = (dept: string) => persons.find((r) => r.g === 1 && r.dept === dept)?.n ?? 0;
  const personsInMonth = (month: string) => persons.find((r) => r.g === 2 && r.month === month)?.n ?? 0;
  const noItems = { open: 0, overdue: 0, completed: 0 };
  const itemsTotal = supervision.find((r) => r.month === null && r.g === 1) ?? noItems;
  const itemsOf = (dept: string) =>
    supervision.find((r) => r.month === null && r.g === 0 && r.dept === dept) ?? noItems;
  const itemsInMonth = (month: string) => supervision.find((r) => r.month === month && r.g === 1) ?? noItems;
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
    const items = itemsOf(d.id);
    return Object.assign(new DepartmentStats(), {
      department: DepartmentType.from({ id: d.id, kind: d.kind, name: d.name, regionCode: d.region_code }),
      cluesReceived: n('CLUE_ROUTED') + n('TRANSFER_ACCEPTED'),
      cluesRegistered: n('CLUE_CREATED'),
      cluesRouted: n('CLUE_ROUTED'),
      cluesTransferredOut: n('TRANSFER_REQUESTED'),
      transfersReturned: n('TRANSFER_RETURNED'),
      transfersOverdue: figures.get('TRANSFER_OVERDUE')?.first ?? 0,
      averageDaysToAccept: figures.get('TRANSFER_ACCEPTED')?.days ?? null,
      casesFiled: n('CASE_FILED'),
      casesClosed: n('CASE_CLOSED'),
      sanctions: n('SANCTION'),
      sanctionsByKind: kindCounts(bySet(SET_SUB_DEPT).filter((r) => r.dept === d.id)),
      personsSanctioned: personsOf(d.id),
      amountRecovered: money(figures.get('RECOVERED')),
      supervisionOpen: items.open,
      supervisionOverdue: items.overdue,
      supervisionCompleted: items.completed,
      ...outcomeFigures(n, overdueOf(d.id), (k) => figures.get(k)),
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
    const items = itemsInMonth(month);
    return Object.assign(new MonthStats(), {
      month,
      cluesReceived: n('CLUE_CREATED'),
      cluesRouted: n('CLUE_ROUTED'),
      cluesTransferred: n('TRANSFER_REQUESTED'),
      transfersReturned: n('TRANSFER_RETURNED'),
      transfersOverdue: n('TRANSFER_OVERDUE'),
      averageDaysToAccept: figures.get('TRANSFER_ACCEPTED')?.days ?? null,
      casesFiled: n('CASE_FILED'),
      casesClosed: n('CASE_CLOSED'),
      sanctions: n('SANCTION'),
      sanctionsByKind: kindCounts(bySet(SET_SUB_MONTH).filter((r) => r.month === month)),
      personsSanctioned: personsInMonth(month),
      amountRecovered: money(figures.get('RECOVERED')),
      supervisionOpen: items.open,
      supervisionOverdue: items.overdue,
      supervisionCompleted: items.completed,
      ...outcomeFigures(n, overdueInMonth(month), (k) => figures.get(k)),
    });
  });

  return Object.assign(new SupervisionStats(), {
    regionCode,
    from,
    to,
    asOf,
    cluesReceived: total('CLUE_CREATED'),
    cluesRouted: total('CLUE_ROUTED'),
    cluesTransferred: total('TRANSFER_REQUESTED'),
    transfersReturned: total('TRANSFER_RETURNED'),
    transfersOverdue: totals.get('TRANSFER_OVERDUE')?.first ?? 0,
    averageDaysToAccept: totals.get('TRANSFER_ACCEPTED')?.days ?? null,
    casesFiled: total('CASE_FILED'),
    casesClosed: total('CASE_CLOSED'),
    sanctionsByKind: kindCounts(bySet(SET_SUB)),
    personsSanctioned: personsTotal,
    amountRecovered: money(totals.get('RECOVERED')),
    supervisionOpen: itemsTotal.open,
    supervisionOverdue: itemsTotal.overdue,
    supervisionCompleted: itemsTotal.completed,
    ...outcomeFigures(total, overdueTotal, (k) => totals.get(k)),
    byDepartment,
    byMonth,
  });
}
