/**
 * Export benchmark: time and memory of exporting the clue list (CSV and XLSX) at 20k and at
 * 200k rows, through the product's export service (openExport → writeTo, the same code the
 * HTTP route runs) into a sink that consumes like a socket (64 KiB buffer, asynchronous
 * writes; one run with a slow consumer, to show that back-pressure holds memory flat).
 * Memory is sampled every 5 ms (process.memoryUsage) after a forced GC: peak RSS and peak heap,
 * absolute and above the idle baseline (the peak includes garbage V8 has not collected yet; the
 * `*Live` runs also force a GC after each page and record the heap left, the export's live set). The yardstick, independent of the product: PostgreSQL's
 * own `COPY (SELECT … FROM clue ORDER BY …) TO STDOUT (FORMAT csv)` of the same rows into the
 * same sink. Prints one JSON line.
 *
 *   npx tsc -p tsconfig.json && node --expose-gc dist/bench/export/run.js [--small 20000] [--large 200000]
 *     [--page-size 10000] [--peaks-only] [--keep]
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server;
 * the database is created and dropped (unless --keep). Needs Redis (REDIS_URL) like the API.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { listClues } from '../../src/domain/clue/clue.service';
import { EXPORT_PAGE_SIZE, openExport } from '../../src/domain/export/export.service';
import { csvWriter, ExportWriter, xlsxWriter } from '../../src/domain/export/export.writers';
import { SEED_REGIONS } from '../../src/domain/reference/regions.seed';
import { Actor } from '../../src/policy';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SMALL = arg('small', 20_000);
const LARGE = arg('large', 200_000);
const PAGE_SIZE = arg('page-size', EXPORT_PAGE_SIZE);
const KEEP = process.argv.includes('--keep');
/** Only the plain CSV and XLSX runs and the list's own pages (e.g. under --max-old-space-size). */
const PEAKS_ONLY = process.argv.includes('--peaks-only');

const FILL = [
  `INSERT INTO region (code, name, level, parent_code)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, level text, "parentCode" text) ORDER BY code`,
  `INSERT INTO department (kind, region_code, name)
   SELECT k, r.code, r.name || k FROM region r, unnest('{MEDICAL_INSURANCE,HEALTH,PUBLIC_SECURITY,DISCIPLINE}'::text[]) k`,
  `INSERT INTO app_user (username, display_name, password_hash, department_id, roles)
   SELECT 'bench', 'bench', 'x', id, '{INVESTIGATOR}' FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610302'`,
  `INSERT INTO institution (code, name, kind, level, ownership, region_code)
   SELECT 'H' || i, '渭滨区医院' || i, 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610302' FROM generate_series(0, 499) i`,
  `INSERT INTO person (person_id, name, region_code) SELECT 'P' || i, '参保人' || i, '610302' FROM generate_series(0, 49999) i`,
];

/** Clues $1..$2 (exclusive) of 渭滨区, owned by its 医保, each with a subject. */
const CLUES = [
  `INSERT INTO clue (id, code, title, description, source, status, region_code, institution_code, amount_involved,
                     owner_department_id, routed_at, created_at)
   SELECT md5('clue' || i)::uuid, 'XS-' || lpad(i::text, 7, '0'), '疑似超标准收费线索' || i, '描述' || i, 'DATA_COLLISION', 'ASSIGNED',
          '610302', 'H' || (i % 500), ((i::bigint * 7919) % 1000000) / 100.0,
          (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610302'),
          timestamptz '2025-01-01 00:00+08' + i * interval '1 minute' + interval '1 hour',
          timestamptz '2025-01-01 00:00+08' + i * interval '1 minute'
   FROM generate_series($1::int, $2::int - 1) i`,
  `INSERT INTO clue_person (clue_id, person_id, role)
   SELECT md5('clue' || i)::uuid, 'P' || ((i * 31) % 50000), 'SUBJECT' FROM generate_series($1::int, $2::int - 1) i`,
  'ANALYZE',
];

/** A consumer like a socket: 64 KiB of buffer, each chunk taken asynchronously (after `delayMs`). */
function sink(delayMs = 0): Writable & { bytes: number } {
  const out = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, done) {
      out.bytes += chunk.length;
      if (delayMs) setTimeout(done, delayMs);
      else setImmediate(done);
    },
  }) as Writable & { bytes: number };
  out.bytes = 0;
  return out;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Runs `work` while sampling memory; forced GC before, so the baseline is the idle heap. */
async function measured<T>(work: () => Promise<T>) {
  global.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const start = performance.now();
  const result = await work();
  const seconds = Math.round((performance.now() - start) / 10) / 100;
  clearInterval(timer);
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  return {
    result,
    seconds,
    peakRssMb: mb(peakRss),
    peakHeapMb: mb(peakHeap),
    heapAboveBaselineMb: mb(peakHeap - base.heapUsed),
    rssAboveBaselineMb: mb(peakRss - base.rss),
  };
}

