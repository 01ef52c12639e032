/**
 * Ingest fuzzer (issue 16, item 5): hostile batch folders (csv-gen.ts) loaded by the real CLI,
 * `node dist/src/cli/ingest.js <folder>`, each into a fresh database (a copy of one migrated
 * template), and judged (csv-run.ts): the process exits 0 or 1, never otherwise; every line on
 * stderr is `file:line: reason` (or the batch's `error: file:line: reason`); nothing is
 * half-loaded.
 *
 *   npm run fuzz:csv -- [--seed 1] [--cases 200] [--keep]
 *
 * Prints one JSON line: cases, outcomes (loaded, refused, crashed), cases with problems, the
 * loader's peak RSS, the most frequent reasons and the first problems. Exit 1 when a case has a
 * problem. FUZZ_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrations } from '../../src/db/migrate';
import { baseBatch, CsvCase, writeCase } from './csv-gen';
import { judge, LoaderOutcome } from './csv-run';
import { Random } from './random';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEED = arg('seed', 1);
const CASES = arg('cases', 200);
const KEEP = process.argv.includes('--keep');
const ROOT = join(__dirname, '..', '..', '..');
const SERVER = process.env.FUZZ_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const dbUrl = (name: string) => {
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
};

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

function runLoader(folder: string, databaseUrl: string, peak: { mb: number }): Promise<LoaderOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli', 'ingest.js'), folder], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => (peak.mb = Math.max(peak.mb, rssMb(child.pid!))), 100);
    child.on('close', (exitCode, signal) => {
      clearInterval(poll);
      resolve({ exitCode, signal, stdout, stderr });
    });
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const template = `fuzzcsv_${Date.now().toString(36)}_${SEED}`;
  await admin((c) => c.query(`CREATE DATABASE ${template}`));
  await runMigrations(dbUrl(template));
  const base = baseBatch(ROOT);
  const rng = new Random(SEED);
  const work = mkdtempSync(join(tmpdir(), 'fuzz-csv-'));
  const outcomes = { loaded: 0, refused: 0, crashed: 0 };
  const reasons = new Map<string, number>();
  const byMutation: Record<string, number> = {};
  const failures: { case: CsvCase; problems: string[] }[] = [];
  const peak = { mb: 0 };
  let rejections = 0;
  try {
    for (let i = 0; i < CASES; i++) {
      const folder = join(work, `case-${i}`);
      const c = writeCase(rng, base, folder, i);
      for (const m of c.mutations) byMutation[m.mutation] = (byMutation[m.mutation] ?? 0) + 1;
      const name = `${template}_c${i}`;
      await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
      try {
        const result = await runLoader(folder, dbUrl(name), peak);
        const verdict = await judge(dbUrl(name), result);
        outcomes[verdict.outcome] += 1;
        rejections += verdict.rejections;
        for (const r of verdict.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
        if (verdict.problems.length) failures.push({ case: c, problems: verdict.problems.slice(0, 5) });
      } finally {
        await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
        if (!KEEP) rmSync(folder, { recursive: true, force: true });
      }
    }
  } finally {
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
    if (!KEEP) rmSync(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `${JSON.stringify({
      seed: SEED,
      cases: CASES,
      outcomes,
      casesWithProblems: failures.length,
      rejectionLines: rejections,
      loaderPeakRssMb: peak.mb,
      mutations: byMutation,
      topReasons: [...reasons.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15),
      seconds: Math.round((Date.now() - started) / 1000),
      failures: failures.slice(0, 10),
      ...(KEEP ? { folder: work } : {}),
    })}\n`,
  );
  if (failures.length || outcomes.crashed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
