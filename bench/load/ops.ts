/**
 * What each operation of the load mix (run.ts) costs: one API process, one operation at a time
 * (2 connections, `--duration` seconds after a 1 s warm-up), its Node CPU and the PostgreSQL
 * backends' CPU per request (from /proc, as bench/api does), with p50/p99. On a shared machine
 * the CPU per request holds where latencies do not; run it for two builds alternately
 * (BENCH_SERVE, as in run.ts) to compare them.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/load/ops.js [--duration 4]
 *
 * The user is the investigator (and, for the case list and the statistics, the leader) of a
 * county department of the demo (bench_api, see bench/api/run.ts); 100 open clues per
 * department are inserted first, as run.ts does, and deleted after. Last, a transition
 * (startVerification): `--transitions` (300) fresh clues of the department, one per request,
 * a fixed number of requests rather than `--duration`.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { autocannon, AutocannonOptions, AutocannonResult, cpuMs, graphql, login, startChild } from '../api/http';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const DURATION = arg('duration', 4);
/** Fresh clues for the transition operation (each takes one). */
const TRANSITION_CLUES = arg('transitions', 300);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/bench_api';
const PASSWORD = process.env.SEED_PASSWORD || 'demo-password-2025';
const URL = 'http://127.0.0.1:4741';
const DIST = join(__dirname, '..', '..');

const LIST = `query ($after: String) { clues(first: 20, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id code title status amountInvolved createdAt owner { id name } institution { code name } } } } }`;
const DETAIL = `query ($id: ID!) { clue(id: $id) { id code title description status version amountInvolved allowedEvents
  owner { id name } institution { code name } persons { id name } copiedTo { id name }
  transfers { id status } case { id } timeline { at event from to actor { id displayName } } } }`;
const CASES = `{ cases(first: 20) { totalCount edges { node { id code title status } } } }`;
const GRAPH = `query ($id: ID!) { caseGraph(rootId: $id, depth: 2, limit: 100) { truncated nodes { id label depth } edges { from to kind } } }`;
const STATS = `query ($region: String!, $from: Date!, $to: Date!) { supervisionStats(regionCode: $region, from: $from, to: $to) {
  cluesReceived cluesRouted casesFiled casesClosed amountRecovered clueToCaseRate byMonth { month cluesReceived } } }`;

