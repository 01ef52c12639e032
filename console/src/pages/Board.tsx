import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { enumLabels, gql, SessionUser } from '../api';
import { money, percent } from '../labels';
import { href } from '../router';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const FIGURES = `casesFiled casesClosed transfersOverdue measuresOverdue problemsFound problemsClosed
  amountRecovered clearedRate clueToCaseRate hitsTotal hitsVerified`;
const STATS = `query($r: String!, $from: Date!, $to: Date!) {
  supervisionStats(regionCode: $r, from: $from, to: $to) {
    regionCode from to ${FIGURES}
    cluesReceived cluesRouted cluesTransferred transfersReturned averageDaysToAccept
    supervisionOpen supervisionOverdue supervisionCompleted personsSanctioned
    rechecksPassed rechecksRecurred voluntaryRefund patientRefund
    byDepartment { department { id name kind } ${FIGURES} cluesReceived cluesTransferredOut }
    byMonth { month ${FIGURES} cluesReceived cluesRouted cluesTransferred }
    byCampaign { id code name phase figures { targets hits problemsFound problemsClosed amountRecovered clearedRate } }
  }
}`;

type Figures = {
  casesFiled: number;
  casesClosed: number;
  transfersOverdue: number;
  measuresOverdue: number;
  problemsFound: number;
  problemsClosed: number;
  amountRecovered: string;
  clearedRate: number | null;
  clueToCaseRate: number | null;
  hitsTotal: number;
  hitsVerified: number;
  cluesReceived: number;
};
interface Stats extends Figures {
  regionCode: string;
  from: string;
  to: string;
  cluesRouted: number;
  cluesTransferred: number;
  transfersReturned: number;
  averageDaysToAccept: number | null;
  supervisionOpen: number;
  supervisionOverdue: number;
  supervisionCompleted: number;
  personsSanctioned: number;
  rechecksPassed: number;
  rechecksRecurred: number;
  voluntaryRefund: string;
  patientRefund: string;
  byDepartment: (Figures & { department: { id: string; name: string; kind: string }; cluesTransferredOut: number })[];
  byMonth: (Figures & { month: string; cluesRouted: number; cluesTransferred: number })[];
  byCampaign: {
    id: string;
    code: string;
    name: string;
    phase: string;
    figures: {
      targets: number;
      hits: number;
      problemsFound: number;
      problemsClosed: number;
      amountRecovered: string;
      clearedRate: number | null;
    };
  }[];
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
/** The last twelve calendar months up to today, as Asia/Shanghai dates (the statistics' calendar). */
function defaultWindow(): { from: string; to: string } {
  const to = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const [y, m] = to.split('-').map(Number);
  return { from: iso(new Date(Date.UTC(y - 1, m, 1))), to };
}

function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return iso(new Date(Date.UTC(y, m, 0)));
}

/** A figure and the list behind it. */
function Figure(props: { label: string; value: string | number; to?: string; tone?: 'bad' | 'good'; id: string }) {
  const body = (
    <>
      <span className="figure-value">{props.value}</span>
      <span className="figure-label">{props.label}</span>
    </>
  );
  return props.to ? (
    <a className={`figure ${props.tone ?? ''}`} href={props.to} data-figure={props.id}>
      {body}
    </a>
  ) : (
    <div className={`figure ${props.tone ?? ''}`} data-figure={props.id}>
      {body}
    </div>
  );
}

function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const share = total ? Math.min(1, done / total) : 0;
  return (
    <div className="progress" title={label}>
      <div className="bar">
        <div style={{ width: `${share * 100}%` }} />
      </div>
      <span>
        {done}/{total}（{total ? percent(share) : '—'}）
      </span>
    </div>
  );
}

function Chart({ option, onClick, testId }: { option: echarts.EChartsCoreOption; onClick?: (index: number, series: string) => void; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current) return;
    const chart = echarts.init(ref.current, undefined, { renderer: 'svg' });
    chart.setOption(option);
    chart.on('click', (p) => click.current?.(p.dataIndex, String(p.seriesName)));
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [option]);
  return <div className="chart" ref={ref} data-testid={testId} />;
}

/**
 * 领导看板: supervisionStats of a region and window — totals, by department and by month,
 * overdue transfers and supervision items, rectification progress, campaigns. Every figure
 * opens the API's list behind it (the lists show the current items; the figures are windowed).
 */
