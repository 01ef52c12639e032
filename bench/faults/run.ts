/**
 * Fault campaign (issue 16, item 2; docs/RELIABILITY.md): two API processes and two workers on
 * this machine, a Redis server of the campaign's own, a steady mixed workload, and randomly timed
 * faults drawn from: SIGKILL of a worker, of an API process, of a collide command; Redis killed
 * and restarted; the application's PostgreSQL backends terminated; an ingest (a re-load of the
 * batch) killed mid-file. Then the faults stop, everything drains, a final full-window run is
 * made, and the invariants are checked (bench/faults/invariants.ts). Seeded and repeatable in
 * what it does and when (the machine decides the rest). Prints one JSON report and writes it to
 * bench/faults/last-report.json.
 *
 *   npm run bench:faults -- [--seed 1] [--faults 100] [--seconds 150] [--scale 0.3]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { toGlobalId } from '../../src/core/ids';
import { createDataSource } from '../../src/db/data-source';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { seedDepartmentsAndUsers } from '../../src/domain/reference/seed.service';
import { generateSyntheticBatch } from '../../src/synth/generator';
import { ExpectedHits, MODEL_CODES } from '../../src/synth/oracle';
import { checkInvariants, factCounts } from './invariants';
import { CLI, command, RedisServer, Supervised, until } from './processes';
import { Client, Counters, County, LedgerEntry, runWorkload } from './workload';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEED = arg('seed', 1);
const FAULTS = arg('faults', 100);
const SECONDS = arg('seconds', 150);
const SCALE = arg('scale', 0.3);
const WINDOW = { from: '2025-03-01', to: '2025-03-31' };
const PASSWORD = 'faults-password-2025';
/** The 16 models, as the oracle knows them (the rule classes have their own oracle). */
const MODELS = MODEL_CODES;