async function main(): Promise<void> {
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  const tag = `ops ${new Date().toISOString()}`;
  const departments: { id: string; region_code: string; investigator: string; leader: string }[] = (
    await db.query(
      `SELECT d.id, d.region_code, i.username AS investigator, l.username AS leader FROM department d
       JOIN app_user i ON i.department_id = d.id AND i.roles = '{INVESTIGATOR}' AND i.active
       JOIN app_user l ON l.department_id = d.id AND l.roles = '{LEADER}' AND l.active
       WHERE d.kind IN ('MEDICAL_INSURANCE', 'HEALTH') ORDER BY d.region_code, d.kind`,
    )
  ).rows;
  const department = departments.find((d) => /\d{4}(0[1-9]|[1-9]\d)$/.test(d.region_code));
  if (!department) throw new Error('no county department with an investigator and a leader: load the demo first');
  await db.query(
    `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id, routed_at)
     SELECT 'OP' || to_char(now(), 'YYMMDDHH24MISS') || '-' || d.n || '-' || i, $1, 'PETITION', 'ASSIGNED',
            d.region_code, 1, d.id, now()
     FROM (SELECT id, region_code, row_number() OVER (ORDER BY id) AS n FROM department WHERE id = ANY($2::uuid[])) d,
          generate_series(1, 100) i`,
    [tag, departments.map((d) => d.id)],
  );
  const server = await startChild(
    'ops',
    [process.env.BENCH_SERVE || join(DIST, 'src', 'cli', 'serve.js')],
    { ...process.env, DATABASE_URL, PORT: '4741', QUEUE_PREFIX: 'bench-ops' },
    `${URL}/healthz`,
    '/tmp/bench-load-ops.log',
  );
  try {
    const investigator = await login(`${URL}/graphql`, department.investigator, PASSWORD);
    const leader = await login(`${URL}/graphql`, department.leader, PASSWORD);
    const page = await graphql<{ clues: { pageInfo: { endCursor: string }; edges: { node: { id: string } }[] } }>(
      `${URL}/graphql`,
      LIST,
      {},
      investigator,
    );
    const id = page.clues.edges[Math.min(5, page.clues.edges.length - 1)].node.id;
    const operations: Record<string, [string, Record<string, unknown>, string]> = {
      'clues list': [LIST, {}, investigator],
      'clues list, next page': [LIST, { after: page.clues.pageInfo.endCursor }, investigator],
      'clue detail': [DETAIL, { id }, investigator],
      'cases list': [CASES, {}, leader],
      'case graph': [GRAPH, { id }, investigator],
      statistics: [STATS, { region: department.region_code, from: '2025-01-01', to: '2025-12-31' }, leader],
      me: ['{ me { id } }', {}, investigator],
    };
    const backends = async (): Promise<number[]> =>
      (
        await db.query(
          'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
        )
      ).rows.map((r: { pid: number }) => r.pid);
    /** One measured load: latencies, and the CPU per request of the API process and of its backends. */
    const measured = async (run: () => Promise<AutocannonResult>) => {
      const baseline = new Map<number, number>();
      for (const pid of await backends()) baseline.set(pid, cpuMs(pid));
      const nodeBefore = cpuMs(server.process.pid!);
      const result = await run();
      const node = cpuMs(server.process.pid!) - nodeBefore;
      let postgres = 0;
      for (const pid of await backends()) postgres += Math.max(0, cpuMs(pid) - (baseline.get(pid) ?? 0));
      const n = result.requests.total;
      return {
        requests: n,
        non2xx: result.non2xx,
        p50: result.latency.p50,
        p99: result.latency.p99,
        nodeCpuMs: Math.round((node / n) * 100) / 100,
        postgresCpuMs: Math.round((postgres / n) * 100) / 100,
      };
    };
    const results: Record<string, object> = {};
    for (const [name, [query, variables, token]] of Object.entries(operations)) {
      const options = {
        url: `${URL}/graphql`,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      };
      await autocannon({ ...options, connections: 2, duration: 1 });
      results[name] = await measured(() => autocannon({ ...options, connections: 2, duration: DURATION }));
    }
    // A transition (startVerification, as in run.ts without a version race): each request takes
    // the next of TRANSITION_CLUES fresh clues of the department, inserted now.
    const fresh: string[] = (
      await db.query(
        `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id, routed_at)
         SELECT 'OT' || to_char(now(), 'YYMMDDHH24MISS') || '-' || i, $1, 'PETITION', 'ASSIGNED', $2, 1, $3, now()
         FROM generate_series(1, ${TRANSITION_CLUES}) i RETURNING id`,
        [tag, department.region_code, department.id],
      )
    ).rows.map((r: { id: string }) => Buffer.from(`Clue:${r.id}`).toString('base64url'));
    let next = 0;
    const START = 'mutation ($id: ID!) { startVerification(clueId: $id) { id version status } }';
    const transition = {
      url: `${URL}/graphql`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${investigator}` },
      requests: [
        {
          setupRequest: (req: Record<string, unknown>) => ({
            ...req,
            body: JSON.stringify({ query: START, variables: { id: fresh[next++ % fresh.length] } }),
          }),
        },
      ],
    };
    await autocannon({ ...transition, connections: 2, amount: 20 } as AutocannonOptions);
    // A fixed number, not a duration: the fresh clues must last.
    results.transition = await measured(() =>
      autocannon({ ...transition, connections: 2, amount: TRANSITION_CLUES - 40 } as AutocannonOptions),
    );
    process.stdout.write(
      `${JSON.stringify({ bench: 'load-ops', user: department.investigator, durationSeconds: DURATION, operations: results })}\n`,
    );
  } finally {
    await server.stop();
    await db.query(
      `DELETE FROM state_change WHERE entity_type = 'Clue' AND entity_id IN (SELECT id FROM clue WHERE title = $1)`,
      [tag],
    );
    await db.query('DELETE FROM clue WHERE title = $1', [tag]);
    await db.query('VACUUM ANALYZE clue, state_change'); // their dead rows too (see run.ts)
    await db.end();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
