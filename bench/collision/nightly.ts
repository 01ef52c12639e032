/**
 * The one-day nightly run of issue 14: `collide --from D --to D` through the CLI with its
 * defaults (all 16 models and the 7 rule classes), on a database already loaded (by
 * bench/collision/run.ts, for instance). Prints one JSON line per round and a summary with the
 * medians: CLI ms (spawn to exit), run ms (collision_run created → finished, the goal's "run
 * time"), Σ job ms, the slowest jobs, and the load average before each round. Before each
 * round the collision state is emptied, as in run.ts.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/collision/nightly.js --reuse-db NAME [--day D] [--rounds N]
 *
 * The day defaults to the last settlement date of the database.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../../..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, options: '-c timezone=Asia/Shanghai' });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function main(): Promise<void> {
  const name = option('reuse-db');
  if (!name || !/^[\w-]+$/.test(name)) throw new Error('--reuse-db NAME (a loaded bench database) is required');
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  const db = url.toString();
  const rounds = Number(option('rounds') ?? 3);
  const [{ day: lastDay }] = await query<{ day: string }>(db, "SELECT to_char(max(settled_on), 'YYYY-MM-DD') AS day FROM settlement");
  const day = option('day') ?? lastDay;
  const results = [];
  for (let round = 1; round <= rounds; round++) {
    await query(db, 'TRUNCATE collision_hit, collision_run_job, collision_run, clue CASCADE');
    await query(db, 'DELETE FROM outbox');
    const load = loadavg().map((x) => Math.round(x * 100) / 100);
    const started = performance.now();
    const cli = spawnSync(process.execPath, [join(ROOT, 'dist/src/cli/collide.js'), '--from', day, '--to', day], {
      env: { ...process.env, DATABASE_URL: db, QUEUE_PREFIX: `bench-nightly-${Date.now().toString(36)}` },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const cliMs = Math.round(performance.now() - started);
    if (cli.status !== 0) throw new Error(`collide failed: ${cli.stderr}\n${cli.stdout}`);
    const [run] = await query<{ run_ms: number; jobs: number; job_ms: number }>(
      db,
      `SELECT round(extract(epoch FROM r.finished_at - r.created_at) * 1000)::int AS run_ms,
              count(j.*)::int AS jobs, sum(j.duration_ms)::int AS job_ms
       FROM collision_run r JOIN collision_run_job j ON j.run_id = r.id
       WHERE r.status = 'SUCCEEDED' GROUP BY r.id`,
    );
    const slowest = await query<{ model: string; ms: number }>(
      db,
      'SELECT model, sum(duration_ms)::int AS ms FROM collision_run_job GROUP BY model ORDER BY 2 DESC LIMIT 5',
    );
    const result = {
      round,
      day,
      load,
      cliMs,
      runMs: run.run_ms,
      jobs: run.jobs,
      sumJobMs: run.job_ms,
      slowest: Object.fromEntries(slowest.map((s) => [s.model, s.ms])),
    };
    results.push(result);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  process.stdout.write(
    `${JSON.stringify({
      median: {
        cliMs: median(results.map((r) => r.cliMs)),
        runMs: median(results.map((r) => r.runMs)),
        sumJobMs: median(results.map((r) => r.sumJobMs)),
      },
      target: { runMs: 1500 },
    })}\n`,
  );
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
