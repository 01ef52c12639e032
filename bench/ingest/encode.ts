/**
 * The direct path's per-row work alone (row-encoder.ts: split, checks, encoding to COPY binary),
 * one thread, no COPY: CPU microseconds per row of a batch file, for working on that cost
 * (docs/PERFORMANCE.md, ## Ingest). The column types come from a freshly migrated database
 * (dropped after); the lookups are answered with one found row (an outpatient settlement of
 * March 2025 for items, a row for persons and institutions), so every row takes the accepted path.
 *
 *   node --max-semi-space-size=64 dist/bench/ingest/encode.js /tmp/month10 [settlement_items.csv] [--worker]
 *
 * `--worker`: as on a row worker (an ASCII chunk read as one string, remembered entries as arrays).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { columnTypes } from '../../src/domain/ingest/copy-binary';
import { INGEST_FILES, LookupRow } from '../../src/domain/ingest/ingest.files';
import { RowEncoder } from '../../src/domain/ingest/row-encoder';
import { TABLE_OF_FILE } from '../../src/domain/ingest/ingest.service';
import { dropDatabase, runMigrations } from '../../src/db/migrate';

async function types(tables: string[]): Promise<Map<string, string>[]> {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/bench_ingest_encode_${Date.now().toString(36)}`;
  await runMigrations(url.toString());
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await Promise.all(tables.map((table) => columnTypes(client, table)));
  } finally {
    await client.end();
    await dropDatabase(url.toString());
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--worker');
  const folder = resolve(args[0] ?? '/tmp/month10');
  const file = args[1] ?? 'settlement_items.csv';
  const spec = INGEST_FILES.find((s) => s.file === file);
  if (!spec?.direct) throw new Error(`${file}: no direct path`);
  const [tableTypes, alsoTypes] = await types([TABLE_OF_FILE[spec.file], spec.direct.also?.table ?? 'region']);
  const data = readFileSync(join(folder, file));
  const headerEnd = data.indexOf(10);
  const header = data.toString('utf8', 0, headerEnd).replace(/\r$/, '').split(',');
  const keys = { hashKey: Buffer.alloc(32, 1), encKey: Buffer.alloc(32, 2) };
  const encoder = new RowEncoder(spec, header, { keys, ingestFileId: '1', columns: spec.columns }, tableTypes, alsoTypes, {
    offload: false,
    rememberLimit: 2_000_000,
    onWorker: process.argv.includes('--worker'),
  });
  const found: LookupRow = { key: 'x', settled_on: '2025-03-01', admit_date: null, discharge_date: null };
  let rows = 0;
  let bytes = 0;
  const cpu = process.cpuUsage();
  // 4 MB chunks cut at line ends (synth files have no quoted line breaks).
  for (let at = headerEnd + 1; at < data.length; ) {
    let end = data.lastIndexOf(10, Math.min(at + (4 << 20), data.length - 1));
    if (end < at) end = data.length - 1;
    const buf = data.subarray(at, end + 1);
    const starts: number[] = [];
    const ends: number[] = [];
    const lines: number[] = [];
    for (let p = 0; p < buf.length; ) {
      let e = buf.indexOf(10, p);
      if (e === -1) e = buf.length;
      starts.push(p);
      ends.push(e > p && buf[e - 1] === 13 ? e - 1 : e);
      lines.push(rows + 2);
      rows++;
      p = e + 1;
    }
    encoder.encodeChunk(
      buf,
      starts,
      ends,
      lines,
      encoder.needs.map(() => starts.map(() => found)),
      null,
    );
    bytes += encoder.take().out?.length ?? 0;
    at = end + 1;
  }
  const used = process.cpuUsage(cpu);
  const micros = used.user + used.system;
  process.stdout.write(
    `${JSON.stringify({ file, rows, rejected: encoder.rejected.length, copyBytes: bytes, cpuMs: Math.round(micros / 1000), cpuMicrosPerRow: +(micros / rows).toFixed(2) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
