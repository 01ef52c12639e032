/**
 * Collision benchmark: a full 数据碰撞 run (all 16 models, queue included) against the sum of
 * the same statements run bare through one psql session, on a synth batch (default
 * /tmp/synth50, scale 50 ≈ 1 M settlements, 4.8 M lines in 2025-03).
 *
 *   npx tsc -p tsconfig.json && node dist/bench/collision/run.js [folder] [--db-url base] [--db NAME | --reuse-db NAME] [--workers 2] [--drop]
 *
 * Steps: fresh database `bench_collision` (or --db NAME) → migrate → ingestBatch → VACUUM ANALYZE (skipped with
 * --reuse-db NAME, which takes a database already loaded by an earlier run; the loaded database
 * is kept unless --drop). Collision state (runs, hits, clues) is reset first.
 *
 * Bare: one collision_run row, then for each model the statement of collisionSql (window
 * 2025-03-01..2025-03-31, no region, effective parameters, slice '' = the whole window) as
 * `PREPARE mN AS …; EXECUTE mN(literals)` in ONE psql process with `SET jit = off`,
 * `SET work_mem = '128MB'` and `\timing on`; a model's time is its PREPARE + EXECUTE.
 *
 * End-to-end: hits deleted, then services + in-process workers (collision queue at concurrency 2,
 * the outbox relay) + startCollisionRun over the same window, timed until the run is SUCCEEDED
 * (finalisation, i.e. clue creation, included). Workers are started before the clock starts.
 *
 * Prints one JSON object.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createServices } from '../../src/app';
import { effectiveParameters } from '../../src/collision/parameters';
import { MODEL_CODES } from '../../src/collision/registry';
import { collisionSql } from '../../src/collision/run-model';
import { loadConfig } from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { findRun, startCollisionRun } from '../../src/domain/collision/collision-run.service';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { createQueue, QUEUES } from '../../src/queues';
import { startWorkers } from '../../workers';
import { collisionQueue } from '../../workers/collision.processor';

const FROM = '2025-03-01';
const TO = '2025-03-31';
const TIMEOUT_MS = 30 * 60_000;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Concurrency of the in-process collision worker (`--workers N`). */
const WORKERS = Number(option('workers') ?? 2);

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

/** A value bound by collisionSql as an SQL literal (they are all strings: dates, text, numeric, uuid). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `'${String(value).replace(/'/g, "''")}'`;
}

const round = (x: number) => Math.round(x * 10) / 10;

async function query<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url, options: '-c timezone=Asia/Shanghai' });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Forgets every earlier collision run of the bench database (it holds nothing else of value). */
async function resetCollisionState(url: string): Promise<void> {
  await query(url, 'TRUNCATE collision_hit, collision_run_job, collision_run, clue CASCADE');
  await query(url, 'DELETE FROM outbox');
  await query(url, 'VACUUM ANALYZE collision_hit');
}

interface BareResult {
  perModelMs: Record<string, number>;
  totalMs: number;
  hits: Record<string, number>;
}