/** mulberry32: a small seeded generator, so that a seed repeats the campaign's decisions. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAULT_KINDS = [
  'kill-worker',
  'kill-api',
  'kill-collide',
  'restart-redis',
  'terminate-backends',
  'kill-ingest',
] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

async function main(): Promise<void> {
  const rng = seeded(SEED);
  const started = Date.now();
  const base = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(base);
  url.pathname = `/faults_${SEED}_${Date.now().toString(36)}`;
  const databaseUrl = url.toString();
  const work = mkdtempSync(join(tmpdir(), 'faults-'));
  const redis = new RedisServer(16_379 + (SEED % 1000), join(work, 'redis'));
  await redis.start();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    // Its own prefix too: a worker left over from another campaign never takes its jobs.
    QUEUE_PREFIX: `faults-${SEED}-${Date.now().toString(36)}`,
    WORKER_METRICS_PORT: '0',
    COLLISION_NIGHTLY_CRON: '',
    COLLISION_MONTHLY_CRON: '',
    PASSWORD_SCRYPT_COST: '10',
  };

  // The batch, its oracle, the users.
  await runMigrations(databaseUrl);
  const config = loadConfig(env);
  const services = await createServices(config, { applicationName: 'faults-setup' });
  const batch = join(work, 'batch');
  await generateSyntheticBatch({
    outDir: batch,
    scale: SCALE,
    seed: 20250301 + SEED,
    ...WINDOW,
    withExpectedHits: true,
  });
  const oracle: ExpectedHits = JSON.parse(readFileSync(join(batch, 'expected-hits.json'), 'utf8'));
  const loaded = await ingestBatch(services, batch);
  if (!loaded.ok) throw new Error(`the batch did not load: ${JSON.stringify(loaded)}`);
  await seedDepartmentsAndUsers(services, PASSWORD);
  await services.close();
  const db = createDataSource(databaseUrl, { applicationName: 'faults-bench' });
  await db.initialize();
  const factsBefore = await factCounts(db);

  const restart = () => 500 + Math.floor(rng() * 1500);
  const ports = [0, 1].map((i) => 14_100 + (SEED % 1000) * 2 + i);
  const apis = [0, 1].map(
    (i) =>
      new Supervised(
        `api${i}`,
        CLI('serve'),
        { ...env, PORT: String(ports[i]) },
        async () => (await fetch(`http://127.0.0.1:${ports[i]}/healthz`)).ok,
        restart,
      ),
  );
  const workers = [0, 1].map(
    (i) => new Supervised(`worker${i}`, CLI('worker'), { ...env, LOG_LEVEL: 'info' }, 'workers started', restart),
  );
  await Promise.all([...apis, ...workers].map((p) => p.start()));

  // A first run, so that the workload has routed clues to work on.
  const first = await command(
    CLI('collide'),
    ['--from', WINDOW.from, '--to', WINDOW.to, '--models', MODELS.join(',')],
    env,
  ).done;
  if (first.code !== 0) throw new Error(`the first run failed: ${first.output.slice(-2000)}`);
  await until(
    'routing',
    async () => (await db.query(`SELECT count(*)::int AS n FROM clue WHERE status = 'NEW'`))[0].n === 0,
    120_000,
  );

  const counties: County[] = (
    await db.query(
      `SELECT c.region_code,
              (SELECT d.id FROM department d WHERE d.kind = 'MEDICAL_INSURANCE' AND d.region_code = c.region_code) AS insurance,
              (SELECT d.id FROM department d WHERE d.kind = 'PUBLIC_SECURITY' AND d.region_code = c.region_code) AS police,
              (SELECT d.id FROM department d WHERE d.kind = 'HEALTH' AND d.region_code = c.region_code) AS health,
              (SELECT min(ci.institution_code) FROM clue ci WHERE ci.region_code = c.region_code) AS institution
       FROM clue c JOIN region r ON r.code = c.region_code AND r.level = 'COUNTY'
       GROUP BY c.region_code ORDER BY count(*) DESC LIMIT 4`,
    )
  ).map((r: { region_code: string; insurance: string; police: string; health: string; institution: string }) => ({
    region: r.region_code,
    insuranceId: toGlobalId('Department', r.insurance),
    policeId: toGlobalId('Department', r.police),
    healthId: toGlobalId('Department', r.health),
    institutionCode: r.institution,
  }));

  // Workload and runs.
  let stopping = false;
  const ledger: LedgerEntry[] = [];
  const counters: Counters = { reads: {}, mutations: {}, fivexx: [] };
  const client = new Client(() => ports, PASSWORD, rng);
  const collides = new Set<ReturnType<typeof command>>();
  const runsStarted = { cli: 0, killed: 0 };
  const runLoop = (async () => {
    while (!stopping) {
      const models = MODELS.filter(() => rng() < 0.5);
      const c = command(
        CLI('collide'),
        ['--from', WINDOW.from, '--to', WINDOW.to, '--models', (models.length ? models : MODELS).join(',')],
        env,
      );
      collides.add(c);
      runsStarted.cli += 1;
      await Promise.race([c.done, new Promise((r) => setTimeout(r, 4000 + rng() * 4000))]);
      void c.done.then(() => collides.delete(c));
    }
  })();
  const workload = runWorkload(client, counties, rng, () => stopping, ledger, counters);

  // Faults at seeded times.
  const times = Array.from({ length: FAULTS }, () => 5_000 + rng() * (SECONDS * 1000 - 10_000)).sort((a, b) => a - b);
  const injected: { at: number; kind: FaultKind; detail?: unknown }[] = [];
  const t0 = Date.now();
  for (const at of times) {
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + at - Date.now())));
    const kind = FAULT_KINDS[Math.floor(rng() * FAULT_KINDS.length)];
    const fault: { at: number; kind: FaultKind; detail?: unknown } = { at: Math.round(at), kind };
    injected.push(fault);
    switch (kind) {
      case 'kill-worker':
      case 'kill-api': {
        const group = kind === 'kill-api' ? apis : workers;
        const target = group[Math.floor(rng() * group.length)];
        fault.detail = { target: target.name, wasUp: target.kill() };
        break;
      }
      case 'kill-collide': {
        const running = [...collides];
        const target = running[Math.floor(rng() * running.length)];
        if (target) {
          target.child.kill('SIGKILL');
          runsStarted.killed += 1;
        }
        fault.detail = { running: running.length };
        break;
      }
      case 'restart-redis': {
        redis.kill();
        const down = 500 + Math.floor(rng() * 2500);
        fault.detail = { downMs: down };
        await new Promise((r) => setTimeout(r, down));
        await redis.start();
        break;
      }
      case 'terminate-backends': {
        const rows: { n: number }[] = await db.query(
          `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> 'faults-bench'
             AND random() < 0.5`,
        );
        fault.detail = { terminated: rows[0].n };
        break;
      }
      case 'kill-ingest': {
        const c = command(CLI('ingest'), [batch], env);
        const after = 200 + Math.floor(rng() * 3000);
        setTimeout(() => c.child.kill('SIGKILL'), after);
        const done = await c.done;
        fault.detail = { killedAfterMs: after, finished: done.code !== null, code: done.code };
        break;
      }
    }
  }

  // Stop, heal, drain.
  stopping = true;
  await Promise.all([workload, runLoop]);
  await Promise.all([...collides].map((c) => c.done));
  if (!redis.running) await redis.start();
  await until('every process up', async () => [...apis, ...workers].every((p) => p.up), 60_000);
  const drained = await until(
    'runs, routing and the outbox to drain',
    async () => {
      const [r] = await db.query(
        `SELECT (SELECT count(*) FROM collision_run WHERE status IN ('QUEUED', 'RUNNING'))::int
              + (SELECT count(*) FROM clue WHERE status = 'NEW')::int
              + (SELECT count(*) FROM outbox WHERE published_at IS NULL)::int AS n`,
      );
      return r.n === 0;
    },
    600_000,
  )
    .then(() => true)
    .catch(() => false);
  const final = await command(
    CLI('collide'),
    ['--from', WINDOW.from, '--to', WINDOW.to, '--models', MODELS.join(',')],
    env,
  ).done;
  const finalLine = final.output.trim().split('\n').pop() ?? '';
  const [latest] = await db.query('SELECT id FROM collision_run ORDER BY created_at DESC LIMIT 1');
  const finalRunId: string = latest.id;
  await until(
    'routing after the final run',
    async () => (await db.query(`SELECT count(*)::int AS n FROM clue WHERE status = 'NEW'`))[0].n === 0,
    120_000,
  ).catch(() => undefined);

  const fivexx = counters.fivexx.length;
  const checks = await checkInvariants(db, {
    oracle,
    models: MODELS,
    finalRunId,
    ledger,
    factsBefore,
    fivexx,
  });
  checks.unshift({ name: 'drained within 10 minutes after the faults stopped', ok: drained, detail: {} });
  checks.unshift({ name: 'the final run succeeded', ok: final.code === 0, detail: { line: finalLine.slice(0, 500) } });

  const report = {
    seed: SEED,
    seconds: Math.round((Date.now() - started) / 1000),
    batch: {
      scale: SCALE,
      ...factsBefore,
      oracleHits: MODELS.reduce((n, m) => n + ((oracle.hits as Record<string, unknown[]>)[m]?.length ?? 0), 0),
    },
    faults: {
      injected: injected.length,
      byKind: Object.fromEntries(FAULT_KINDS.map((k) => [k, injected.filter((f) => f.kind === k).length])),
      restarts: Object.fromEntries([...apis, ...workers].map((p) => [p.name, p.starts - 1])),
      crashes: Object.fromEntries([...apis, ...workers].map((p) => [p.name, p.crashes])),
      /** What the API processes and workers logged at error level (the first 50 of each). */
      errorLogs: Object.fromEntries([...apis, ...workers].map((p) => [p.name, p.errors])),
      log: injected,
    },
    workload: {
      ...counters,
      fivexx: counters.fivexx.map((f) => ({ ...f, at: f.at - t0 })),
      runs: runsStarted,
      mutationsInLedger: ledger.length,
    },
    invariants: checks,
    ok: checks.every((c) => c.ok),
  };
  writeFileSync(
    join(__dirname, '..', '..', '..', 'bench', 'faults', 'last-report.json'),
    `${JSON.stringify(report, null, 2)}\n`,
  );
  process.stdout.write(`${JSON.stringify({ ...report, faults: { ...report.faults, log: undefined } })}\n`);

  await Promise.all([...apis, ...workers].map((p) => p.stop()));
  redis.kill();
  await db.destroy();
  if (!process.argv.includes('--keep')) {
    await dropDatabase(databaseUrl);
    rmSync(work, { recursive: true, force: true });
  }
  process.exit(report.ok ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
