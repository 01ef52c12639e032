/**
 * Ingest benchmark: loads a batch folder (default /tmp/synth50, a synth scale-50 batch) with
 * ingestBatch into a fresh database ("ours"), and the same files with a plain `psql \copy`
 * into another fresh database ("plain"), then prints rows/s per file and overall and the ratio
 * plain seconds / our seconds (1.0 = as fast as plain COPY).
 *
 * The plain side (the floor) copies into typed tables made `LIKE` the migrated fact tables
 * WITHOUT indexes (not partitioned, no checks, no foreign keys): the columns the CSV does not
 * carry get a constant default (settled_on) or are added as text (id_number, bank_account,
 * payee_account); price_catalog.includes is stored as the raw text. After a file's COPY, the
 * same indexes as the migrated table's (pg_get_indexdef of each, names left to PostgreSQL) are
 * built on it with `maintenance_work_mem` = INDEX_BUILD_MEMORY, and that time counts as the
 * file's. It measures what bulk loading costs: COPY, then the indexes built once; ours adds
 * validation, personal-data encryption, keyed hashes and partition routing.
 *
 * A round runs both sides, each from a CHECKPOINT, and drops each side's database before the
 * other side starts (so neither pays for the other's autovacuum). With `--runs N` the rounds
 * alternate which side goes first, and the summary gives the median, lowest and highest ratio.
 *
 *   npm run bench:ingest -- [folder] [--runs N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { readCsvHeader } from '../../src/domain/ingest/csv-lines';
import { INGEST_FILE_NAMES, IngestFileName } from '../../src/domain/ingest/ingest.files';
import { ingestBatch, IngestSummary, TABLE_OF_FILE } from '../../src/domain/ingest/ingest.service';
import { dropDatabase, runMigrations } from '../../src/db/migrate';

/** Each file's table: the product's own map (the floor loads the same tables, unindexed). */
const TABLE_OF = TABLE_OF_FILE;

/** Adjustments so that the CSV columns fit the LIKE-copied table. */
const PLAIN_FIXUPS: Partial<Record<IngestFileName, string[]>> = {
  'persons.csv': ['ADD COLUMN id_number text', 'ADD COLUMN bank_account text'],
  'price_catalog.csv': [
    'ALTER COLUMN includes DROP DEFAULT',
    'ALTER COLUMN includes DROP NOT NULL',
    'ALTER COLUMN includes TYPE text',
  ],
  'settlements.csv': ["ALTER COLUMN settled_on SET DEFAULT '2000-01-01'", 'ADD COLUMN payee_account text'],
  'settlement_items.csv': ["ALTER COLUMN settled_on SET DEFAULT '2000-01-01'"],
  // list columns as the raw text ("INPATIENT|OUTPATIENT")
  'rules.csv': ['ALTER COLUMN visit_types TYPE text', 'ALTER COLUMN diagnosis_prefixes TYPE text'],
};

/** maintenance_work_mem of the floor's index builds (the loader's own setting for its builds). */
const INDEX_BUILD_MEMORY = '256MB';

const BASE_DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(BASE_DB);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Each side starts from a checkpoint, so neither pays for writing out the other's dirty pages
 * (the WAL of a 6 M row load triggers checkpoints that otherwise land in whichever side runs
 * next). Needs a superuser or pg_checkpoint; skipped when not allowed.
 */
async function checkpoint(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } catch {
    // not allowed: measured without
  } finally {
    await client.end();
  }
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
const rate = (rows: number, s: number) => Math.round(rows / s);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round3 = (n: number) => +n.toFixed(3);

interface Side {
  total: number;
  perFile: Record<string, number>;
}

/** ingestBatch into a fresh database; the database is dropped afterwards unless BENCH_KEEP. */
async function runOurs(folder: string, url: string): Promise<Side & { summary: IngestSummary; rejections: number }> {
  await runMigrations(url);
  const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: url }), {
    applicationName: 'bench',
  });
  try {
    let rejections = 0;
    await checkpoint(url);
    const started = process.hrtime.bigint();
    const summary = await ingestBatch(services, folder, { onReject: () => rejections++ });
    const total = seconds(started);
    const rows: { file_name: string; seconds: number }[] = await services.db.query(
      `SELECT file_name, extract(epoch FROM finished_at - started_at)::float8 AS seconds FROM ingest_file`,
    );
    return { total, perFile: Object.fromEntries(rows.map((r) => [r.file_name, r.seconds])), summary, rejections };
  } finally {
    await services.close();
    if (!process.env.BENCH_KEEP) await dropDatabase(url);
  }
}

