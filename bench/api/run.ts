/**
 * The API against a peer on the same data: our GraphQL API and PostGraphile 4 (written
 * independently of the product, it introspects the same PostgreSQL database and checks no
 * access) answer the same list — 20 clues, newest first, with their owner department,
 * institution and the total count — under autocannon, alternately, in one run. Also the
 * fixed cost of one request with one client ({ me { id } } against /healthz). Prints one JSON
 * line: requests per second, p50 and p99 per side and round, the ratio ours / peer, and the CPU
 * per request of each side (its Node process and the PostgreSQL backends; cpuRatio = peer's CPU
 * per request / ours, above 1 when ours costs less) — on a shared machine the steadier figure.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/api/run.js [--rounds 2] [--duration 10] [--connections 20]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bench_api) must hold a demo
 * database (`DATABASE_URL=… npm run demo`, stopped once it prints how to log in). BENCH_USER
 * (default yb-610000-leader, the province's fund supervision leader) logs in with SEED_PASSWORD.
 * The servers run as child processes on ports 4711 (ours) and 4712 (PostGraphile); their output
 * goes to /tmp/bench-api-*.log. BENCH_SERVE names another build's dist/src/cli/serve.js (e.g. of
 * an earlier commit, extracted with git archive and built) to measure it instead of this one.
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { autocannon, AutocannonResult, cpuMs, graphql, login, median, startChild } from './http';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

const ROUNDS = arg('rounds', 2);
const DURATION = arg('duration', 10);
const CONNECTIONS = arg('connections', 20);
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/bench_api';
const USER = process.env.BENCH_USER || 'yb-610000-leader';
const PASSWORD = process.env.SEED_PASSWORD || 'demo-password-2025';
const OURS = 'http://127.0.0.1:4711';
const PEER = 'http://127.0.0.1:4712';
/** dist/ (this file runs as dist/bench/api/run.js). */
const DIST = join(__dirname, '..', '..');

const OUR_LIST = `{ clues(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id code title status amountInvolved createdAt owner { id name } institution { code name } } } } }`;
const PEER_LIST = `{ allClues(first: 20, orderBy: [CREATED_AT_DESC, ID_DESC]) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id code title status amountInvolved createdAt
  departmentByOwnerDepartmentId { id name } institutionByInstitutionCode { code name } } } } }`;

const summary = (r: AutocannonResult, cpu?: { node: number; postgres: number }) => ({
  rps: Math.round(r.requests.average * 10) / 10,
  p50: r.latency.p50,
  p99: r.latency.p99,
  requests: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  // CPU per request (ms) of the server process and of the PostgreSQL backends: what a request
  // costs, whatever else the machine runs at the time.
  ...(cpu && {
    nodeCpuMs: Math.round((cpu.node / r.requests.total) * 100) / 100,
    postgresCpuMs: Math.round((cpu.postgres / r.requests.total) * 100) / 100,
  }),
});

