import { ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestEnv, TestEnv } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest', 'valid');
const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'ingest.js');
const SETTLEMENTS = 30_000;
const LINES_PER_SETTLEMENT = 10;

/** A batch with 30 000 settlements and 300 000 item lines over the fixture's reference data. */
async function writeLargeBatch(folder: string): Promise<void> {
  for (const file of ['regions.csv', 'institutions.csv', 'persons.csv']) {
    copyFileSync(join(FIXTURES, file), join(folder, file));
  }
  const settlements = createWriteStream(join(folder, 'settlements.csv'));
  const items = createWriteStream(join(folder, 'settlement_items.csv'));
  settlements.write(
    'settlement_id,person_id,institution_code,visit_type,admit_date,discharge_date,settled_at,diagnosis_code,dip_group,total_amount,fund_amount,self_amount,payee_account,doctor_id\n',
  );
  items.write('settlement_id,line_no,item_code,item_kind,item_name,quantity,unit_price,amount,charged_on,trace_code\n');
  for (let i = 0; i < SETTLEMENTS; i++) {
    const id = `BIG${String(i).padStart(7, '0')}`;
    const day = `2025-${String(1 + (i % 6)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    settlements.write(`${id},P001,H610302001,OUTPATIENT,,,${day}T10:00:00+08:00,J18.9,,100.00,80.00,20.00,,D001\n`);
    let lines = '';
    for (let line = 1; line <= LINES_PER_SETTLEMENT; line++) {
      lines += `${id},${line},XL01CA001,DRUG,阿莫西林胶囊,2,5.00,10.00,${day},\n`;
    }
    if (!items.write(lines)) await once(items, 'drain');
  }
  settlements.end();
  items.end();
  await Promise.all([once(settlements, 'finish'), once(items, 'finish')]);
}

function runCli(databaseUrl: string, folder: string): ChildProcess {
  return spawn('node', [CLI, folder], {
    env: { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('ingest: crash safety', () => {
  let t: TestEnv;
  let folder: string;
  beforeAll(async () => {
    t = await createTestEnv();
    folder = mkdtempSync(join(tmpdir(), 'ingest-big-'));
    await writeLargeBatch(folder);
  });
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await t.close();
  });

  it('a loader killed while copying settlement_items leaves nothing of that file; the next run loads it all', async () => {
    const monitor = new Client({ connectionString: t.databaseUrl });
    await monitor.connect();
    const child = runCli(t.databaseUrl, folder);
    const exited = once(child, 'exit');
    try {
      // Wait until the loader's COPY of settlement_items.csv is running, then kill it.
      for (;;) {
        const { rowCount } = await monitor.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE datname = current_database() AND application_name = 'ingest' AND state = 'active'
             AND (query LIKE 'COPY settlement_item (%' OR query LIKE 'COPY ingest_stage (file_line, settlement_id, line_no%')`,
        );
        if (rowCount) break;
        if (child.exitCode !== null) throw new Error('the loader finished before it could be killed');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      child.kill('SIGKILL');
      await exited;
      // The server notices the dropped connection and rolls the file's transaction back.
      for (;;) {
        const { rowCount } = await monitor.query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'ingest'`,
        );
        if (!rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await monitor.end();
    }

    const count = async (sql: string) => (await t.services.db.query(sql))[0].n as number;
    expect(await count('SELECT count(*)::int AS n FROM settlement_item')).toBe(0);
    expect(await count('SELECT count(*)::int AS n FROM settlement')).toBe(SETTLEMENTS);
    const log = await t.services.db.query(
      `SELECT file_name, status FROM ingest_file WHERE file_name = 'settlement_items.csv' ORDER BY id`,
    );
    expect(log).toEqual([{ file_name: 'settlement_items.csv', status: 'LOADING' }]);

    const rerun = runCli(t.databaseUrl, folder);
    let stdout = '';
    rerun.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = await once(rerun, 'exit');
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.trimEnd().split('\n').pop()!);
    expect(summary.files['settlements.csv']).toEqual({
      read: SETTLEMENTS,
      loaded: 0,
      rejected: 0,
      duplicates: SETTLEMENTS,
    });
    const items = SETTLEMENTS * LINES_PER_SETTLEMENT;
    expect(summary.files['settlement_items.csv']).toEqual({ read: items, loaded: items, rejected: 0, duplicates: 0 });
    expect(await count('SELECT count(*)::int AS n FROM settlement_item')).toBe(items);
    const [{ n }] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM ingest_file WHERE file_name = 'settlement_items.csv' AND status = 'LOADED'`,
    );
    expect(n).toBe(1);
  }, 120_000);
});