/** psql \copy of each file into LIKE tables without indexes, then the same indexes built, in a fresh database. */
async function runPlain(folder: string, files: IngestFileName[], url: string): Promise<Side> {
  await runMigrations(url);
  try {
    const indexes: Record<string, string[]> = {};
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('CREATE SCHEMA plain');
      for (const file of files) {
        const table = TABLE_OF[file];
        await client.query(
          `CREATE TABLE plain.${table} (LIKE public.${table} INCLUDING DEFAULTS INCLUDING GENERATED INCLUDING IDENTITY)`,
        );
        for (const fixup of PLAIN_FIXUPS[file] ?? []) await client.query(`ALTER TABLE plain.${table} ${fixup}`);
        const defs: { def: string }[] = (
          await client.query(
            `SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x WHERE x.indrelid = $1::regclass`,
            [`public.${table}`],
          )
        ).rows;
        indexes[table] = defs.map(({ def }) =>
          def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?public\.(\w+)/, `CREATE $1INDEX ON plain.$3`),
        );
      }
    } finally {
      await client.end();
    }
    const perFile: Record<string, number> = {};
    await checkpoint(url);
    const started = process.hrtime.bigint();
    for (const file of files) {
      const header = (await readCsvHeader(join(folder, file)))!;
      const fileStarted = process.hrtime.bigint();
      const copy = spawnSync(
        'psql',
        [
          url,
          '-v',
          'ON_ERROR_STOP=1',
          '-qc',
          `\\copy plain.${TABLE_OF[file]} (${header.join(', ')}) FROM '${join(folder, file)}' WITH (FORMAT csv, HEADER true)`,
        ],
        { env: { ...process.env, PGTZ: 'Asia/Shanghai' }, encoding: 'utf8' },
      );
      if (copy.status !== 0) throw new Error(`psql \\copy ${file} failed: ${copy.stderr}`);
      const build = indexes[TABLE_OF[file]];
      if (build.length) {
        const built = spawnSync('psql', [url, '-X', '-v', 'ON_ERROR_STOP=1', '-q'], {
          input: [`SET maintenance_work_mem = '${INDEX_BUILD_MEMORY}';`, ...build.map((d) => `${d};`)].join('\n'),
          encoding: 'utf8',
        });
        if (built.status !== 0) throw new Error(`index build of ${file} failed: ${built.stderr}`);
      }
      perFile[file] = seconds(fileStarted);
    }
    return { total: seconds(started), perFile };
  } finally {
    if (!process.env.BENCH_KEEP) await dropDatabase(url);
  }
}

function parseArgs(argv: string[]): { folder: string; runs: number } {
  let folder = '/tmp/synth50';
  let runs = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--runs') {
      runs = Number(argv[++i]);
      if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs takes a positive integer');
    } else folder = argv[i];
  }
  return { folder: resolve(folder), runs };
}

async function main(): Promise<void> {
  const { folder, runs } = parseArgs(process.argv.slice(2));
  const files = INGEST_FILE_NAMES.filter((f) => existsSync(join(folder, f)));
  if (!files.length) throw new Error(`no batch files in ${folder}`);

  const rounds: Record<string, unknown>[] = [];
  const ours: Side[] = [];
  const plain: Side[] = [];
  let read: Record<string, number> = {};
  let rejections = 0;
  for (let r = 0; r < runs; r++) {
    const stamp = `${Date.now().toString(36)}_${r}`;
    const oursFirst = r % 2 === 0;
    let p: Side | undefined;
    if (!oursFirst) p = await runPlain(folder, files, databaseUrl(`bench_ingest_plain_${stamp}`));
    const o = await runOurs(folder, databaseUrl(`bench_ingest_ours_${stamp}`));
    p ??= await runPlain(folder, files, databaseUrl(`bench_ingest_plain_${stamp}`));
    ours.push(o);
    plain.push(p);
    rejections = o.rejections;
    read = Object.fromEntries(files.map((f) => [f, o.summary.files[f].read]));
    const round = {
      first: oursFirst ? 'ours' : 'plain',
      oursSeconds: round3(o.total),
      plainSeconds: round3(p.total),
      ratio: +(p.total / o.total).toFixed(2),
      files: Object.fromEntries(files.map((f) => [f, [round3(o.perFile[f]), round3(p.perFile[f])]])),
    };
    rounds.push(round);
    if (runs > 1) process.stderr.write(`${JSON.stringify({ round: r + 1, ...round })}\n`);
  }

  /** Medians over the rounds: seconds of each side, and the ratio of each round. */
  const summarise = (rowCount: number, oursS: number[], plainS: number[]) => {
    const ratios = oursS.map((o, i) => plainS[i] / o);
    return {
      rows: rowCount,
      oursSeconds: round3(median(oursS)),
      plainSeconds: round3(median(plainS)),
      oursRowsPerSecond: rate(rowCount, median(oursS)),
      plainRowsPerSecond: rate(rowCount, median(plainS)),
      ratio: +median(ratios).toFixed(2),
      lowestRatio: +Math.min(...ratios).toFixed(2),
      highestRatio: +Math.max(...ratios).toFixed(2),
    };
  };
  const report = Object.fromEntries(
    files.map((f) => [
      f,
      summarise(
        read[f],
        ours.map((s) => s.perFile[f]),
        plain.map((s) => s.perFile[f]),
      ),
    ]),
  );
  const rows = Object.values(read).reduce((a, b) => a + b, 0);
  const overall = summarise(
    rows,
    ours.map((s) => s.total),
    plain.map((s) => s.total),
  );
  process.stdout.write(`${JSON.stringify({ folder, rejections, runs, files: report, overall, rounds })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
