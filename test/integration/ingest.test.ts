import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FACT_TABLES } from '../../src/collision/fact-statistics';
import { IngestBatchError, ingestBatch, IngestSummary } from '../../src/domain/ingest/ingest.service';
import { decryptPersonalData, keyedHash } from '../../src/domain/reference/personal-data';
import { createTestEnv, TestEnv } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest');
const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'ingest.js');

/** Loads a fixture folder, collecting the rejection lines. */
async function load(t: TestEnv, folder: string, options: { revalidate?: boolean } = {}) {
  const rejections: string[] = [];
  const summary = await ingestBatch(t.services, join(FIXTURES, folder), {
    ...options,
    onReject: (line) => rejections.push(line),
  });
  return { summary, rejections };
}

/** Every fact table's content (ciphertexts left out: their IV is random), for "nothing changed". */
async function snapshot(t: TestEnv): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const table of FACT_TABLES) {
    const [{ digest }] = await t.services.db.query(
      `SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS digest
       FROM (SELECT to_jsonb(x) - 'id_number_enc' - 'bank_account_enc' AS r FROM ${table} x) q`,
    );
    result[table] = digest;
  }
  return result;
}

const counts = (read: number, loaded: number, rejected: number, duplicates: number) => ({
  read,
  loaded,
  rejected,
  duplicates,
});

describe('ingest: validation', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  it('reports every invalid row as file:line: reason, in file order, and keeps it in quarantine', async () => {
    const { summary, rejections } = await load(t, 'rejects');
    const expected = readFileSync(join(FIXTURES, 'rejects.expected.txt'), 'utf8').trimEnd().split('\n');
    expect(rejections).toEqual(expected);
    // A few lines spelled out, as the data dictionary states the rules.
    expect(rejections).toEqual(
      expect.arrayContaining([
        'settlements.csv:31: total_amount 100.00 ≠ fund_amount 80.00 + self_amount 10.00',
        'settlement_items.csv:22: amount 30.00 ≠ quantity 2 × unit_price 12.00 (24.00)',
        'settlement_items.csv:25: charged_on 2025-03-10 is outside the stay 2025-03-01..2025-03-05',
        'persons.csv:6: id_number 610302********0017 fails the GB 11643 check',
        'institutions.csv:15: region_code 610300 is a CITY, not a COUNTY',
        'price_catalog.csv:11: region_code 610302 is a COUNTY, not a PROVINCE or CITY',
        'regions.csv:15: parent_code 610900 does not exist',
        // Quoted line breaks earlier in the file do not shift the line numbers.
        'persons.csv:23: bank_account 6222***********2233 is not 12–19 digits',
        'settlement_items.csv:30: settlement_id S031, line_no 1 already appears on line 28 with other content',
      ]),
    );
    expect(summary).toEqual({
      files: {
        'regions.csv': counts(16, 3, 12, 1),
        'institutions.csv': counts(15, 2, 13, 0),
        'persons.csv': counts(21, 3, 18, 0),
        'relations.csv': counts(9, 1, 7, 1),
        'price_catalog.csv': counts(18, 1, 17, 0),
        'settlements.csv': counts(33, 2, 31, 0),
        'settlement_items.csv': counts(28, 2, 25, 1),
        'drug_purchases.csv': counts(12, 1, 11, 0),
      },
      ok: true,
    });

    const quarantined: { line: string }[] = await t.services.db.query(
      `SELECT q.file_name || ':' || q.line || ': ' || q.reason AS line FROM ingest_quarantine q
       JOIN ingest_file f ON f.id = q.ingest_file_id ORDER BY f.id, q.line`,
    );
    expect(quarantined.map((q) => q.line)).toEqual(expected);
    // The raw row is kept, with personal data masked.
    const [{ raw }] = await t.services.db.query(
      `SELECT raw FROM ingest_quarantine WHERE file_name = 'persons.csv' AND line = 6`,
    );
    expect(raw).toEqual({
      person_id: 'P004',
      id_number: '610302********0017',
      name: '错校验',
      gender: 'M',
      birth_date: '1980-01-01',
      region_code: '610302',
      death_date: null,
      is_public_official: 'false',
      employer_code: null,
      bank_account: null,
    });
  });

  it('loads the valid rows of a file that also has rejected ones', async () => {
    const items = await t.services.db.query(
      `SELECT settlement_id, line_no, item_name, amount::text FROM settlement_item ORDER BY settlement_id, line_no`,
    );
    expect(items).toEqual([
      { settlement_id: 'S001', line_no: 1, item_name: '床位费', amount: '200.00' },
      { settlement_id: 'S031', line_no: 1, item_name: '阿莫西林\n胶囊', amount: '58.50' },
    ]);
    const [region] = await t.services.db.query(`SELECT name FROM region WHERE code = '610302'`);
    expect(region.name).toBe('渭滨区');
  });
});