export function BoardPage({ params, user }: { params: URLSearchParams; user: SessionUser }) {
  const fallback = defaultWindow();
  const region = params.get('region') ?? user.department.region.code;
  const from = params.get('from') ?? fallback.from;
  const to = params.get('to') ?? fallback.to;
  const [form, setForm] = useState({ region, from, to });
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setForm({ region, from, to });
    setError(null);
    // Another region or window: the figures of the previous one are not shown while loading.
    setStats(null);
    gql<{ supervisionStats: Stats }>(STATS, { r: region, from, to }).then(
      (r) => setStats(r.supervisionStats),
      (e: Error) => {
        setStats(null);
        setError(e.message);
      },
    );
  }, [region, from, to]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    location.hash = href('board', form);
  };
  const list = (kind: string, extra: Record<string, string | boolean | undefined> = {}) =>
    href('list', { kind, regionCode: region, ...extra });

  return (
    <div className="board">
      <form className="toolbar" onSubmit={submit}>
        <label>
          行政区划
          <input name="region" value={form.region} onChange={(e) => setForm({ ...form, region: e.target.value })} />
        </label>
        <label>
          自
          <input name="from" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label>
          至
          <input name="to" type="date" value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <button type="submit">查询</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {stats && <BoardBody stats={stats} list={list} />}
    </div>
  );
}

