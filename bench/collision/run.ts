/**
 * Collision benchmark: a full-window 数据碰撞 run of the 16 models through the CLI
 * (`node dist/src/cli/collide.js`, which hosts the workers itself: queue, jobs, bookkeeping,
 * finalisation and clue creation included, build excluded) against an INDEPENDENT floor: the 16
 * models written anew for the bench from MODELS.md as one plain set-based query each
 * (bench/collision/floor-models.sql), run by one psql session over the batch's CSV files
 * copied into plain typed tables and analyzed (bench/collision/floor-load.sql, schema `floor`).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/collision/run.js [folder] [--from D --to D]
 *        [--db NAME | --reuse-db NAME] [--rounds N] [--drop]
 *
 * Fresh (default): database `bench_collision` dropped, migrated, the batch ingested by the CLI
 * (`dist/src/cli/ingest.js`, timed), then the floor schema loaded. The window defaults to the
 * batch's settlement dates (min..max settled_on). Rounds alternate the order (floor first in odd
 * rounds, ours first in even ones); round 1's run is the first after the fresh load (with
 * --reuse-db, after whatever the database went through). Before each of our runs the collision
 * state (runs, jobs, hits, clues, outbox) is emptied, so every run inserts its hits and creates
 * its clues. Every run's hits are compared with the floor's per model: count and an md5 of
 * (hit key, amount involved, subject institution) in bytewise key order.
 *
 * Prints one JSON object: per round floor ms, our CLI ms, Σ job ms, run ms (created → finished),
 * jobs; medians and ratios (ours / floor: 1.0 = at the floor); per-model floor ms and job ms of
 * the median round; rows/s (settlements in the window per second of the CLI run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { MODEL_CODES } from '../../src/collision/registry';
import { dropDatabase, runMigrations } from '../../src/db/migrate';

const ROOT = resolve(__dirname, '../../..');

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

function positional(): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--drop') continue;
    if (args[i].startsWith('--')) {
      i++;
      continue;
    }
    return args[i];
  }
  return undefined;
}

function databaseUrl(base: string, name: string): string {
  if (!/^[\w-]+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, options: '-c timezone=Asia/Shanghai' });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

function psql(url: string, args: string[], input?: string): string {
  const run = spawnSync('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`psql failed: ${run.stderr}`);
  return run.stdout;
}

/** Forgets every earlier collision run of the bench database (it holds nothing else of value). */
async function resetCollisionState(url: string): Promise<void> {
  await query(url, 'TRUNCATE collision_hit, collision_run_job, collision_run, clue CASCADE');
  await query(url, 'DELETE FROM outbox');
  await query(url, 'VACUUM ANALYZE collision_hit, clue, collision_run, collision_run_job');
}

interface Digest {
  hits: number;
  md5: string;
}

/** The floor's 16 queries, from floor-models.sql, keyed by model. */
function floorQueries(): Map<string, string> {
  const text = readFileSync(join(ROOT, 'bench/collision/floor-models.sql'), 'utf8');
  const queries = new Map<string, string>();
  for (const part of text.split(/^--@@ /m).slice(1)) {
    const newline = part.indexOf('\n');
    queries.set(part.slice(0, newline).trim(), part.slice(newline + 1).trim());
  }
  const missing = MODEL_CODES.filter((m) => !queries.has(m));
  if (missing.length) throw new Error(`floor-models.sql lacks ${missing.join(', ')}`);
  return queries;
}

const DIGEST = (select: string) =>
  `SELECT count(*) || '|' || coalesce(md5(string_agg(k || '=' || a::numeric(14,2) || '@' || i, ',' ORDER BY k COLLATE "C")), '')
   FROM (${select}) AS h(k, a, i)`;

/** The 16 floor queries in one psql session; per model `\timing` ms and the digest of its hits. */
function runFloor(url: string, window: { from: string; to: string }) {
  const lines = [`SET timezone = 'Asia/Shanghai';`, 'SET jit = off;', `SET work_mem = '128MB';`];
  lines.push(`\\set from '${window.from}'`, `\\set to '${window.to}'`, '\\timing on');
  for (const [model, select] of floorQueries()) {
    lines.push(`\\echo @@model ${model}`, `${DIGEST(select)};`);
  }
  const out = psql(url, [], `${lines.join('\n')}\n`);
  const ms: Record<string, number> = {};
  const digests: Record<string, Digest> = {};
  let current: string | undefined;
  for (const line of out.split('\n')) {
    const marker = /^@@model (\S+)/.exec(line);
    if (marker) current = marker[1];
    else if (current && /^Time: ([\d.]+) ms/.test(line)) ms[current] = round1(Number(/^Time: ([\d.]+)/.exec(line)![1]));
    else if (current && /^\d+\|/.test(line)) {
      const [hits, md5] = line.split('|');
      digests[current] = { hits: Number(hits), md5 };
    }
  }
  return { ms, totalMs: round1(Object.values(ms).reduce((a, b) => a + b, 0)), digests };
}

