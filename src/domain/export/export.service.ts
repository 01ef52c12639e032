/**
 * 导出: the clue, case, hit and problem lists and the statistics as CSV or XLSX, streamed.
 *
 * Each list is read through its own list function (listClues, listCases, listHits,
 * listProblems — the functions behind the GraphQL lists), page after keyset page, so the rows,
 * their order, the filters and the visibility are the lists' own; only one page is in memory at
 * a time. Persons' names are shown in full to those the policy lets read personal data
 * (`canReadPersonalData`) and masked (张*) to the others; resident ID numbers and bank accounts
 * are never exported. Every export — finished, failed or abandoned by the client — is one audit
 * entry with the list, format, filter, the number of rows written and whether names were shown.
 */
import { randomBytes } from 'node:crypto';
import { AppServices } from '../../app';
import { badInput } from '../../core/errors';
import { Connection } from '../../core/pagination';
import { formatMoney } from '../../core/dates';
import { Actor, canReadPersonalData } from '../../policy';
import { appendAudit } from '../audit/audit.service';
import { caseMachine } from '../case/case.machine';
import { listCases } from '../case/case.service';
import { CaseFilter, CaseRow } from '../case/case.types';
import { clueMachine } from '../clue/clue.machine';
import type { ClueRow } from '../clue/clue.repository';
import { listClues } from '../clue/clue.service';
import { CLUE_SOURCE_LABELS, ClueFilter } from '../clue/clue.types';
import { HitFilterInput, listHits } from '../collision/collision-hit.service';
import { COLLISION_MODEL_LABELS } from '../collision/collision.enums';
import type { CollisionHitRow } from '../collision/collision.repository';
import { hitVerificationMachine } from '../collision/hit-verification.machine';
import { maskPersonName } from '../document/document.machine';
import { PROBLEM_SOURCES, problemMachine } from '../problem/problem.machine';
import type { ProblemRow } from '../problem/problem.repository';
import { listProblems, ProblemFilterInput } from '../problem/problem.service';
import { supervisionStats } from '../stats/stats.service';
import { Cell, CellKind, ColumnSpec, ExportWriter } from './export.writers';
import * as lookups from './export.repository';

/**
 * Rows per page read from a list: one page is in memory at a time. Each page costs the list's
 * own query (a count and a top-N over the visible rows that match), so fewer, larger pages are
 * faster; with 10,000 the whole process stays in a 64 MB old space at 20k and at 200k rows
 * (docs/PERFORMANCE.md, "Exports").
 */
export const EXPORT_PAGE_SIZE = 10_000;

export type ExportFormat = 'csv' | 'xlsx';

type Filter = Record<string, unknown>;

interface Column<Row, Ctx> extends ColumnSpec {
  value: (row: Row, ctx: Ctx) => Cell;
}

/** How one list is exported. */
interface ListExport<Row, Ctx> {
  /** Sheet and file name. */
  title: string;
  /**
   * The GraphQL query field whose `filter` argument (or, for the statistics, whose arguments)
   * the export takes: the HTTP route validates the filter against that input type.
   */
  queryField: string;
  /** Whether the filter is the field's `filter` argument (lists) or all of its arguments. */
  filterIsArguments?: boolean;
  columns: Column<Row, Ctx>[];
  page(
    services: AppServices,
    actor: Actor,
    filter: Filter,
    first: number,
    after: string | null,
  ): Promise<Connection<Row>>;
  /** The lookups of one page (names for ids and codes), read once per page. */
  context(services: AppServices, actor: Actor, rows: readonly Row[], names: NameShown): Promise<Ctx>;
  /** Whether rows carry persons' names (the audit entry says how they were shown). */
  hasPersons: boolean;
}

/** Persons' names in full, or masked (张*). */
type NameShown = (name: string) => string;

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000; // China has had no daylight saving time since 1991.