async function main(): Promise<void> {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = `/bench_export_${Date.now().toString(36)}`;
  const url = base.toString();
  await runMigrations(url);
  const services = await createServices(
    loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: url, QUEUE_PREFIX: 'bench-export' }),
    { applicationName: 'bench-export' },
  );
  services.log.level = 'warn';
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    for (const statement of FILL) {
      await services.db.query(
        statement,
        statement.includes('jsonb_to_recordset') ? [JSON.stringify(SEED_REGIONS)] : [],
      );
    }
    const [user] = await services.db.query(`SELECT id, department_id FROM app_user WHERE username = 'bench'`);
    const actor: Actor = {
      userId: user.id,
      username: 'bench',
      roles: ['INVESTIGATOR'],
      department: { id: user.department_id, kind: 'MEDICAL_INSURANCE', regionCode: '610302', regionLevel: 'COUNTY' },
    };

    /**
     * One export. With `live`, a full GC runs after each page is handed to the sink and the heap
     * left (the live set: what the export holds, not garbage waiting for collection) is recorded.
     */
    const exportOnce = (format: 'csv' | 'xlsx', options: { delayMs?: number; live?: boolean } = {}) =>
      measured(async () => {
        const out = sink(options.delayMs);
        const inner: ExportWriter = format === 'csv' ? csvWriter(out) : xlsxWriter(out);
        const liveHeapMb: number[] = [];
        const writer: ExportWriter = options.live
          ? Object.assign(Object.create(inner) as ExportWriter, {
              async flush() {
                await inner.flush();
                global.gc?.();
                liveHeapMb.push(mb(process.memoryUsage().heapUsed));
              },
            })
          : inner;
        const opened = await openExport(
          services,
          actor,
          { list: 'clues', format, filter: {} },
          { pageSize: PAGE_SIZE },
        );
        const rows = await opened.writeTo(writer);
        return {
          rows,
          bytes: out.bytes,
          ...(options.live
            ? {
                liveHeapAfterEachPageMb: {
                  min: Math.min(...liveHeapMb),
                  max: Math.max(...liveHeapMb),
                  pages: liveHeapMb.length,
                },
              }
            : {}),
        };
      });
    // What the list function alone costs for the same pages (its count and top-N per page): the
    // part of an export's time that is the list's query, not the export's writing.
    const listPagesOnce = () =>
      measured(async () => {
        let after: string | null = null;
        let pages = 0;
        do {
          const page: Awaited<ReturnType<typeof listClues>> = await listClues(services, actor, {}, PAGE_SIZE, after);
          after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
          pages += 1;
        } while (after);
        return { pages };
      });
    // The yardstick: the same rows and columns straight out of PostgreSQL (no visibility, no names, no labels).
    const copyOnce = () =>
      measured(async () => {
        const client = await pool.connect();
        try {
          const out = sink();
          await pipeline(
            client.query(
              copyTo(`COPY (SELECT c.code, c.title, c.source, c.status, c.model, c.institution_code, i.name, c.region_code,
                                   c.amount_involved, d.name, p.names, c.created_at, c.routed_at, c.closed_at, c.recovered_amount
                            FROM clue c LEFT JOIN institution i ON i.code = c.institution_code
                            LEFT JOIN department d ON d.id = c.owner_department_id
                            LEFT JOIN LATERAL (SELECT string_agg(pe.name, '、') AS names FROM clue_person cp
                                               JOIN person pe ON pe.person_id = cp.person_id WHERE cp.clue_id = c.id) p ON true
                            ORDER BY c.created_at DESC, c.id DESC) TO STDOUT (FORMAT csv, HEADER)`),
            ),
            out,
          );
          return { bytes: out.bytes };
        } finally {
          client.release();
        }
      });

    const results: Record<string, unknown>[] = [];
    let filled = 0;
    for (const size of [SMALL, LARGE]) {
      const fillStart = performance.now();
      for (const statement of CLUES) {
        await services.db.query(statement, statement === 'ANALYZE' ? [] : [filled, size]);
      }
      filled = size;
      const fillSeconds = Math.round((performance.now() - fillStart) / 10) / 100;
      const runs: Record<string, unknown> = {};
      runs.csv = await exportOnce('csv');
      runs.xlsx = await exportOnce('xlsx');
      runs.listPagesOnly = await listPagesOnce();
      if (PEAKS_ONLY) {
        results.push({ rows: size, fillSeconds, ...runs });
        continue;
      }
      runs.csvLive = await exportOnce('csv', { live: true });
      runs.xlsxLive = await exportOnce('xlsx', { live: true });
      if (size === LARGE) runs.csvSlowClientLive = await exportOnce('csv', { delayMs: 5, live: true });
      runs.postgresCopyCsv = await copyOnce();
      results.push({ rows: size, fillSeconds, ...runs });
    }
    console.log(
      JSON.stringify({ bench: 'export', list: 'clues', pageSize: PAGE_SIZE, node: process.version, results }),
    );
  } finally {
    await pool.end();
    await services.close();
    if (!KEEP) await dropDatabase(url);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
