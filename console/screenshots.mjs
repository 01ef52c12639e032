/* global URL, fetch, document */
// Screenshots of each console page against a running server (for docs/console), e.g. after
// `npm run demo`:  node console/screenshots.mjs --url http://127.0.0.1:4000 --user yb-610113-leader
// Needs Debian's chromium (apt-get install -y chromium) or CHROMIUM_PATH.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:4000' },
    user: { type: 'string', default: 'yb-610113-leader' },
    password: { type: 'string', default: process.env.SEED_PASSWORD || 'demo-password-2025' },
    out: { type: 'string', default: 'docs/console' },
  },
});
const origin = new URL(values.url).origin;
mkdirSync(values.out, { recursive: true });

async function gql(query, variables, token) {
  const res = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const { login } = await gql('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', {
  u: values.user,
  p: values.password,
});
// The root of the graph shot: the case (else clue) with the most to show among the first ones.
const { cases, clues } = await gql('{ cases(first: 10) { edges { node { id } } } clues(first: 10) { edges { node { id } } } }', {}, login.token);
let root = null;
let best = -1;
for (const { node } of [...cases.edges, ...clues.edges]) {
  const { caseGraph } = await gql('query($id: ID!) { caseGraph(rootId: $id) { nodes { id } } }', { id: node.id }, login.token);
  if (caseGraph.nodes.length > best && caseGraph.nodes.length <= 40) [root, best] = [node.id, caseGraph.nodes.length];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--lang=zh-CN'],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
const shot = async (name) => {
  await page.waitForTimeout(800);
  await page.screenshot({ path: join(values.out, `${name}.png`), fullPage: true });
  console.log(join(values.out, `${name}.png`));
};
await page.goto(`${origin}/console/`);
await page.fill('input[name=username]', values.user);
await shot('login');
await page.fill('input[name=password]', values.password);
await page.click('button[type=submit]');
await page.waitForSelector('[data-testid=who]');
await page.goto(`${origin}/console/#/board`);
await page.waitForSelector('[data-testid=chart-month] svg');
await shot('board');
await page.click('[data-figure=casesFiled]');
await page.waitForSelector('[data-testid=list-title]:has-text("共")');
await shot('list');
if (root) {
  await page.goto(`${origin}/console/#/graph?root=${encodeURIComponent(root)}`);
  await page.waitForSelector('[data-testid=graph-nodes] tbody tr');
  await shot('graph');
}
await page.goto(`${origin}/console/#/inbox`);
await page.waitForSelector('[data-testid=unread-count]');
await shot('inbox');
await page.goto(`${origin}/console/#/graphiql`);
await page.waitForSelector('.graphiql-container, [data-testid=graphiql-refused]');
if (await page.$('.graphiql-execute-button')) {
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => document.querySelector('.result-window')?.textContent?.includes('data'));
}
await shot('graphiql');
await browser.close();