/** Every model's statement in one psql session; times from `\timing` (PREPARE + EXECUTE). */
async function runBare(url: string): Promise<BareResult> {
  const models = [...MODEL_CODES];
  const db = createDataSource(url, { poolSize: 1, applicationName: 'bench-collision' });
  await db.initialize();
  const params = await effectiveParameters(db, models, null).finally(() => db.destroy());
  const [run] = await query<{ id: string }>(
    url,
    `INSERT INTO collision_run (models, from_date, to_date, region_code, parameters, status)
     VALUES ($1, $2, $3, NULL, $4, 'RUNNING') RETURNING id`,
    [models, FROM, TO, JSON.stringify(params)],
  );
  const lines = [`SET timezone = 'Asia/Shanghai';`, 'SET jit = off;', `SET work_mem = '128MB';`, '\\timing on'];
  models.forEach((model, i) => {
    const { text, values } = collisionSql(model, {
      runId: run.id,
      from: FROM,
      to: TO,
      regionCode: null,
      params: params[model],
      slice: '',
    });
    lines.push(`\\echo @@model ${model}`);
    lines.push(`PREPARE m${i + 1} AS ${text};`);
    lines.push(`EXECUTE m${i + 1}(${values.map(literal).join(', ')});`);
  });
  const psql = spawnSync('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'], {
    input: `${lines.join('\n')}\n`,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (psql.status !== 0) throw new Error(`psql failed: ${psql.stderr}`);
  const perModelMs: Record<string, number> = {};
  const hits: Record<string, number> = {};
  let current: string | undefined;
  for (const line of psql.stdout.split('\n')) {
    const marker = /^@@model (\S+)/.exec(line);
    if (marker) {
      current = marker[1];
      perModelMs[current] = 0;
      continue;
    }
    if (!current) continue;
    const time = /^Time: ([\d.]+) ms/.exec(line);
    if (time) perModelMs[current] += Number(time[1]);
    const row = /^(\d+)\|(\d+)$/.exec(line);
    if (row) hits[current] = Number(row[1]) + Number(row[2]);
  }
  for (const model of models) {
    if (!(model in perModelMs) || !(model in hits))
      throw new Error(`no timing for ${model} in psql output:\n${psql.stdout}`);
    perModelMs[model] = round(perModelMs[model]);
  }
  const totalMs = round(Object.values(perModelMs).reduce((a, b) => a + b, 0));
  await query(url, 'DELETE FROM collision_hit');
  await query(url, 'DELETE FROM collision_run WHERE id = $1', [run.id]);
  await query(url, 'VACUUM ANALYZE collision_hit');
  return { perModelMs, totalMs, hits };
}

async function main(): Promise<void> {
  const folder = resolve(positional() ?? '/tmp/synth50');
  const base = option('db-url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reuse = option('reuse-db');
  const url = databaseUrl(base, reuse ?? option('db') ?? 'bench_collision');
  const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);

  let ingestSeconds: number | null = null;
  if (!reuse) {
    if (!existsSync(join(folder, 'settlements.csv'))) {
      throw new Error(`no batch in ${folder}: node dist/src/cli/synth.js --out ${folder} --scale 50 --seed 1`);
    }
    await dropDatabase(url);
    await runMigrations(url);
    const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url }), {
      applicationName: 'bench-collision',
    });
    try {
      log(`ingesting ${folder} into ${url}`);
      const started = performance.now();
      const summary = await ingestBatch(services, folder);
      ingestSeconds = round((performance.now() - started) / 1000);
      if (!summary.ok) throw new Error(`ingest failed: ${JSON.stringify(summary.files)}`);
    } finally {
      await services.close();
    }
    log('VACUUM ANALYZE');
    await query(url, 'VACUUM ANALYZE');
  }
  await resetCollisionState(url);
  const [counts] = await query<{ settlements: number; items: number }>(
    url,
    `SELECT (SELECT count(*) FROM settlement)::int AS settlements, (SELECT count(*) FROM settlement_item)::int AS items`,
  );

  log('bare SQL through psql');
  const bare = await runBare(url);

  log('end-to-end run');
  const queuePrefix = `bench-collision-${Date.now().toString(36)}`;
  const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url, QUEUE_PREFIX: queuePrefix }), {
    applicationName: 'bench-collision',
  });
  services.log.level = 'warn';
  let endToEnd: Record<string, unknown>;
  try {
    const host = await startWorkers(services, [{ ...collisionQueue, concurrency: WORKERS }]);
    try {
      const started = performance.now();
      const run = await startCollisionRun(services, { models: [...MODEL_CODES], from: FROM, to: TO });
      let status = run.status;
      while (status !== 'SUCCEEDED') {
        if (status === 'FAILED') throw new Error(`run failed: ${(await findRun(services.db, run.id)).error}`);
        if (performance.now() - started > TIMEOUT_MS) throw new Error('run timed out');
        await new Promise((r) => setTimeout(r, 50));
        status = (await findRun(services.db, run.id)).status;
      }
      const totalMs = round(performance.now() - started);
      const final = await findRun(services.db, run.id);
      const jobs: { model: string; jobs: number; ms: number; hits: number }[] = await services.db.query(
        `SELECT model, count(*)::int AS jobs, sum(duration_ms)::int AS ms, sum(hits)::int AS hits
         FROM collision_run_job WHERE run_id = $1 GROUP BY model ORDER BY model`,
        [run.id],
      );
      const [span]: { first: number; last: number; fin: number }[] = await services.db.query(
        `SELECT extract(epoch FROM min(j.started_at) - r.created_at)::float8 * 1000 AS first,
                extract(epoch FROM max(j.finished_at) - r.created_at)::float8 * 1000 AS last,
                extract(epoch FROM r.finished_at - r.created_at)::float8 * 1000 AS fin
         FROM collision_run r JOIN collision_run_job j ON j.run_id = r.id WHERE r.id = $1 GROUP BY r.id`,
        [run.id],
      );
      endToEnd = {
        totalMs,
        workers: WORKERS,
        perModelJobMs: Object.fromEntries(jobs.map((j) => [j.model, j.ms])),
        jobsPerModel: Object.fromEntries(jobs.filter((j) => j.jobs > 1).map((j) => [j.model, j.jobs])),
        sumJobMs: jobs.reduce((a, j) => a + j.ms, 0),
        firstJobStartMs: round(span.first),
        lastJobEndMs: round(span.last),
        finalizeMs: round(span.fin - span.last),
        cluesCreated: final.clues_created,
        hits: Number(final.hit_count),
        hitsPerModel: Object.fromEntries(jobs.map((j) => [j.model, j.hits])),
      };
    } finally {
      await host.close();
    }
  } finally {
    for (const name of Object.values(QUEUES)) {
      const queue = createQueue(services.config, name);
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
    await services.close();
  }

  const mismatched = MODEL_CODES.filter((m) => bare.hits[m] !== (endToEnd.hitsPerModel as Record<string, number>)[m]);
  const e2eMs = endToEnd.totalMs as number;
  process.stdout.write(
    `${JSON.stringify({
      folder,
      database: url.replace(/\/\/[^@]*@/, '//'),
      scale: Number(/synth(\d+)/.exec(folder)?.[1]) || null,
      settlements: counts.settlements,
      items: counts.items,
      window: { from: FROM, to: TO },
      ingestSeconds,
      bare: {
        perModelMs: bare.perModelMs,
        totalMs: bare.totalMs,
        hits: Object.values(bare.hits).reduce((a, b) => a + b, 0),
      },
      endToEnd,
      hitsMismatchedModels: mismatched,
      ratio: Math.round((e2eMs / bare.totalMs) * 100) / 100,
      targets: { ratio: 1.3, seconds: 60 },
      met: { ratio: e2eMs / bare.totalMs <= 1.3, seconds: e2eMs <= 60_000 },
    })}\n`,
  );
  if (process.argv.includes('--drop')) await dropDatabase(url);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