describe('ingest: idempotency, partitions, personal data', () => {
  let t: TestEnv;
  let first: IngestSummary;
  beforeAll(async () => {
    t = await createTestEnv();
    ({ summary: first } = await load(t, 'valid'));
  });
  afterAll(() => t.close());

  it('loads a clean batch completely', () => {
    expect(first).toEqual({
      files: {
        'regions.csv': counts(6, 6, 0, 0),
        'institutions.csv': counts(3, 3, 0, 0),
        'persons.csv': counts(4, 4, 0, 0),
        'relations.csv': counts(2, 2, 0, 0),
        'price_catalog.csv': counts(3, 3, 0, 0),
        'settlements.csv': counts(4, 4, 0, 0),
        'settlement_items.csv': counts(5, 5, 0, 0),
        'drug_purchases.csv': counts(1, 1, 0, 0),
      },
      ok: true,
    });
  });

  it('loading the same folder again changes nothing and counts every row as a duplicate', async () => {
    const before = await snapshot(t);
    const allDuplicates = Object.fromEntries(
      Object.entries(first.files).map(([file, c]) => [file, counts(c.read, 0, 0, c.read)]),
    );
    const skipped = await load(t, 'valid');
    expect(skipped).toEqual({ summary: { files: allDuplicates, ok: true }, rejections: [] });
    const [{ skips }] = await t.services.db.query(
      `SELECT count(*)::int AS skips FROM ingest_file WHERE status = 'SKIPPED'`,
    );
    expect(skips).toBe(8);
    // --revalidate reads and checks every row again: same answer, still nothing changed.
    const revalidated = await load(t, 'valid', { revalidate: true });
    expect(revalidated).toEqual({ summary: { files: allDuplicates, ok: true }, rejections: [] });
    expect(await snapshot(t)).toEqual(before);
  });

  it('rejects a row whose key exists with other content, and never overwrites it', async () => {
    const before = await snapshot(t);
    const { summary, rejections } = await load(t, 'conflicts');
    expect(rejections).toEqual([
      'regions.csv:2: code 610302 already exists with other content',
      'persons.csv:2: person_id P001 already exists with other content',
      'settlements.csv:3: settlement_id S003 already exists with other content',
      'settlement_items.csv:3: settlement_id S001, line_no 2 already exists with other content',
    ]);
    // Same values written differently (85.5 vs 85.50, an explicit +08:00) are the same content.
    expect(summary.files).toEqual({
      'regions.csv': counts(2, 0, 1, 1),
      'persons.csv': counts(2, 0, 1, 1),
      'settlements.csv': counts(2, 0, 1, 1),
      'settlement_items.csv': counts(2, 0, 1, 1),
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it('computes settled_on in Asia/Shanghai and creates the month partitions present', async () => {
    const rows = await t.services.db.query(
      `SELECT settlement_id, settled_on::text, tableoid::regclass::text AS partition FROM settlement ORDER BY settlement_id`,
    );
    expect(rows).toEqual([
      { settlement_id: 'S001', settled_on: '2025-03-05', partition: 'settlement_202503' },
      // 23:30 without an offset is Shanghai time: still March.
      { settlement_id: 'S002', settled_on: '2025-03-31', partition: 'settlement_202503' },
      { settlement_id: 'S003', settled_on: '2025-04-01', partition: 'settlement_202504' },
      // 2025-02-28T17:00Z is 01:00 on 1 March in Shanghai.
      { settlement_id: 'S004', settled_on: '2025-03-01', partition: 'settlement_202503' },
    ]);
    const partitions = await t.services.db.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent IN ('settlement'::regclass, 'settlement_item'::regclass) ORDER BY c.relname`,
    );
    expect(partitions.map((p: { relname: string }) => p.relname)).toEqual([
      'settlement_202503',
      'settlement_202504',
      'settlement_item_202503',
      'settlement_item_202504',
    ]);
    const items = await t.services.db.query(
      `SELECT settlement_id, line_no, settled_on::text FROM settlement_item WHERE settlement_id = 'S003'`,
    );
    expect(items).toEqual([{ settlement_id: 'S003', line_no: 1, settled_on: '2025-04-01' }]);
  });

  it('stores money exactly', async () => {
    const rows = await t.services.db.query(
      `SELECT total_amount::text, fund_amount::text, self_amount::text FROM settlement WHERE settlement_id = 'S002'`,
    );
    expect(rows).toEqual([{ total_amount: '85.50', fund_amount: '60.00', self_amount: '25.50' }]);
  });

  it('encrypts in SQL what Node decrypts, with the same keyed hashes; payee hashes match bank-account hashes', async () => {
    const keys = t.services.personalDataKeys;
    const [p] = await t.services.db.query(
      `SELECT id_number_enc, id_number_hash, id_number_masked, bank_account_enc, bank_account_hash, bank_account_masked
       FROM person WHERE person_id = 'P001'`,
    );
    expect(decryptPersonalData(keys, p.id_number_enc, p.id_number_hash)).toBe('610302198001010016');
    expect(p.id_number_hash.equals(keyedHash(keys, '610302198001010016'))).toBe(true);
    expect(p.id_number_masked).toBe('610302********0016');
    expect(decryptPersonalData(keys, p.bank_account_enc, p.bank_account_hash)).toBe('6222020200112233445');
    expect(p.bank_account_hash.equals(keyedHash(keys, '6222020200112233445'))).toBe(true);
    expect(p.bank_account_masked).toBe('6222***********3445');
    // INSIDER_PAYEE joins on these hashes.
    const [match] = await t.services.db.query(
      `SELECT s.settlement_id, s.payee_account_masked FROM settlement s
       JOIN person p ON p.bank_account_hash = s.payee_account_hash`,
    );
    expect(match).toEqual({ settlement_id: 'S003', payee_account_masked: '6222***********3445' });
    const [{ clear }] = await t.services.db.query(
      `SELECT count(*)::int AS clear FROM ingest_quarantine WHERE raw::text LIKE '%6222020200112233445%'`,
    );
    expect(clear).toBe(0);
  });

  it('records every file in the ingest log with its checksum and counts', async () => {
    const rows = await t.services.db.query(
      `SELECT file_name, status, read_rows, loaded_rows, length(checksum) AS checksum_length, finished_at >= started_at AS ordered
       FROM ingest_file WHERE file_name = 'settlements.csv' ORDER BY id`,
    );
    expect(rows).toEqual([
      {
        file_name: 'settlements.csv',
        status: 'LOADED',
        read_rows: 4,
        loaded_rows: 4,
        checksum_length: 64,
        ordered: true,
      },
      {
        file_name: 'settlements.csv',
        status: 'SKIPPED',
        read_rows: 4,
        loaded_rows: 0,
        checksum_length: 64,
        ordered: true,
      },
      {
        file_name: 'settlements.csv',
        status: 'LOADED',
        read_rows: 4,
        loaded_rows: 0,
        checksum_length: 64,
        ordered: true,
      },
      {
        file_name: 'settlements.csv',
        status: 'LOADED',
        read_rows: 2,
        loaded_rows: 0,
        checksum_length: 64,
        ordered: true,
      },
    ]);
  });
});

describe('ingest: a batch that cannot be read', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  const failure = async (folder: string) => {
    try {
      await ingestBatch(t.services, join(FIXTURES, folder));
    } catch (error) {
      if (error instanceof IngestBatchError) return { message: error.message, summary: error.summary };
      throw error;
    }
    throw new Error('expected the batch to fail');
  };

  it('fails for a missing folder', async () => {
    const { message, summary } = await failure('no-such-folder');
    expect(message).toMatch(/batch folder .*no-such-folder does not exist/);
    expect(summary).toEqual({ files: {}, ok: false });
  });

  it('fails for a header without exactly the dictionary columns, before loading anything', async () => {
    const { message, summary } = await failure('bad-header');
    expect(message).toBe(
      'regions.csv: header must have exactly the columns code, name, level, parent_code (in any order): ' +
        'missing parent_code; unexpected "parent", "extra"',
    );
    expect(summary).toEqual({ files: {}, ok: false });
  });

  it('fails for a CSV that does not parse, keeping the files before it and nothing of it', async () => {
    const { message, summary } = await failure('unreadable');
    expect(message).toBe('institutions.csv:2: unreadable CSV: unterminated CSV quoted field');
    expect(summary).toEqual({ files: { 'regions.csv': counts(6, 6, 0, 0) }, ok: false });
    const log = await t.services.db.query(`SELECT file_name, status, error FROM ingest_file ORDER BY id`);
    expect(log).toEqual([
      { file_name: 'regions.csv', status: 'LOADED', error: null },
      { file_name: 'institutions.csv', status: 'FAILED', error: message },
    ]);
    const [{ n }] = await t.services.db.query('SELECT count(*)::int AS n FROM institution');
    expect(n).toBe(0);
  });
});

describe('ingest: the command', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  const run = async (folder: string) => {
    try {
      const { stdout, stderr } = await promisify(execFile)('node', [CLI, join(FIXTURES, folder)], {
        env: { ...process.env, DATABASE_URL: t.databaseUrl, NODE_ENV: 'test' },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const lastLine = (stdout: string) => stdout.trimEnd().split('\n').pop()!;

  it('prints rejections on stderr and the summary as the last stdout line; exits 0', async () => {
    const { code, stdout, stderr } = await run('rejects');
    expect(code).toBe(0);
    expect(stderr.trimEnd().split('\n')).toEqual(
      readFileSync(join(FIXTURES, 'rejects.expected.txt'), 'utf8').trimEnd().split('\n'),
    );
    const summary = JSON.parse(lastLine(stdout));
    expect(summary.ok).toBe(true);
    expect(summary.files['settlements.csv']).toEqual(counts(33, 2, 31, 0));
    expect(lastLine(stdout)).toMatch(
      /^\{"files":\{"regions\.csv":\{"read":16,"loaded":3,"rejected":12,"duplicates":1\},/,
    );
  });

  it('exits non-zero, with ok false, when the batch cannot be read', async () => {
    const { code, stdout, stderr } = await run('no-such-folder');
    expect(code).not.toBe(0);
    expect(JSON.parse(lastLine(stdout))).toEqual({ files: {}, ok: false });
    expect(stderr).toMatch(/does not exist/);
  });
});