async function main(): Promise<void> {
  const env = { ...process.env, DATABASE_URL, NODE_ENV: process.env.NODE_ENV || 'development' };
  const ours = await startChild(
    'ours',
    [process.env.BENCH_SERVE || join(DIST, 'src', 'cli', 'serve.js')],
    { ...env, PORT: '4711', QUEUE_PREFIX: 'bench-api' },
    `${OURS}/healthz`,
    '/tmp/bench-api-ours.log',
  );
  const peer = await startChild(
    'postgraphile',
    [
      require.resolve('postgraphile/cli.js'),
      '-c',
      DATABASE_URL,
      '--host',
      '127.0.0.1',
      '--port',
      '4712',
      '--disable-query-log',
      '--disable-graphiql',
    ],
    env,
    `${PEER}/graphql`,
    '/tmp/bench-api-peer.log',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' },
  );
  try {
    const token = await login(`${OURS}/graphql`, USER, PASSWORD);
    const auth = { authorization: `Bearer ${token}` };
    // The same page on both sides: the bench compares like with like.
    const ourPage = await graphql<{ clues: { totalCount: number; edges: { node: { code: string } }[] } }>(
      `${OURS}/graphql`,
      OUR_LIST,
      {},
      token,
    );
    const peerPage = await graphql<{ allClues: { totalCount: number; edges: { node: { code: string } }[] } }>(
      `${PEER}/graphql`,
      PEER_LIST,
    );
    const sameCodes =
      JSON.stringify(ourPage.clues.edges.map((e) => e.node.code)) ===
      JSON.stringify(peerPage.allClues.edges.map((e) => e.node.code));

    const post = (url: string, query: string, headers: Record<string, string> = {}) => ({
      url: `${url}/graphql`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    const load = (options: ReturnType<typeof post>, connections = CONNECTIONS, duration = DURATION) =>
      autocannon({ ...options, connections, duration });

    // Warm-up: JIT, pools, prepared plans.
    await load(post(OURS, OUR_LIST, auth), CONNECTIONS, 3);
    await load(post(PEER, PEER_LIST), CONNECTIONS, 3);

    const pg = new Client({ connectionString: DATABASE_URL });
    await pg.connect();
    const backends = async (): Promise<number[]> =>
      (
        await pg.query('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
      ).rows.map((r: { pid: number }) => r.pid);
    /**
     * One measured load, with the CPU the server process and the database backends used. The
     * backends are sampled every 250 ms (pools open and close connections during a round): a
     * backend first seen during the round counts from 0.
     */
    const measured = async (pid: number, options: ReturnType<typeof post>) => {
      const baseline = new Map<number, number>();
      const last = new Map<number, number>();
      for (const p of await backends()) baseline.set(p, cpuMs(p));
      const sample = async () => {
        for (const p of await backends()) {
          if (!baseline.has(p)) baseline.set(p, 0);
          last.set(p, cpuMs(p));
        }
      };
      const sampler = setInterval(() => void sample(), 250);
      const nodeBefore = cpuMs(pid);
      const result = await load(options);
      const node = cpuMs(pid) - nodeBefore;
      clearInterval(sampler);
      await sample();
      const postgres = [...last].reduce((sum, [p, ms]) => sum + Math.max(0, ms - (baseline.get(p) ?? 0)), 0);
      return summary(result, { node, postgres });
    };
    const rounds: { ours: ReturnType<typeof summary>; peer: ReturnType<typeof summary> }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const o = await measured(ours.process.pid!, post(OURS, OUR_LIST, auth));
      const p = await measured(peer.process.pid!, post(PEER, PEER_LIST));
      rounds.push({ ours: o, peer: p });
    }
    await pg.end();
    // The fixed cost of a request: one client, the smallest authenticated query, against /healthz.
    const me = summary(await load(post(OURS, '{ me { id } }', auth), 1, 5));
    const health = summary(await autocannon({ url: `${OURS}/healthz`, connections: 1, duration: 5 }));

    const side = (values: ReturnType<typeof summary>[]) => ({
      rps: median(values.map((v) => v.rps)),
      p50: median(values.map((v) => v.p50)),
      p99: median(values.map((v) => v.p99)),
      nodeCpuMs: median(values.map((v) => v.nodeCpuMs ?? 0)),
      postgresCpuMs: median(values.map((v) => v.postgresCpuMs ?? 0)),
    });
    const cpuOf = (name: 'ours' | 'peer') =>
      median(rounds.map((r) => (r[name].nodeCpuMs ?? 0) + (r[name].postgresCpuMs ?? 0)));
    const oursRps = median(rounds.map((r) => r.ours.rps));
    const peerRps = median(rounds.map((r) => r.peer.rps));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'api',
        database: DATABASE_URL.replace(/\/\/[^@]*@/, '//'),
        user: USER,
        connections: CONNECTIONS,
        durationSeconds: DURATION,
        totalCount: ourPage.clues.totalCount,
        peerTotalCount: peerPage.allClues.totalCount,
        samePage: sameCodes,
        ours: side(rounds.map((r) => r.ours)),
        peer: side(rounds.map((r) => r.peer)),
        ratio: Math.round((oursRps / peerRps) * 100) / 100,
        cpuRatio: Math.round((cpuOf('peer') / cpuOf('ours')) * 100) / 100,
        rounds,
        fixedCost: {
          meP50: me.p50,
          meAvgMs: Math.round((1000 / me.rps) * 100) / 100,
          healthzP50: health.p50,
          healthzAvgMs: Math.round((1000 / health.rps) * 100) / 100,
        },
      })}\n`,
    );
  } finally {
    await Promise.all([ours.stop(), peer.stop()]);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
