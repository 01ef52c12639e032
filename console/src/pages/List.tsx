import { useEffect, useState } from 'react';
import { enumLabels, gql } from '../api';
import { isGraphRoot, money } from '../labels';
import { href } from '../router';

interface Column {
  title: string;
  value: (node: any, labels: Map<string, string>) => string;
}
interface ListKind {
  title: string;
  field: string;
  filterType: string;
  /** URL parameters that go into the API's filter (the rest are ignored). */
  filters: Record<string, 'string' | 'boolean' | 'list'>;
  selection: string;
  columns: Column[];
}

const label = (labels: Map<string, string>, en: string, value: string | null | undefined) =>
  value ? (labels.get(`${en}.${value}`) ?? value) : '—';
const SHANGHAI = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
/** The Asia/Shanghai day of a DateTime (a Date stays as it is). */
const day = (value: string | null | undefined) =>
  !value ? '—' : value.includes('T') ? SHANGHAI.format(new Date(value)) : value;

/** The lists the board's figures open: the API's own connections and filters. */
const KINDS: Record<string, ListKind> = {
  clues: {
    title: '线索',
    field: 'clues',
    filterType: 'ClueFilter',
    filters: { regionCode: 'string', ownerDepartmentId: 'string', campaignId: 'string', createdFrom: 'string', createdTo: 'string', status: 'list' },
    selection: 'id code title status amountInvolved createdAt owner { name }',
    columns: [
      { title: '编号', value: (n) => n.code },
      { title: '标题', value: (n) => n.title },
      { title: '状态', value: (n, l) => label(l, 'ClueStatus', n.status) },
      { title: '涉及金额', value: (n) => money(n.amountInvolved) },
      { title: '承办部门', value: (n) => n.owner?.name ?? '—' },
      { title: '登记日期', value: (n) => day(n.createdAt) },
    ],
  },
  cases: {
    title: '案件',
    field: 'cases',
    filterType: 'CaseFilter',
    filters: { regionCode: 'string', ownerDepartmentId: 'string', status: 'list' },
    selection: 'id code title status filedAt closedAt owner { name }',
    columns: [
      { title: '编号', value: (n) => n.code },
      { title: '案由', value: (n) => n.title },
      { title: '状态', value: (n, l) => label(l, 'CaseStatus', n.status) },
      { title: '承办部门', value: (n) => n.owner.name },
      { title: '立案', value: (n) => day(n.filedAt) },
      { title: '结案', value: (n) => day(n.closedAt) },
    ],
  },
  transfers: {
    title: '线索移送',
    field: 'transfers',
    filterType: 'TransferFilter',
    filters: { overdue: 'boolean', status: 'list', direction: 'string' },
    selection: 'id status overdue requestedAt acceptDeadline clue { code title } from { name } to { name }',
    columns: [
      { title: '线索', value: (n) => `${n.clue.code} ${n.clue.title}` },
      { title: '移出', value: (n) => n.from.name },
      { title: '移入', value: (n) => n.to.name },
      { title: '状态', value: (n, l) => label(l, 'TransferStatus', n.status) },
      { title: '超期', value: (n) => (n.overdue ? '超期' : '') },
      { title: '接收时限', value: (n) => day(n.acceptDeadline) },
    ],
  },
  supervision: {
    title: '督办事项',
    field: 'supervisionItems',
    filterType: 'SupervisionFilter',
    filters: { status: 'list', assignedToDepartmentId: 'string' },
    selection: 'id title status kind deadline assignedTo { name } creatorDepartment { name }',
    columns: [
      { title: '事项', value: (n) => n.title },
      { title: '类型', value: (n, l) => label(l, 'SupervisionKind', n.kind) },
      { title: '状态', value: (n, l) => label(l, 'SupervisionStatus', n.status) },
      { title: '承办', value: (n) => n.assignedTo.name },
      { title: '督办单位', value: (n) => n.creatorDepartment.name },
      { title: '期限', value: (n) => day(n.deadline) },
    ],
  },
  problems: {
    title: '问题清单',
    field: 'problems',
    filterType: 'ProblemFilter',
    filters: { regionCode: 'string', responsibleDepartmentId: 'string', campaignId: 'string', overdue: 'boolean', status: 'list' },
    selection: 'id code category status amount responsibleDepartment { name } measures { id }',
    columns: [
      { title: '编号', value: (n) => n.code },
      { title: '类别', value: (n) => n.category },
      { title: '状态', value: (n, l) => label(l, 'ProblemStatus', n.status) },
      { title: '整改措施', value: (n) => String(n.measures.length) },
      { title: '金额', value: (n) => money(n.amount) },
      { title: '责任单位', value: (n) => n.responsibleDepartment.name },
    ],
  },
};

const PAGE = 50;

/** One of the API's lists, with the filter the board's link carries; paged with its cursor. */
export function ListPage({ params }: { params: URLSearchParams }) {
  const kind = KINDS[params.get('kind') ?? ''];
  const [rows, setRows] = useState<any[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  const key = params.toString();

  const filter: Record<string, unknown> = {};
  if (kind)
    for (const [name, type] of Object.entries(kind.filters)) {
      const value = params.get(name);
      if (value === null || value === '') continue;
      filter[name] = type === 'boolean' ? value === 'true' : type === 'list' ? value.split(',') : value;
    }

  const load = async (after: string | null) => {
    if (!kind) return;
    const query = `query($filter: ${kind.filterType}, $after: String) {
      list: ${kind.field}(filter: $filter, first: ${PAGE}, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { ${kind.selection} } }
      }
    }`;
    try {
      const r = await gql<{ list: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: any }[] } }>(
        query,
        { filter, after },
      );
      setRows((current) => [...(after ? current : []), ...r.list.edges.map((e) => e.node)]);
      setTotal(r.list.totalCount);
      setCursor(r.list.pageInfo.hasNextPage ? r.list.pageInfo.endCursor : null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  useEffect(() => {
    setRows([]);
    setTotal(null);
    setError(null);
    void load(null);
    enumLabels().then(setLabels, () => undefined);
  }, [key]);

  if (!kind) return <p className="error">未知列表</p>;
  return (
    <div className="panel list-page">
      <p>
        <a href={href('board')}>← 返回看板</a>
      </p>
      <h2 data-testid="list-title">
        {kind.title}
        {total !== null && <span className="muted">（共 {total} 条）</span>}
      </h2>
      <p className="muted" data-testid="list-filter">
        筛选：{Object.keys(filter).length ? JSON.stringify(filter) : '无'}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table data-testid="list">
        <thead>
          <tr>
            {kind.columns.map((c) => (
              <th key={c.title}>{c.title}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {kind.columns.map((c) => (
                <td key={c.title}>{c.value(row, labels)}</td>
              ))}
              <td>{isGraphRoot(row.id) && <a href={href('graph', { root: row.id })}>关系图</a>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          更多
        </button>
      )}
    </div>
  );
}
