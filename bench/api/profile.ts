/**
 * A CPU profile of our API under the clue list load of run.ts: starts the server with
 * --cpu-prof, loads it for --duration seconds, stops it and prints the top functions by self
 * time (and the profile's path, for Chrome DevTools).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/api/profile.js [--duration 10] [--query me|list]
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { autocannon, login, startChild } from './http';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

const DURATION = Number(arg('duration', '10'));
const QUERY = arg('query', 'list');
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/bench_api';
const URL = 'http://127.0.0.1:4711';
const DIST = join(__dirname, '..', '..');
const LIST = `{ clues(first: 20) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id code title status amountInvolved createdAt owner { id name } institution { code name } } } } }`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

async function main(): Promise<void> {
  const dir = join('/tmp', `bench-api-profile-${Date.now()}`);
  mkdirSync(dir);
  const server = await startChild(
    'ours',
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, join(DIST, 'src', 'cli', 'serve.js')],
    { ...process.env, DATABASE_URL, PORT: '4711', QUEUE_PREFIX: 'bench-api' },
    `${URL}/healthz`,
    '/tmp/bench-api-profile.log',
  );
  const token = await login(`${URL}/graphql`, process.env.BENCH_USER || 'yb-610000-leader', process.env.SEED_PASSWORD || 'demo-password-2025');
  const result = await autocannon({
    url: `${URL}/graphql`,
    method: 'POST',
    connections: 20,
    duration: DURATION,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: QUERY === 'me' ? '{ me { id } }' : LIST }),
  });
  await server.stop();
  const file = join(dir, readdirSync(dir)[0]);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[] };
  const total = profile.nodes.reduce((sum, n) => sum + n.hitCount, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const n of profile.nodes) {
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${lineNumber}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + n.hitCount);
    const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? (url.includes('/dist/') ? 'ours' : url ? 'node' : functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n.hitCount);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, hits]) => ({ name, pct: Math.round((hits / total) * 1000) / 10 }));
  process.stdout.write(
    `${JSON.stringify({ profile: file, rps: result.requests.average, p50: result.latency.p50, byPackage: top(byPackage, 20), byFunction: top(byFunction, 40) }, null, 1)}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
