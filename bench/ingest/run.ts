/**
 * Ingest benchmark: loads a batch folder (default /tmp/synth50, a synth scale-50 batch) with
 * ingestBatch into one fresh database, and the same files with a plain `psql \copy` into
 * another fresh database, then prints rows/s per file and overall and the ratio ours/plain.
 *
 * The plain side copies into tables made `LIKE` the migrated fact tables with their indexes
 * (not partitioned, no checks, no foreign keys): the columns the CSV does not carry get a
 * constant default (settled_on) or are added as text (id_number, bank_account, payee_account);
 * price_catalog.includes is stored as the raw text. It measures what COPY alone costs with
 * the same index maintenance; ours adds staging, validation, personal-data encryption and
 * partition routing.
 *
 *   npm run bench:ingest -- [folder]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { readCsvHeader } from '../../src/domain/ingest/csv-lines';
import { INGEST_FILE_NAMES, IngestFileName } from '../../src/domain/ingest/ingest.files';
import { ingestBatch, IngestSummary } from '../../src/domain/ingest/ingest.service';
import { dropDatabase, runMigrations } from '../../src/db/migrate';

const TABLE_OF: Record<IngestFileName, string> = {
  'regions.csv': 'region',
  'institutions.csv': 'institution',
  'persons.csv': 'person',
  'relations.csv': 'person_relation',
  'price_catalog.csv': 'price_catalog',
  'settlements.csv': 'settlement',
  'settlement_items.csv': 'settlement_item',
  'drug_purchases.csv': 'drug_purchase',
};

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
};

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

async function main(): Promise<void> {
  const folder = resolve(process.argv[2] ?? '/tmp/synth50');
  const files = INGEST_FILE_NAMES.filter((f) => existsSync(join(folder, f)));
  if (!files.length) throw new Error(`no batch files in ${folder}`);
  const stamp = Date.now().toString(36);
  const oursUrl = databaseUrl(`bench_ingest_ours_${stamp}`);
  const plainUrl = databaseUrl(`bench_ingest_plain_${stamp}`);
  try {
    // Ours.
    await runMigrations(oursUrl);
    const services = await createServices(loadConfig({ ...process.env, DATABASE_URL: oursUrl }), {
      applicationName: 'bench',
    });
    let rejections = 0;
    let summary: IngestSummary;
    let oursTotal: number;
    let perFile: { file_name: string; seconds: number }[];
    try {
      await checkpoint(oursUrl);
      const started = process.hrtime.bigint();
      summary = await ingestBatch(services, folder, { onReject: () => rejections++ });
      oursTotal = seconds(started);
      perFile = await services.db.query(
        `SELECT file_name, extract(epoch FROM finished_at - started_at)::float8 AS seconds FROM ingest_file`,
      );
    } finally {
      await services.close();
    }

    // Plain psql \copy into LIKE tables with the same indexes.
    await runMigrations(plainUrl);
    const client = new Client({ connectionString: plainUrl });
    await client.connect();
    try {
      await client.query('CREATE SCHEMA plain');
      for (const file of files) {
        const table = TABLE_OF[file];
        await client.query(
          `CREATE TABLE plain.${table} (LIKE public.${table} INCLUDING DEFAULTS INCLUDING INDEXES INCLUDING IDENTITY)`,
        );
        for (const fixup of PLAIN_FIXUPS[file] ?? []) await client.query(`ALTER TABLE plain.${table} ${fixup}`);
      }
    } finally {
      await client.end();
    }
    const plain: Record<string, number> = {};
    await checkpoint(plainUrl);
    const plainStarted = process.hrtime.bigint();
    for (const file of files) {
      const header = (await readCsvHeader(join(folder, file)))!;
      const started = process.hrtime.bigint();
      const copy = spawnSync(
        'psql',
        [
          plainUrl,
          '-v',
          'ON_ERROR_STOP=1',
          '-qc',
          `\\copy plain.${TABLE_OF[file]} (${header.join(', ')}) FROM '${join(folder, file)}' WITH (FORMAT csv, HEADER true)`,
        ],
        { env: { ...process.env, PGTZ: 'Asia/Shanghai' }, encoding: 'utf8' },
      );
      if (copy.status !== 0) throw new Error(`psql \\copy ${file} failed: ${copy.stderr}`);
      plain[file] = seconds(started);
    }
    const plainTotal = seconds(plainStarted);

    const report: Record<string, unknown> = {};
    let rows = 0;
    for (const file of files) {
      const read = summary.files[file].read;
      rows += read;
      const ours = perFile.find((f) => f.file_name === file)!.seconds;
      report[file] = {
        rows: read,
        oursSeconds: +ours.toFixed(3),
        plainSeconds: +plain[file].toFixed(3),
        oursRowsPerSecond: rate(read, ours),
        plainRowsPerSecond: rate(read, plain[file]),
        ratio: +(plain[file] / ours).toFixed(2),
      };
    }
    process.stdout.write(
      `${JSON.stringify({
        folder,
        rejections,
        files: report,
        overall: {
          rows,
          oursSeconds: +oursTotal.toFixed(3),
          plainSeconds: +plainTotal.toFixed(3),
          oursRowsPerSecond: rate(rows, oursTotal),
          plainRowsPerSecond: rate(rows, plainTotal),
          ratio: +(plainTotal / oursTotal).toFixed(2),
        },
      })}\n`,
    );
  } finally {
    if (!process.env.BENCH_KEEP) {
      await dropDatabase(oursUrl);
      await dropDatabase(plainUrl);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
