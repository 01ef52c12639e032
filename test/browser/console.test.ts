/**
 * The console (/console) in a real browser: Debian's chromium driven by playwright-core
 * (.ci/run installs it; never skipped). Logs in through the page, opens every page, checks
 * what it shows against the API, saves a screenshot per page (test-output/console, or
 * CONSOLE_SCREENSHOTS), and fails on any request that leaves the server's origin.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { notify } from '../../src/domain/notification/notification.service';
import { sqlEncrypt, sqlKeyedHash } from '../../src/domain/reference/personal-data';
import { startApiServer } from '../../src/server';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import {
  departmentIdOf,
  gid,
  insertCase,
  insertClue,
  insertRectification,
  insertSupervisionItem,
  insertTransfer,
  seedWorkflowFixtures,
} from '../support/workflow-fixtures';

// A real browser on a shared machine: generous waits (the figures, not the speed, are tested).
jest.setTimeout(240_000);
const WAIT = 120_000;

const ROOT = resolve(__dirname, '..', '..');
const SHOTS = resolve(process.env.CONSOLE_SCREENSHOTS ?? join(ROOT, 'test-output', 'console'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LEADER = 'yb-610302-leader';
const REGION = '610302';
const ID_NUMBER = '610302198001011234';

let t: TestApi;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const requests: string[] = [];
const outside: string[] = [];
const pageErrors: string[] = [];
const ids: Record<string, string> = {};

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
// Statistics windows are Asia/Shanghai dates.
const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
const yearAgo = `${new Date().getUTCFullYear() - 1}-01-01`;

async function seed(): Promise<void> {
  await seedWorkflowFixtures(t.services);
  const yb = { kind: 'MEDICAL_INSURANCE', region: REGION };
  const ga = { kind: 'PUBLIC_SECURITY', region: REGION };
  const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);
  // A resident ID number, stored as the ingest stores it: the console must never show it.
  const { encKey, hashKey } = t.services.personalDataKeys;
  await q(
    `UPDATE person SET id_number_enc = ${sqlEncrypt('$1::text', '$2')}, id_number_hash = ${sqlKeyedHash('$1::text', '$3')},
            id_number_masked = '610302********' || right($1, 4) WHERE person_id = 'P1'`,
    [ID_NUMBER, encKey, hashKey],
  );
  const clue = await insertClue(t.services, { ownerKind: yb.kind, ownerRegion: REGION, title: '渭滨区人民医院串换药品' });
  await q(`UPDATE clue SET institution_code = 'H610302001' WHERE id = $1`, [clue]);
  await q(`INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, 'P1', 'SUBJECT'), ($1, 'P2', 'SUBJECT')`, [clue]);
  const second = await insertClue(t.services, { ownerKind: yb.kind, ownerRegion: REGION, title: '金台区中医医院分解住院' });
  await q(`UPDATE clue SET institution_code = 'H610302001' WHERE id = $1`, [second]);
  const kase = await insertCase(t.services, { ownerKind: yb.kind, ownerRegion: REGION, clueIds: [clue], title: '串换药品案' });
  const transfer = await insertTransfer(t.services, second, yb, ga, 'PENDING');
  await q(`UPDATE clue_transfer SET requested_at = now() - interval '9 days', accept_deadline = now() - interval '2 days', overdue = true
       WHERE id = $1`, [
    transfer,
  ]);
  const item = await insertSupervisionItem(t.services, { creator: yb, assignee: yb, caseId: kase, status: 'OVERDUE' });
  await q(`UPDATE supervision_item SET deadline = now() - interval '1 day', overdue_at = now() WHERE id = $1`, [item]);
  // A person only the second clue names: two hops further than the graph's first depth.
  await q(`INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, 'P3', 'SUBJECT')`, [second]);
  await insertRectification(t.services, kase, yb);
  const yb610302 = await departmentIdOf(t.services, yb.kind, REGION);
  await t.services.db.transaction((m) =>
    notify(m, {
      kind: 'TRANSFER_RECEIVED',
      title: '收到线索移送（夹具）',
      body: '已有的一条消息',
      target: { type: 'Clue', id: clue },
      to: { departmentIds: [yb610302] },
    }),
  );
  ids.clue = gid('Clue', clue);
  ids.case = gid('Case', kase);
  ids.department = yb610302;
}

async function api<T = any>(query: string, variables: Record<string, unknown> = {}, username = LEADER): Promise<T> {
  const res = await t.gql<T>(query, variables, await t.login(username));
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
}

async function signIn(username = LEADER): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', TEST_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=who]');
}

beforeAll(async () => {
  // The bundle the server serves, as `npm run build` makes it.
  execFileSync(process.execPath, [join(ROOT, 'console', 'build.mjs')], { stdio: 'inherit' });
  mkdirSync(SHOTS, { recursive: true });
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  t = await startTestApi();
  origin = new URL(t.api.url).origin;
  await seed();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'] });
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  // Anything for another host is refused and remembered: the test below fails on it.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    outside.push(url);
    return route.abort();
  });
  context.setDefaultTimeout(WAIT);
  page = await context.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('websocket', (ws) => requests.push(ws.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
}, WAIT);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('console in chromium', () => {
  it('sends browsers from /graphql to the console; no Apollo landing page in any mode', async () => {
    const html = await fetch(t.api.url, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe('/console/#/graphiql');
    for (const nodeEnv of ['development', 'production'] as const) {
      const server = await startApiServer({ ...t.services, config: { ...t.config, nodeEnv } }, 0);
      try {
        const res = await fetch(server.url, { headers: { accept: '*/*' } });
        const body = await res.text();
        expect(body).not.toMatch(/apollographql|embeddable-sandbox|cdn\./i);
        const page = await fetch(new URL('/console/', server.url));
        expect(page.status).toBe(200);
        expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
      } finally {
        await server.stop();
        server.httpServer.close();
      }
    }
  });

  it('logs in with the API login and refuses a wrong password', async () => {
    await page.goto(`${origin}/console/`);
    await page.fill('input[name=username]', LEADER);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[role=alert]');
    await shot('login');
    await signIn();
    const me = await api('{ me { displayName department { name } } }');
    expect(await page.textContent('[data-testid=who]')).toContain(me.me.displayName);
  });

  it('shows the leaders’ board: the API’s figures, charts per department and month, each figure linked to its list', async () => {
    await page.goto(`${origin}/console/#/board?region=${REGION}&from=${yearAgo}&to=${today}`);
    await page.waitForSelector('[data-testid=totals]');
    await page.waitForSelector('[data-testid=chart-department] svg');
    await page.waitForSelector('[data-testid=chart-month] svg');
    const { supervisionStats: s } = await api(
      `query($r: String!, $f: Date!, $t: Date!) { supervisionStats(regionCode: $r, from: $f, to: $t) {
        cluesReceived transfersOverdue supervisionOverdue problemsFound casesFiled byDepartment { department { name } } byMonth { month } } }`,
      { r: REGION, f: yearAgo, t: today },
    );
    const figure = (id: string) => page.textContent(`[data-figure=${id}] .figure-value`);
    expect(s.transfersOverdue).toBeGreaterThan(0);
    expect(s.supervisionOverdue).toBeGreaterThan(0);
    for (const id of ['cluesReceived', 'transfersOverdue', 'supervisionOverdue', 'problemsFound', 'casesFiled'])
      expect(await figure(id)).toBe(String(s[id]));
    const departments = await page.textContent('[data-testid=by-department]');
    for (const d of s.byDepartment) expect(departments).toContain(d.department.name);
    const months = await page.textContent('[data-testid=chart-month]');
    expect(months).toContain(s.byMonth[0].month);
    await shot('board');

    // The overdue transfers figure opens the transfers list filtered on overdue.
    await page.click('[data-figure=transfersOverdue]');
    await page.waitForSelector('[data-testid=list-title]:has-text("共")');
    await page.waitForSelector('[data-testid=list] tbody tr');
    expect(await page.textContent('[data-testid=list-title]')).toContain('线索移送');
    expect(await page.textContent('[data-testid=list]')).toContain('超期');
    await shot('list-transfers-overdue');
    await page.goBack();
    await page.click('[data-figure=supervisionOverdue]');
    await page.waitForSelector('[data-testid=list] tbody tr');
    expect(await page.textContent('[data-testid=list-title]')).toContain('督办事项');
  });

  it('draws the case graph with Chinese node kinds, masked persons, the truncated flag, and expands a node on click', async () => {
    const { caseGraph } = await api(
      `query($id: ID!) { caseGraph(rootId: $id, depth: 2, limit: 200) { nodes { id type label } truncated } }`,
      { id: ids.clue },
    );
    await page.goto(`${origin}/console/#/graph?root=${encodeURIComponent(ids.clue)}`);
    await page.waitForSelector('[data-testid=graph-nodes] tbody tr');
    await page.waitForFunction(() => (globalThis as any).__caseGraph?.nodes().length > 0);
    const rows = await page.$$eval('[data-testid=graph-nodes] tbody tr', (trs) =>
      trs.map((tr) => ({ id: tr.getAttribute('data-node-id'), label: tr.querySelector('.node-label')!.textContent })),
    );
    expect(rows.map((r) => r.id).sort()).toEqual(caseGraph.nodes.map((n: { id: string }) => n.id).sort());
    // Persons exactly as the API labels them for this user (masked), never an ID number.
    for (const person of caseGraph.nodes.filter((n: { type: string }) => n.type === 'Person'))
      expect(rows.find((r) => r.id === person.id)!.label).toBe(person.label);
    expect(await page.textContent('body')).not.toContain(ID_NUMBER);
    expect(await page.textContent('body')).not.toMatch(/\d{17}[\dXx]/);
    const legend = await page.textContent('[data-testid=legend]');
    for (const kind of ['线索', '案件', '医药机构', '人员']) expect(legend).toContain(kind);
    const drawn = await page.evaluate(() => (globalThis as any).__caseGraph.nodes().length);
    expect(drawn).toBe(caseGraph.nodes.length);
    await shot('graph');

    // Clicking a node (a tap on the canvas graph) expands it: its neighbours join the graph.
    const institution = caseGraph.nodes.find((n: { type: string }) => n.type === 'Institution');
    const secondClue = caseGraph.nodes.find((n: { type: string; id: string }) => n.type === 'Clue' && n.id !== ids.clue);
    const { caseGraph: around } = await api(
      `query($id: ID!) { caseGraph(rootId: $id, depth: 1, limit: 200) { nodes { id label } } }`,
      { id: secondClue.id },
    );
    const known = new Set(caseGraph.nodes.map((n: { id: string }) => n.id));
    const added = around.nodes.filter((n: { id: string }) => !known.has(n.id));
    expect(added.length).toBeGreaterThan(0);
    await page.evaluate((id) => {
      (globalThis as any).__caseGraph.getElementById(id).emit('tap');
    }, secondClue.id);
    await page.waitForFunction((n) => (globalThis as any).__caseGraph.nodes().length === n, known.size + added.length);
    expect(await page.textContent('[data-testid=selected-node]')).toContain('线索');
    expect(await page.textContent('[data-testid=graph-nodes]')).toContain(added[0].label);
    expect(await page.textContent('body')).not.toContain(ID_NUMBER);
    await shot('graph-expanded');

    // A small node limit: the API truncates, the page says so.
    await page.goto(`${origin}/console/#/graph?root=${encodeURIComponent(ids.clue)}&limit=2`);
    await page.waitForSelector('[data-testid=truncated]');
    expect(await page.textContent('[data-testid=truncated]')).toContain('已截断');
    await shot('graph-truncated');

    // Entering an institution code finds its graph.
    await page.goto(`${origin}/console/#/graph`);
    await page.selectOption('select[name=kind]', 'institution');
    await page.fill('input[name=root]', 'H610302001');
    await page.click('.graph-page button[type=submit]');
    await page.waitForSelector(`[data-testid=graph-nodes] tr[data-node-id="${institution.id}"]`);

    // And a person id: the person's graph, the person named as the API names them.
    const { person } = await api(`{ person(personId: "P1") { id name } }`);
    await page.selectOption('select[name=kind]', 'person');
    await page.fill('input[name=root]', 'P1');
    await page.click('.graph-page button[type=submit]');
    await page.waitForSelector(`[data-testid=graph-nodes] tr[data-node-id="${person.id}"]`);
    expect(await page.textContent(`tr[data-node-id="${person.id}"] .node-label`)).toBe(person.name);
    expect(await page.textContent('body')).not.toContain(ID_NUMBER);
  });

  it('shows the inbox with the unread count, and a new notification arrives live', async () => {
    await page.goto(`${origin}/console/#/inbox`);
    await page.waitForSelector('[data-testid=notifications] li');
    const before = (await api('{ unreadNotificationCount }')).unreadNotificationCount;
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('[data-testid=unread-count]')?.textContent === String(n),
      before,
    );
    expect(await page.textContent('[data-testid=notifications]')).toContain('收到线索移送（夹具）');
    // Let the subscription connect, then write a notification as the application would.
    await page.waitForFunction(() => performance.getEntriesByType('resource').length > 0);
    await new Promise((r) => setTimeout(r, 1000));
    await t.services.db.transaction((m) =>
      notify(m, {
        kind: 'SUPERVISION_OVERDUE',
        title: '督办事项已超期（实时）',
        body: '订阅推送',
        target: { type: 'Clue', id: Buffer.from(ids.clue, 'base64url').toString().split(':')[1] },
        to: { departmentIds: [ids.department] },
      }),
    );
    await page.waitForSelector('text=督办事项已超期（实时）');
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('[data-testid=unread-count]')?.textContent === String(n),
      before + 1,
    );
    expect(await page.textContent('[data-testid=nav-unread]')).toBe(String(before + 1));
    await shot('inbox');

    // Marking one read goes through the API (markNotificationsRead) and the count follows.
    await page.click('[data-testid=notifications] li.unread button');
    await page.waitForFunction(
      (n) => (globalThis as any).document.querySelector('[data-testid=unread-count]')?.textContent === String(n),
      before,
    );
    expect((await api('{ unreadNotificationCount }')).unreadNotificationCount).toBe(before);
  });

  it('serves GraphiQL with the API schema docs and the login token', async () => {
    await page.goto(`${origin}/console/#/graphiql`);
    await page.waitForSelector('[data-testid=graphiql] .graphiql-container');
    await page.click('.graphiql-execute-button');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('.result-window')?.textContent?.includes('unreadNotificationCount'));
    expect(await page.textContent('.result-window')).toContain(LEADER);
    // The documentation explorer lists the API's own types.
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.waitForSelector('.graphiql-doc-explorer');
    expect(await page.textContent('.graphiql-doc-explorer')).toMatch(/Query/);
    await shot('graphiql');
  });

  it('keeps GraphiQL to the roles CONSOLE_GRAPHIQL admits', async () => {
    const server = await startApiServer({ ...t.services, config: { ...t.config, consoleGraphiql: 'roles' } }, 0);
    try {
      const schema = async (username: string | null) =>
        (
          await fetch(new URL('/console/schema.graphql', server.url), {
            headers: username ? { authorization: `Bearer ${await t.login(username)}` } : {},
          })
        ).status;
      expect(await schema(null)).toBe(401);
      expect(await schema(LEADER)).toBe(403);
      expect(await schema('yb-610302-analyst')).toBe(200);
      expect(await schema('yb-610302-admin')).toBe(200);
      // In the browser, the leader is told why.
      const other = new URL(server.url).origin;
      const otherContext = await browser.newContext();
      const leaderPage = await otherContext.newPage();
      await leaderPage.goto(`${other}/console/`);
      await leaderPage.fill('input[name=username]', LEADER);
      await leaderPage.fill('input[name=password]', TEST_PASSWORD);
      await leaderPage.click('button[type=submit]');
      await leaderPage.waitForSelector('[data-testid=who]');
      await leaderPage.goto(`${other}/console/#/graphiql`);
      await leaderPage.waitForSelector('[data-testid=graphiql-refused]');
      await otherContext.close();
    } finally {
      await server.stop();
      server.httpServer.close();
    }
    const off = await startApiServer({ ...t.services, config: { ...t.config, consoleGraphiql: 'off' } }, 0);
    try {
      const res = await fetch(new URL('/console/schema.graphql', off.url), {
        headers: { authorization: `Bearer ${await t.login('yb-610302-admin')}` },
      });
      expect(res.status).toBe(403);
    } finally {
      await off.stop();
      off.httpServer.close();
    }
  });

  it('made no request outside the server’s origin, and no page error', () => {
    expect(requests.length).toBeGreaterThan(10);
    expect(outside).toEqual([]);
    for (const url of requests) {
      if (url.startsWith('data:') || url.startsWith('blob:')) continue;
      expect(new URL(url).host).toBe(new URL(origin).host);
    }
    expect(pageErrors).toEqual([]);
  });
});