/** A timestamp as Beijing time, `YYYY-MM-DD HH:mm:ss`. */
export const beijingTime = (value: Date | null): string | null =>
  value === null ? null : new Date(value.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');

const money = (value: string | null): string | null => (value === null ? null : formatMoney(value));
const joined = (values: readonly string[] | undefined): string | null => (values?.length ? values.join('、') : null);
const col = <Row, Ctx>(header: string, kind: CellKind, value: (row: Row, ctx: Ctx) => Cell, width?: number) => ({
  header,
  kind,
  value,
  width,
});
const distinct = <T>(values: readonly (T | null | undefined)[]): T[] => [
  ...new Set(values.filter((v): v is T => v !== null && v !== undefined)),
];

interface Names {
  departments: Map<string, string>;
  institutions: Map<string, string>;
}

async function namesOf(
  services: AppServices,
  departmentIds: readonly (string | null)[],
  institutionCodes: readonly (string | null)[],
): Promise<Names> {
  const [departments, institutions] = await Promise.all([
    lookups.departmentNames(services.db, distinct(departmentIds)),
    lookups.institutionNames(services.db, distinct(institutionCodes)),
  ]);
  return { departments, institutions };
}

const department = (ctx: Names, id: string | null): string | null => (id ? (ctx.departments.get(id) ?? null) : null);
const institution = (ctx: Names, code: string | null): string | null =>
  code ? (ctx.institutions.get(code) ?? null) : null;

const CLUES: ListExport<ClueRow, Names & { persons: Map<string, string[]>; shown: NameShown }> = {
  title: '线索清单',
  queryField: 'clues',
  hasPersons: true,
  page: (services, actor, filter, first, after) => listClues(services, actor, filter as ClueFilter, first, after),
  async context(services, _actor, rows, shown) {
    const [names, persons] = await Promise.all([
      namesOf(
        services,
        rows.map((r) => r.owner_department_id),
        rows.map((r) => r.institution_code),
      ),
      lookups.personNamesByClue(
        services.db,
        rows.map((r) => r.id),
      ),
    ]);
    return { ...names, persons, shown };
  },
  columns: [
    col('线索编号', 'text', (r) => r.code, 16),
    col('标题', 'text', (r) => r.title, 30),
    col('来源', 'text', (r) => CLUE_SOURCE_LABELS[r.source] ?? r.source),
    col('状态', 'text', (r) => clueMachine.states[r.status] ?? r.status),
    col('碰撞模型', 'text', (r) => (r.model ? (COLLISION_MODEL_LABELS[r.model] ?? r.model) : null), 20),
    col('定点机构编码', 'text', (r) => r.institution_code, 16),
    col('定点机构名称', 'text', (r, c) => institution(c, r.institution_code), 24),
    col('行政区划代码', 'text', (r) => r.region_code),
    col('涉及金额(元)', 'money', (r) => money(r.amount_involved), 14),
    col('承办部门', 'text', (r, c) => department(c, r.owner_department_id), 24),
    col('涉及人员', 'text', (r, c) => joined(c.persons.get(r.id)?.map(c.shown)), 24),
    col('登记时间', 'text', (r) => beijingTime(r.created_at), 20),
    col('分办时间', 'text', (r) => beijingTime(r.routed_at), 20),
    col('办结时间', 'text', (r) => beijingTime(r.closed_at), 20),
    col('追回金额(元)', 'money', (r) => money(r.recovered_amount), 14),
  ],
};

const CASES: ListExport<
  CaseRow,
  Names & { clues: Map<string, { clue_codes: string[]; person_names: string[] }>; shown: NameShown }
> = {
  title: '案件清单',
  queryField: 'cases',
  hasPersons: true,
  page: (services, actor, filter, first, after) => listCases(services, actor, filter as CaseFilter, first, after),
  async context(services, actor, rows, shown) {
    const [names, clues] = await Promise.all([
      namesOf(
        services,
        rows.map((r) => r.owner_department_id),
        [],
      ),
      lookups.clueFactsByCase(
        services.db,
        actor,
        rows.map((r) => r.id),
      ),
    ]);
    return { ...names, clues, shown };
  },
  columns: [
    col('案件编号', 'text', (r) => r.code, 16),
    col('案件名称', 'text', (r) => r.title, 30),
    col('状态', 'text', (r) => caseMachine.states[r.status] ?? r.status),
    col('承办部门', 'text', (r, c) => department(c, r.owner_department_id), 24),
    col('行政区划代码', 'text', (r) => r.region_code),
    col('关联线索', 'text', (r, c) => joined(c.clues.get(r.id)?.clue_codes), 24),
    col('涉及人员', 'text', (r, c) => joined(c.clues.get(r.id)?.person_names.map(c.shown)), 24),
    col('立案时间', 'text', (r) => beijingTime(r.filed_at), 20),
    col('结案时间', 'text', (r) => beijingTime(r.closed_at), 20),
  ],
};

const HITS: ListExport<CollisionHitRow, Names & { persons: Map<string, string>; shown: NameShown }> = {
  title: '疑点清单',
  queryField: 'collisionHits',
  hasPersons: true,
  page: (services, actor, filter, first, after) => listHits(services.db, actor, filter as HitFilterInput, first, after),
  async context(services, _actor, rows, shown) {
    const [names, persons] = await Promise.all([
      namesOf(
        services,
        [],
        rows.map((r) => r.institution_code),
      ),
      lookups.personNames(services.db, distinct(rows.flatMap((r) => r.person_ids))),
    ]);
    return { ...names, persons, shown };
  },
  columns: [
    col('碰撞模型', 'text', (r) => COLLISION_MODEL_LABELS[r.model] ?? r.model, 20),
    col('定点机构编码', 'text', (r) => r.institution_code, 16),
    col('定点机构名称', 'text', (r, c) => institution(c, r.institution_code), 24),
    col('行政区划代码', 'text', (r) => r.region_code),
    col('涉及金额(元)', 'money', (r) => money(r.amount_involved), 14),
    col('涉及人员', 'text', (r, c) => joined(r.person_ids.map((p) => c.shown(c.persons.get(p) ?? p))), 24),
    col('结算笔数', 'integer', (r) => r.settlement_ids.length),
    col('核查结论', 'text', (r) => hitVerificationMachine.states[r.verification as 'PENDING'] ?? r.verification),
    col('确认金额(元)', 'money', (r) => money(r.confirmed_amount), 14),
    col('发现时间', 'text', (r) => beijingTime(r.created_at), 20),
    col('核查时间', 'text', (r) => beijingTime(r.verified_at), 20),
  ],
};

const PROBLEMS: ListExport<ProblemRow, Names> = {
  title: '问题清单',
  queryField: 'problems',
  hasPersons: false,
  page: (services, actor, filter, first, after) =>
    listProblems(services, actor, filter as ProblemFilterInput, first, after),
  context: (services, _actor, rows) =>
    namesOf(
      services,
      rows.flatMap((r) => [r.responsible_department_id, r.supervising_department_id]),
      rows.map((r) => r.institution_code),
    ),
  columns: [
    col('问题编号', 'text', (r) => r.code, 16),
    col('来源', 'text', (r) => PROBLEM_SOURCES[r.source] ?? r.source),
    col('问题类别', 'text', (r) => r.category, 16),
    col('问题描述', 'text', (r) => r.description, 40),
    col('涉及金额(元)', 'money', (r) => money(r.amount), 14),
    col('定点机构编码', 'text', (r) => r.institution_code, 16),
    col('定点机构名称', 'text', (r, c) => institution(c, r.institution_code), 24),
    col('整改责任单位', 'text', (r, c) => department(c, r.responsible_department_id), 24),
    col('督促整改单位', 'text', (r, c) => department(c, r.supervising_department_id), 24),
    col('行政区划代码', 'text', (r) => r.region_code),
    col('状态', 'text', (r) => problemMachine.states[r.status] ?? r.status),
    col('列入时间', 'text', (r) => beijingTime(r.created_at), 20),
    col('销号时间', 'text', (r) => beijingTime(r.closed_at), 20),
  ],
};

/** One line of the statistics sheet: the totals, a department or a month. */
interface StatsLine {
  dimension: '合计' | '部门' | '月份';
  name: string;
  cluesReceived: number;
  cluesTransferred: number;
  transfersOverdue: number;
  casesFiled: number;
  casesClosed: number;
  amountRecovered: string;
  hitsTotal: number;
  hitsVerified: number;
  problemsFound: number;
  problemsClosed: number;
  measuresOverdue: number;
  voluntaryRefund: string;
  patientRefund: string;
}

const STATS: ListExport<StatsLine, null> = {
  title: '督办统计',
  queryField: 'supervisionStats',
  filterIsArguments: true,
  hasPersons: false,
  async page(services, actor, filter) {
    const { regionCode, from, to } = filter as { regionCode: string; from: string; to: string };
    const s = await supervisionStats(services.db, actor, regionCode, from, to);
    const lines: StatsLine[] = [
      { ...s, dimension: '合计', name: `${regionCode} ${from}至${to}` },
      ...s.byDepartment.map((d): StatsLine => ({
        ...d,
        cluesTransferred: d.cluesTransferredOut,
        dimension: '部门',
        name: d.department.name,
      })),
      ...s.byMonth.map((m): StatsLine => ({ ...m, dimension: '月份', name: m.month })),
    ];
    return {
      edges: lines.map((node, i) => ({ cursor: String(i), node })),
      totalCount: lines.length,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    };
  },
  context: async () => null,
  columns: [
    col('统计维度', 'text', (r) => r.dimension),
    col('名称', 'text', (r) => r.name, 28),
    col('收到线索', 'integer', (r) => r.cluesReceived),
    col('移送线索', 'integer', (r) => r.cluesTransferred),
    col('移送超期', 'integer', (r) => r.transfersOverdue),
    col('立案', 'integer', (r) => r.casesFiled),
    col('结案', 'integer', (r) => r.casesClosed),
    col('追回金额(元)', 'money', (r) => r.amountRecovered, 14),
    col('疑点总数', 'integer', (r) => r.hitsTotal),
    col('已核查疑点', 'integer', (r) => r.hitsVerified),
    col('发现问题', 'integer', (r) => r.problemsFound),
    col('已销号问题', 'integer', (r) => r.problemsClosed),
    col('超期整改措施', 'integer', (r) => r.measuresOverdue),
    col('自查自纠退回金额(元)', 'money', (r) => r.voluntaryRefund, 16),
    col('退还参保人金额(元)', 'money', (r) => r.patientRefund, 16),
  ],
};

/** The exports, by the name used in their URL (/export/<name>.<format>). */
export const EXPORT_LISTS = {
  clues: CLUES,
  cases: CASES,
  hits: HITS,
  problems: PROBLEMS,
  stats: STATS,
} as const;

export type ExportListName = keyof typeof EXPORT_LISTS;

export const isExportList = (name: string): name is ExportListName => Object.hasOwn(EXPORT_LISTS, name);

/** The GraphQL field whose filter input an export takes (for the route's validation). */
export const exportFilterSource = (list: ExportListName): { queryField: string; filterIsArguments: boolean } => ({
  queryField: EXPORT_LISTS[list].queryField,
  filterIsArguments: EXPORT_LISTS[list].filterIsArguments ?? false,
});

export interface ExportRequest {
  list: ExportListName;
  format: ExportFormat;
  /** The list's filter as the GraphQL list takes it (already validated against its input type). */
  filter: Filter;
  requestId?: string;
}

/** An export whose first page is read (so that a bad filter fails before anything is sent). */
export interface OpenedExport {
  title: string;
  /** How many rows the list holds for the filter when the export started. */
  total: number;
  /** Writes every row to `writer` and audits the export; resolves to the rows written. */
  writeTo(writer: ExportWriter): Promise<number>;
}

/**
 * Reads the first page of the list (errors — a bad filter, FORBIDDEN — are thrown here, before
 * any byte is sent), then hands back the writer of the whole export.
 */
export async function openExport(
  services: AppServices,
  actor: Actor,
  request: ExportRequest,
  options: { pageSize?: number } = {},
): Promise<OpenedExport> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const list = EXPORT_LISTS[request.list] as unknown as ListExport<unknown, unknown>;
  if (!list) throw badInput(`unknown export list "${request.list}"`);
  // Read now, so that a bad filter or a refusal fails before anything is sent; let go once written.
  let firstPage: Connection<unknown> | null = await list.page(services, actor, request.filter, pageSize, null);
  const total = firstPage.totalCount;
  const showsNames = canReadPersonalData(actor);
  const shown: NameShown = showsNames ? (name) => name : maskPersonName;
  return {
    title: list.title,
    total,
    async writeTo(writer) {
      if (!firstPage) throw new Error('an export is written once');
      let rows = 0;
      // Written before the file ends, so that a client holding the whole file finds the entry.
      const audit = (completed: boolean, failure?: string) =>
        appendAudit(services.db, {
          actorId: actor.userId,
          action: 'export',
          detail: {
            list: request.list,
            format: request.format,
            filter: request.filter,
            rows,
            total,
            completed,
            ...(failure ? { failure } : {}),
            personNames: list.hasPersons ? (showsNames ? 'full' : 'masked') : 'none',
            requestId: request.requestId ?? null,
          },
        });
      let audited = false;
      try {
        writer.start(list.columns, list.title);
        let page: Connection<unknown> | null = firstPage;
        firstPage = null;
        while (page) {
          const nodes = page.edges.map((e) => e.node);
          const next = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
          page = null; // one page in memory: this one is let go before the next is read
          const ctx = await list.context(services, actor, nodes, shown);
          for (const node of nodes) writer.row(list.columns.map((c) => c.value(node, ctx)));
          rows += nodes.length;
          nodes.length = 0;
          await writer.flush();
          if (next) page = await list.page(services, actor, request.filter, pageSize, next);
        }
        audited = true;
        await audit(true);
        await writer.finish();
        return rows;
      } catch (error) {
        if (!audited) await audit(false, error instanceof Error ? error.message : String(error));
        throw error;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------
// Download links: for a browser, which cannot attach the bearer header to a download.
// ---------------------------------------------------------------------------------------

/** How long a download link works; it works once. */
export const EXPORT_LINK_SECONDS = 60;

/** What a link stands for: the user, the list, the format and the (validated) filter. */
interface ExportLinkGrant {
  userId: string;
  list: ExportListName;
  format: ExportFormat;
  filter: Filter;
}

const linkKey = (services: AppServices, token: string) => `${services.config.queuePrefix}:export-link:${token}`;

/**
 * A single-use link to an export, valid EXPORT_LINK_SECONDS: a random token kept in Redis with
 * the user, list, format and filter. Who may see what is decided when it is used, as for any
 * export (the user's roles and department then).
 */
export async function createExportLink(
  services: AppServices,
  actor: Actor,
  request: Omit<ExportRequest, 'requestId'>,
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(24).toString('base64url');
  const grant: ExportLinkGrant = { userId: actor.userId, ...request };
  await services.redis.set(linkKey(services, token), JSON.stringify(grant), 'EX', EXPORT_LINK_SECONDS);
  return { token, expiresAt: new Date(Date.now() + EXPORT_LINK_SECONDS * 1000) };
}

/** The grant of a link, taken (a second use finds nothing); null when unknown or expired. */
export async function redeemExportLink(services: AppServices, token: string): Promise<ExportLinkGrant | null> {
  if (!/^[\w-]{16,64}$/.test(token)) return null;
  const text = await services.redis.getdel(linkKey(services, token));
  return text ? (JSON.parse(text) as ExportLinkGrant) : null;
}