function BoardBody({ stats, list }: { stats: Stats; list: (kind: string, extra?: Record<string, string | boolean | undefined>) => string }) {
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    enumLabels().then(setLabels, () => undefined);
  }, []);
  const win = { createdFrom: stats.from, createdTo: stats.to };
  const deptOption = useDeptOption(stats);
  const monthOption = useMonthOption(stats);
  const onDept = (index: number, series: string) => {
    const d = chartedDepartments(stats)[index];
    if (!d) return;
    location.hash =
      series === '收到线索'
        ? list('clues', { ownerDepartmentId: d.department.id, ...win })
        : series === '移送超期'
          ? list('transfers', { overdue: true })
          : series.startsWith('问题')
            ? list('problems', { responsibleDepartmentId: d.department.id })
            : list('cases', { ownerDepartmentId: d.department.id });
  };
  const onMonth = (index: number) => {
    const m = stats.byMonth[index];
    if (m) location.hash = list('clues', { createdFrom: `${m.month}-01`, createdTo: lastDay(m.month) });
  };
  return (
    <>
      <h2 data-testid="board-title">
        督办统计 · {stats.regionCode} · {stats.from} 至 {stats.to}
      </h2>
      <section className="figures" data-testid="totals">
        <Figure id="cluesReceived" label="新收线索" value={stats.cluesReceived} to={list('clues', win)} />
        <Figure id="cluesRouted" label="已分派线索" value={stats.cluesRouted} to={list('clues', win)} />
        <Figure id="cluesTransferred" label="线索移送" value={stats.cluesTransferred} to={list('transfers')} />
        <Figure id="transfersOverdue" label="移送超期" value={stats.transfersOverdue} tone="bad" to={list('transfers', { overdue: true })} />
        <Figure id="transfersReturned" label="移送退回" value={stats.transfersReturned} to={list('transfers', { status: 'RETURNED' })} />
        <Figure id="casesFiled" label="立案" value={stats.casesFiled} to={list('cases')} />
        <Figure id="casesClosed" label="结案" value={stats.casesClosed} to={list('cases', { status: 'CLOSED' })} />
        <Figure id="supervisionOpen" label="督办中" value={stats.supervisionOpen} to={list('supervision', { status: 'OPEN' })} />
        <Figure id="supervisionOverdue" label="督办超期" value={stats.supervisionOverdue} tone="bad" to={list('supervision', { status: 'OVERDUE' })} />
        <Figure id="supervisionCompleted" label="督办办结" value={stats.supervisionCompleted} tone="good" to={list('supervision', { status: 'COMPLETED' })} />
        <Figure id="problemsFound" label="发现问题" value={stats.problemsFound} to={list('problems')} />
        <Figure id="problemsClosed" label="问题销号" value={stats.problemsClosed} tone="good" to={list('problems', { status: 'CLOSED' })} />
        <Figure id="measuresOverdue" label="整改超期" value={stats.measuresOverdue} tone="bad" to={list('problems', { overdue: true })} />
        <Figure id="amountRecovered" label="追回金额" value={money(stats.amountRecovered)} to={list('cases', { status: 'CLOSED' })} />
        <Figure id="clearedRate" label="疑点清零率" value={percent(stats.clearedRate)} to={list('clues', win)} />
        <Figure id="clueToCaseRate" label="线索转化率" value={percent(stats.clueToCaseRate)} to={list('cases')} />
      </section>
      <section className="panel">
        <h3>整改进度</h3>
        <Progress done={stats.problemsClosed} total={stats.problemsFound} label="问题销号 / 发现问题" />
        <p className="muted">
          回头看：通过 {stats.rechecksPassed}，复发 {stats.rechecksRecurred}；主动退回 {money(stats.voluntaryRefund)}，退还群众{' '}
          {money(stats.patientRefund)}
        </p>
      </section>
      <section className="charts">
        <div className="panel">
          <h3>按部门</h3>
          <Chart option={deptOption} onClick={onDept} testId="chart-department" />
        </div>
        <div className="panel">
          <h3>按月</h3>
          <Chart option={monthOption} onClick={onMonth} testId="chart-month" />
        </div>
      </section>
      <section className="panel">
        <h3>按部门明细</h3>
        <table data-testid="by-department">
          <thead>
            <tr>
              <th>部门</th>
              <th>收到线索</th>
              <th>移出</th>
              <th>移送超期</th>
              <th>立案</th>
              <th>结案</th>
              <th>整改进度</th>
              <th>整改超期</th>
              <th>追回金额</th>
            </tr>
          </thead>
          <tbody>
            {stats.byDepartment.map((d) => (
              <tr key={d.department.id}>
                <td>{d.department.name}</td>
                <td>
                  <a href={list('clues', { ownerDepartmentId: d.department.id, ...win })}>{d.cluesReceived}</a>
                </td>
                <td>
                  <a href={list('transfers')}>{d.cluesTransferredOut}</a>
                </td>
                <td>
                  <a href={list('transfers', { overdue: true })}>{d.transfersOverdue}</a>
                </td>
                <td>
                  <a href={list('cases', { ownerDepartmentId: d.department.id })}>{d.casesFiled}</a>
                </td>
                <td>
                  <a href={list('cases', { ownerDepartmentId: d.department.id, status: 'CLOSED' })}>{d.casesClosed}</a>
                </td>
                <td>
                  <a href={list('problems', { responsibleDepartmentId: d.department.id })}>
                    <Progress done={d.problemsClosed} total={d.problemsFound} label="问题销号 / 发现问题" />
                  </a>
                </td>
                <td>
                  <a href={list('problems', { responsibleDepartmentId: d.department.id, overdue: true })}>{d.measuresOverdue}</a>
                </td>
                <td>{money(d.amountRecovered)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="panel">
        <h3>专项行动</h3>
        {stats.byCampaign.length === 0 ? (
          <p className="muted">窗口内没有可见的专项行动。</p>
        ) : (
          <table data-testid="campaigns">
            <thead>
              <tr>
                <th>编号</th>
                <th>名称</th>
                <th>阶段</th>
                <th>目标机构</th>
                <th>疑点</th>
                <th>整改进度</th>
                <th>追回金额</th>
              </tr>
            </thead>
            <tbody>
              {stats.byCampaign.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a href={list('clues', { campaignId: c.id, regionCode: undefined })}>{c.code}</a>
                  </td>
                  <td>{c.name}</td>
                  <td>{labels.get(`CampaignPhase.${c.phase}`) ?? c.phase}</td>
                  <td>{c.figures.targets}</td>
                  <td>
                    <a href={list('clues', { campaignId: c.id })}>{c.figures.hits}</a>
                  </td>
                  <td>
                    <a href={list('problems', { campaignId: c.id })}>
                      <Progress done={c.figures.problemsClosed} total={c.figures.problemsFound} label="问题销号 / 发现问题" />
                    </a>
                  </td>
                  <td>{money(c.figures.amountRecovered)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

/** Departments with something to show (all of them when none has). */
function chartedDepartments(stats: Stats): Stats['byDepartment'] {
  const active = stats.byDepartment.filter(
    (d) => d.cluesReceived || d.casesFiled || d.casesClosed || d.transfersOverdue || d.problemsFound || d.problemsClosed,
  );
  return active.length ? active : stats.byDepartment;
}

function useDeptOption(stats: Stats): echarts.EChartsCoreOption {
  return useMemo<echarts.EChartsCoreOption>(() => {
    const departments = chartedDepartments(stats);
    return {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 30, bottom: 60 },
    xAxis: {
      type: 'category',
      data: departments.map((d) => d.department.name),
      axisLabel: { interval: 0, rotate: 20, fontSize: 10 },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '收到线索', type: 'bar', data: departments.map((d) => d.cluesReceived) },
      { name: '立案', type: 'bar', data: departments.map((d) => d.casesFiled) },
      { name: '结案', type: 'bar', data: departments.map((d) => d.casesClosed) },
      { name: '移送超期', type: 'bar', data: departments.map((d) => d.transfersOverdue) },
      { name: '问题发现', type: 'bar', data: departments.map((d) => d.problemsFound) },
      { name: '问题销号', type: 'bar', data: departments.map((d) => d.problemsClosed) },
    ],
    };
  }, [stats]);
}

function useMonthOption(stats: Stats): echarts.EChartsCoreOption {
  return useMemo<echarts.EChartsCoreOption>(() => ({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 40, right: 10, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: stats.byMonth.map((m) => m.month) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '新收线索', type: 'bar', data: stats.byMonth.map((m) => m.cluesReceived) },
      { name: '立案', type: 'line', data: stats.byMonth.map((m) => m.casesFiled) },
      { name: '结案', type: 'line', data: stats.byMonth.map((m) => m.casesClosed) },
      { name: '问题销号', type: 'line', data: stats.byMonth.map((m) => m.problemsClosed) },
    ],
  }), [stats]);
}