/** Digests of the product's stored hits, per model (same form as the floor's). */
async function ourDigests(url: string): Promise<Record<string, Digest>> {
  const rows = await query<{ model: string; d: string }>(
    url,
    `SELECT model, ${'count(*)'} || '|' || md5(string_agg(hit_key || '=' || amount_involved::numeric(14,2) || '@' || institution_code, ',' ORDER BY hit_key COLLATE "C")) AS d
     FROM collision_hit WHERE model = ANY($1) GROUP BY model`,
    [MODEL_CODES],
  );
  const found = Object.fromEntries(rows.map((r) => [r.model, r.d]));
  return Object.fromEntries(
    MODEL_CODES.map((m) => {
      const [hits, md5] = (found[m] ?? '0|').split('|');
      return [m, { hits: Number(hits), md5 }];
    }),
  );
}

function cliEnv(url: string): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: url, QUEUE_PREFIX: `bench-collision-${Date.now().toString(36)}` };
}

/** The CLI collide of the 16 models over the window, timed from spawn to exit. */
async function runOurs(url: string, window: { from: string; to: string }) {
  await resetCollisionState(url);
  const started = performance.now();
  const cli = spawnSync(
    process.execPath,
    [
      join(ROOT, 'dist/src/cli/collide.js'),
      '--from',
      window.from,
      '--to',
      window.to,
      '--models',
      MODEL_CODES.join(','),
    ],
    { env: cliEnv(url), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const cliMs = round1(performance.now() - started);
  if (cli.status !== 0) throw new Error(`collide failed: ${cli.stderr}\n${cli.stdout}`);
  // The summary line (log lines may follow it on stdout).
  const summary = cli.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((line) => line.startsWith('{"runId"'));
  if (!summary) throw new Error(`no summary from collide: ${cli.stdout.slice(-2000)}`);
  const result = JSON.parse(summary) as { runId: string; clues: number };
  const [run] = await query<{ run_ms: number; jobs: number; job_ms: number; first_ms: number; last_ms: number }>(
    url,
    `SELECT extract(epoch FROM r.finished_at - r.created_at)::float8 * 1000 AS run_ms,
            count(j.*)::int AS jobs, sum(j.duration_ms)::int AS job_ms,
            extract(epoch FROM min(j.started_at) - r.created_at)::float8 * 1000 AS first_ms,
            extract(epoch FROM r.finished_at - max(j.finished_at))::float8 * 1000 AS last_ms
     FROM collision_run r JOIN collision_run_job j ON j.run_id = r.id WHERE r.id = $1 GROUP BY r.id`,
    [result.runId],
  );
  const perModel = await query<{ model: string; ms: number; jobs: number }>(
    url,
    `SELECT model, sum(duration_ms)::int AS ms, count(*)::int AS jobs FROM collision_run_job WHERE run_id = $1 GROUP BY model`,
    [result.runId],
  );
  return {
    cliMs,
    runMs: round1(run.run_ms),
    sumJobMs: run.job_ms,
    jobs: run.jobs,
    firstJobStartMs: round1(run.first_ms),
    finaliseMs: round1(run.last_ms),
    clues: result.clues,
    perModelJobMs: Object.fromEntries(perModel.map((p) => [p.model, p.ms])),
    jobsPerModel: Object.fromEntries(perModel.filter((p) => p.jobs > 1).map((p) => [p.model, p.jobs])),
    digests: await ourDigests(url),
  };
}

async function main(): Promise<void> {
  const folder = resolve(positional() ?? '/tmp/synth50');
  const base = option('db-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reuse = option('reuse-db');
  const url = databaseUrl(base, reuse ?? option('db') ?? 'bench_collision');
  const rounds = Number(option('rounds') ?? 3);
  const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);

  let ingestSeconds: number | null = null;
  let floorLoadSeconds: number | null = null;
  if (!reuse) {
    if (!existsSync(join(folder, 'settlements.csv'))) {
      throw new Error(`no batch in ${folder}: node dist/src/cli/synth.js --out ${folder} --scale 50 --seed 1`);
    }
    await dropDatabase(url);
    await runMigrations(url);
    log(`ingesting ${folder} into ${url} (CLI)`);
    let started = performance.now();
    const ingest = spawnSync(
      process.execPath,
      ['--max-semi-space-size=64', join(ROOT, 'dist/src/cli/ingest.js'), folder],
      { env: cliEnv(url), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
    );
    if (ingest.status !== 0) throw new Error(`ingest failed: ${ingest.stderr.slice(-2000)}`);
    ingestSeconds = round1((performance.now() - started) / 1000);
    log('loading the floor schema');
    started = performance.now();
    psql(url, ['-v', `dir=${folder}`, '-f', join(ROOT, 'bench/collision/floor-load.sql')]);
    floorLoadSeconds = round1((performance.now() - started) / 1000);
  }
  const [span] = await query<{ from: string; to: string }>(
    url,
    `SELECT to_char(min(settled_on), 'YYYY-MM-DD') AS from, to_char(max(settled_on), 'YYYY-MM-DD') AS to FROM floor.settlement`,
  );
  const window = { from: option('from') ?? span.from, to: option('to') ?? span.to };
  const [counts] = await query<{ settlements: number; items: number; in_window: number }>(
    url,
    `SELECT (SELECT count(*) FROM settlement)::int AS settlements, (SELECT count(*) FROM settlement_item)::int AS items,
            (SELECT count(*) FROM settlement WHERE settled_on BETWEEN $1 AND $2)::int AS in_window`,
    [window.from, window.to],
  );

  const results: { floor: ReturnType<typeof runFloor>; ours: Awaited<ReturnType<typeof runOurs>> }[] = [];
  for (let r = 0; r < rounds; r++) {
    let floor: ReturnType<typeof runFloor> | undefined;
    if (r % 2 === 1) {
      log(`round ${r + 1}: floor`);
      floor = runFloor(url, window);
    }
    log(`round ${r + 1}: ours (CLI)`);
    const ours = await runOurs(url, window);
    if (!floor) {
      log(`round ${r + 1}: floor`);
      floor = runFloor(url, window);
    }
    results.push({ floor, ours });
    log(
      `round ${r + 1}: floor ${floor.totalMs} ms, CLI ${ours.cliMs} ms, run ${ours.runMs} ms, Σ jobs ${ours.sumJobMs} ms (${ours.jobs} jobs)`,
    );
  }

  const floorMs = results.map((x) => x.floor.totalMs);
  const mismatched = [
    ...new Set(
      results.flatMap(({ floor, ours }) =>
        MODEL_CODES.filter(
          (m) => floor.digests[m]?.hits !== ours.digests[m].hits || floor.digests[m]?.md5 !== ours.digests[m].md5,
        ),
      ),
    ),
  ];
  const medianOf = (pick: (o: (typeof results)[number]['ours']) => number) => median(results.map((x) => pick(x.ours)));
  const ratiosOf = (pick: (o: (typeof results)[number]['ours']) => number) =>
    results.map((x) => ratio(pick(x.ours), x.floor.totalMs));
  const mid = [...results].sort((a, b) => a.ours.cliMs / a.floor.totalMs - b.ours.cliMs / b.floor.totalMs)[
    results.length >> 1
  ];
  const cli = medianOf((o) => o.cliMs);
  process.stdout.write(
    `${JSON.stringify({
      folder,
      database: url.replace(/\/\/[^@]*@/, '//'),
      settlements: counts.settlements,
      items: counts.items,
      window: { ...window, settlements: counts.in_window },
      ingestSeconds,
      floorLoadSeconds,
      rounds: results.map(({ floor, ours }, i) => ({
        round: i + 1,
        first: i % 2 === 1 ? 'floor' : 'ours',
        floorMs: floor.totalMs,
        cliMs: ours.cliMs,
        runMs: ours.runMs,
        sumJobMs: ours.sumJobMs,
        jobs: ours.jobs,
        firstJobStartMs: ours.firstJobStartMs,
        finaliseMs: ours.finaliseMs,
        clues: ours.clues,
        cliOverFloor: ratio(ours.cliMs, floor.totalMs),
      })),
      median: {
        floorMs: median(floorMs),
        cliMs: cli,
        runMs: medianOf((o) => o.runMs),
        sumJobMs: medianOf((o) => o.sumJobMs),
        cliOverFloor: median(ratiosOf((o) => o.cliMs)),
        runOverFloor: median(ratiosOf((o) => o.runMs)),
        sumJobOverFloor: median(ratiosOf((o) => o.sumJobMs)),
        settlementsPerSecond: Math.round(counts.in_window / (cli / 1000)),
      },
      perModel: Object.fromEntries(
        MODEL_CODES.map((m) => [
          m,
          {
            floorMs: mid.floor.ms[m],
            jobMs: mid.ours.perModelJobMs[m],
            jobs: mid.ours.jobsPerModel[m] ?? 1,
            hits: mid.ours.digests[m].hits,
          },
        ]),
      ),
      hits: MODEL_CODES.reduce((n, m) => n + results[0].ours.digests[m].hits, 0),
      hitsMismatchedModels: mismatched,
      mismatches: Object.fromEntries(
        mismatched.map((m) => [m, { floor: results[0].floor.digests[m], ours: results[0].ours.digests[m] }]),
      ),
      target: { cliOverFloor: 1.3 },
    })}\n`,
  );
  if (process.argv.includes('--drop')) await dropDatabase(url);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
