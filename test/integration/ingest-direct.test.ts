/**
 * The direct path (direct-load.ts) against the staged path it stands in for: the same
 * fixture batches loaded both ways into two databases give the same rejections, the same
 * quarantine and the same fact rows; whatever only the staged path decides (existing or
 * repeated keys) is handed over to it; the Node derivations equal PostgreSQL's.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FACT_TABLES } from '../../src/collision/fact-statistics';
import { ingestBatch, IngestOptions } from '../../src/domain/ingest/ingest.service';
import { keyedHashWriter } from '../../src/domain/ingest/keyed-hash';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, encoderFor } from '../../src/domain/ingest/copy-binary';
import { INGEST_FILES, NotDirect } from '../../src/domain/ingest/ingest.files';
import { scanMonths } from '../../src/domain/ingest/direct-load';
import { OutputBuffer } from '../../src/domain/ingest/stage-stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decryptPersonalData } from '../../src/domain/reference/personal-data';
import { shanghaiDate } from '../../src/domain/ingest/row-checks';
import { DEFAULT_WINDOW, generateSyntheticBatch } from '../../src/synth/generator';
import { createTestEnv, TestEnv } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest');

async function load(t: TestEnv, folder: string, options: IngestOptions = {}) {
  const rejections: string[] = [];
  const summary = await ingestBatch(t.services, folder, { ...options, onReject: (line) => rejections.push(line) });
  return { summary, rejections };
}

/** Every fact table's rows (ciphertexts and ingest ids left out), and the quarantine. */
async function contents(t: TestEnv): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of FACT_TABLES) {
    result[table] = (
      await t.services.db.query(
        `SELECT to_jsonb(x) - 'id_number_enc' - 'bank_account_enc' - 'ingest_file_id' AS r FROM ${table} x ORDER BY 1::text`,
      )
    ).map((row: { r: unknown }) => row.r);
    result[table].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  result.quarantine = await t.services.db.query(
    'SELECT file_name, line, reason, raw FROM ingest_quarantine ORDER BY file_name, line',
  );
  return result;
}

const paths = async (t: TestEnv) =>
  Object.fromEntries(
    (
      await t.services.db.query<{ file_name: string; load_path: string }[]>(
        `SELECT DISTINCT ON (file_name) file_name, load_path FROM ingest_file ORDER BY file_name, id DESC`,
      )
    ).map((r) => [r.file_name, r.load_path]),
  );

describe('ingest: the direct path gives what the staged path gives', () => {
  let direct: TestEnv;
  let staged: TestEnv;
  beforeAll(async () => {
    direct = await createTestEnv();
    staged = await createTestEnv();
  });
  afterAll(async () => {
    await direct.close();
    await staged.close();
  });

  it.each([
    ['valid', {}],
    ['rejects', {}],
    ['valid (again, revalidated: every key exists)', { revalidate: true }],
    ['conflicts', {}],
  ] as const)('%s', async (name, options) => {
    const folder = join(FIXTURES, name.split(' ')[0]);
    // Chunks of 200 bytes: records (quoted line breaks included) cross chunk boundaries.
    const ours = await load(direct, folder, { ...options, chunkBytes: 200 });
    const reference = await load(staged, folder, { ...options, path: 'staged' });
    expect(ours).toEqual(reference);
    expect(await contents(direct)).toEqual(await contents(staged));
  });

  it('a header in another order, personal-data columns first and side by side', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'ingest-order-'));
    try {
      const [header, ...rows] = readFileSync(join(FIXTURES, 'valid', 'persons.csv'), 'utf8')
        .trim()
        .split('\n');
      const columns = header.split(',');
      const order = ['bank_account', 'id_number', ...columns.filter((c) => c !== 'bank_account' && c !== 'id_number')];
      const reorder = (fields: string[]) => order.map((c) => fields[columns.indexOf(c)]);
      const renamed = rows.map((row) => reorder(`Q${row}`.split(',')).join(','));
      writeFileSync(join(folder, 'persons.csv'), [order.join(','), ...renamed, ''].join('\n'));
      const ours = await load(direct, folder);
      const reference = await load(staged, folder, { path: 'staged' });
      expect(ours).toEqual(reference);
      expect(ours.summary.files['persons.csv'].loaded).toBe(rows.length);
      expect(await contents(direct)).toEqual(await contents(staged));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('both paths encrypt personal data that Node decrypts against its keyed hash', async () => {
    for (const env of [direct, staged]) {
      const rows = await env.services.db.query<{ id_number_enc: Buffer; id_number_hash: Buffer }[]>(
        `SELECT id_number_enc, id_number_hash FROM person WHERE person_id IN ('P001', 'QP001')`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows)
        expect(decryptPersonalData(env.services.personalDataKeys, row.id_number_enc, row.id_number_hash)).toBe(
          '610302198001010016',
        );
    }
  });

  it('loads clean files directly and hands the others to the staged path', async () => {
    // After the conflicts case existing keys went to the staged path; the reordered persons
    // loaded directly.
    expect(await paths(direct)).toEqual({
      'regions.csv': 'STAGED',
      'institutions.csv': 'STAGED',
      'persons.csv': 'DIRECT',
      'relations.csv': 'STAGED',
      'price_catalog.csv': 'STAGED',
      'settlements.csv': 'STAGED',
      'settlement_items.csv': 'STAGED',
      'drug_purchases.csv': 'STAGED',
    });
    const first = await direct.services.db.query<{ file_name: string; load_path: string }[]>(
      `SELECT DISTINCT ON (file_name) file_name, load_path FROM ingest_file ORDER BY file_name, id`,
    );
    expect(Object.fromEntries(first.map((r) => [r.file_name, r.load_path]))).toEqual({
      'regions.csv': 'STAGED',
      'institutions.csv': 'STAGED',
      'persons.csv': 'DIRECT',
      'relations.csv': 'DIRECT',
      'price_catalog.csv': 'STAGED',
      'settlements.csv': 'DIRECT',
      'settlement_items.csv': 'DIRECT',
      'drug_purchases.csv': 'DIRECT',
    });
  });
});

describe('ingest: a synthetic batch of many chunks, both ways', () => {
  let direct: TestEnv;
  let staged: TestEnv;
  let folder: string;
  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'ingest-synth-'));
    await generateSyntheticBatch({ outDir: folder, scale: 0.5, seed: 7, ...DEFAULT_WINDOW, withExpectedHits: false });
    direct = await createTestEnv();
    staged = await createTestEnv();
  }, 120_000);
  afterAll(async () => {
    rmSync(folder, { recursive: true, force: true });
    await direct.close();
    await staged.close();
  });

  it('loads the same rows, with most references looked up in the database (a small batch memory)', async () => {
    // 1,000 remembered rows per kind: the rest of the persons and settlements are looked up
    // on the lookup connection, chunk by chunk (64 kB chunks: dozens per file).
    const ours = await load(direct, folder, { memoryLimit: 1000, chunkBytes: 1 << 16 });
    const reference = await load(staged, folder, { path: 'staged' });
    expect(ours).toEqual(reference);
    expect(ours.rejections).toEqual([]);
    expect(Object.values(await paths(direct)).filter((p) => p === 'DIRECT')).toHaveLength(5);
    expect(await contents(direct)).toEqual(await contents(staged));
  }, 120_000);
});

describe('ingest: what the direct path leaves to the staged path', () => {
  let t: TestEnv;
  let folder: string;
  beforeAll(async () => {
    t = await createTestEnv();
    await load(t, join(FIXTURES, 'valid'));
  });
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'ingest-direct-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));
  afterAll(() => t.close());

  const header = readFileSync(join(FIXTURES, 'valid', 'relations.csv'), 'utf8').split('\n')[0];
  const relations = (lines: string[]) =>
    writeFileSync(join(folder, 'relations.csv'), [header, ...lines, ''].join('\n'));

  it('a key repeated in the file: the first line stands, a later identical one is a duplicate', async () => {
    relations(['P002,P001,COLLEAGUE', 'P002,P001,COLLEAGUE']);
    const { summary, rejections } = await load(t, folder);
    expect(rejections).toEqual([]);
    expect(summary.files['relations.csv']).toEqual({ read: 2, loaded: 1, rejected: 0, duplicates: 1 });
    expect((await paths(t))['relations.csv']).toBe('STAGED');
  });

  it('a key shared with a rejected line earlier in the file: the later line is compared with it', async () => {
    writeFileSync(
      join(folder, 'drug_purchases.csv'),
      [
        'purchase_id,institution_code,item_code,quantity,purchased_on',
        'PU900,P610303001,XL01CA001,-5,2025-03-20',
        'PU900,P610303001,XL01CA001,5,2025-03-20',
        'PU901,P610303001,XL01CA001,7,2025-03-21',
        '',
      ].join('\n'),
    );
    const { summary, rejections } = await load(t, folder);
    expect(rejections).toEqual([
      'drug_purchases.csv:2: quantity -5 is not greater than 0',
      'drug_purchases.csv:3: purchase_id PU900 already appears on line 2 with other content',
    ]);
    expect(summary.files['drug_purchases.csv']).toEqual({ read: 3, loaded: 1, rejected: 2, duplicates: 0 });
    expect((await paths(t))['drug_purchases.csv']).toBe('STAGED');
  });

  it('rejected rows alone stay on the direct path', async () => {
    const [a, b] = ['P001', 'P002'];
    relations([`${a},NOBODY,SPOUSE`, `${a},NOBODY,SPOUSE`, `${b},${a},RELATIVE`]);
    const { summary, rejections } = await load(t, folder);
    expect(rejections).toEqual([
      'relations.csv:2: person_b NOBODY does not exist',
      'relations.csv:3: person_b NOBODY does not exist',
    ]);
    expect(summary.files['relations.csv']).toEqual({ read: 3, loaded: 1, rejected: 2, duplicates: 0 });
    expect((await paths(t))['relations.csv']).toBe('DIRECT');
  });

  it('a settlement timestamp with an offset before 1992 (Shanghai kept summer time then)', async () => {
    const settlements = readFileSync(join(FIXTURES, 'valid', 'settlements.csv'), 'utf8')
      .trim()
      .split('\n');
    const columns = settlements[0].split(',');
    const row = settlements[1].split(',');
    row[columns.indexOf('settlement_id')] = 'S1988';
    row[columns.indexOf('settled_at')] = '1988-07-01T23:30:00+08:00';
    writeFileSync(join(folder, 'settlements.csv'), [settlements[0], row.join(','), ''].join('\n'));
    const { summary } = await load(t, folder);
    expect(summary.files['settlements.csv']).toEqual({ read: 1, loaded: 1, rejected: 0, duplicates: 0 });
    expect((await paths(t))['settlements.csv']).toBe('STAGED');
    // 23:30 at UTC+8 was 00:30 on 2 July in Shanghai's summer time.
    const [{ settled_on }] = await t.services.db.query(
      `SELECT settled_on::text FROM settlement WHERE settlement_id = 'S1988'`,
    );
    expect(settled_on).toBe('1988-07-02');
  });
});

describe('ingest: Node derivations equal PostgreSQL', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  it('shanghaiDate is the date of (value::timestamptz AT TIME ZONE Asia/Shanghai), or null', async () => {
    const values: string[] = [];
    for (const day of ['2025-03-01', '1999-12-31', '1992-01-01', '2024-02-29', '1991-12-31', '1988-06-15'])
      for (const time of ['T00:30', 'T23:59:59', 'T16:00:00.5', 'T15:59:59.999999', ' 08:00'])
        for (const zone of ['', 'Z', '+08:00', '+0800', '+08', '-05:00', '+09', '+14:00', '-1130', '+00'])
          values.push(day + time + zone);
    // As the loader's session reads them: values without an offset are Shanghai time.
    const rows = await t.services.db.transaction(async (manager) => {
      await manager.query(`SET LOCAL timezone = 'Asia/Shanghai'`);
      return manager.query<{ v: string; d: string }[]>(
        `SELECT v, (v::timestamptz AT TIME ZONE 'Asia/Shanghai')::date::text AS d FROM unnest($1::text[]) v`,
        [values],
      );
    });
    let derived = 0;
    for (const { v, d } of rows) {
      const ours = shanghaiDate(v);
      if (ours === null) continue;
      derived++;
      expect([v, ours]).toEqual([v, d]);
    }
    expect(derived).toBeGreaterThanOrEqual(values.length * 0.7);
    // Offsets before 1992 are left to PostgreSQL.
    expect(shanghaiDate('1988-07-01T23:30:00+08:00')).toBeNull();
  });

  it('the month scan finds the Shanghai month of each valid timestamp, as PostgreSQL reads it', async () => {
    const values: string[] = [];
    for (const day of [
      '2025-03-01',
      '2025-03-31',
      '2025-02-28',
      '2024-02-29',
      '2025-12-31',
      '1991-12-31',
      '1992-01-01',
    ])
      for (const time of ['T00:30', 'T23:59:59', 'T16:00:00.5', ' 08:00', 'T20:00:00'])
        for (const zone of ['', 'Z', '+08:00', '+0800', '-05:00', '+09', '+14:00']) values.push(day + time + zone);
    const invalid = ['2025-02-30T10:00:00', '2025-13-01T10:00:00', '2025-03-01T24:00:00', '2025-06-01', 'x', ''];
    const spec = INGEST_FILES.find((f) => f.file === 'settlements.csv')!;
    const header = spec.columns as string[];
    const at = header.indexOf('settled_at');
    const expected = new Map<string, string>(
      (
        await t.services.db.transaction(async (manager) => {
          await manager.query(`SET LOCAL timezone = 'Asia/Shanghai'`);
          return manager.query<{ v: string; m: string }[]>(
            `SELECT v, to_char(date_trunc('month', (v::timestamptz AT TIME ZONE 'Asia/Shanghai')), 'YYYY-MM-DD') AS m
             FROM unnest($1::text[]) v`,
            [values],
          );
        })
      ).map((r) => [r.v, r.m]),
    );
    const dir = mkdtempSync(join(tmpdir(), 'months-'));
    try {
      const path = join(dir, 'settlements.csv');
      const scan = async (field: string) => {
        writeFileSync(path, `${header.join(',')}\n${header.map((_c, i) => (i === at ? field : 'x')).join(',')}\n`);
        return scanMonths(spec, path, header);
      };
      for (const v of values) {
        // Offsets before 1992 are left out: the staged path decides those rows.
        const month = shanghaiDate(v) === null ? [] : [expected.get(v)];
        expect([v, await scan(v)]).toEqual([v, month]);
        expect([v, await scan(`"${v}"`)]).toEqual([v, month]);
      }
      for (const v of invalid) expect([v, await scan(v)]).toEqual([v, []]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keyedHashWriter writes HMAC-SHA256 as its 32 bytes', () => {
    const out = Buffer.alloc(100);
    for (const length of [16, 32, 64]) {
      const key = randomBytes(length);
      const write = keyedHashWriter(key);
      for (const value of [
        '',
        'a',
        '610323198704272591',
        '6217000000123456789',
        '周杰伦',
        'x'.repeat(55),
        'x'.repeat(56),
        '周'.repeat(19),
      ]) {
        const end = write(value, out, 3);
        expect(end).toBe(35);
        expect(out.subarray(3, end).toString('hex')).toBe(
          createHmac('sha256', key).update(value, 'utf8').digest('hex'),
        );
      }
    }
  });

  /**
   * Values through the binary encoders into a table of each type, against the same text read by
   * PostgreSQL (`value::type` in the loader's session zone); forms the encoders do not write
   * must raise NotDirect (the file then goes the staged path, which lets PostgreSQL read them).
   */
  it.each([
    [
      'numeric(14,2)',
      [
        '0',
        '0.00',
        '-0.00',
        '1',
        '12.5',
        '12.50',
        '-12.34',
        '99999999.99',
        '123456789012.34',
        '0.01',
        '-0.1',
        '10000',
        '100000000',
        '0010.20',
        '10000.5',
        '20000.01',
        '-0',
        '100000000.1',
        '5.005',
      ],
      ['', '-', '.5', '5.', '1e3', ' 1', '1,5', '--1', '0x10', 'NaN'],
    ],
    [
      'numeric(14,4)',
      ['0.0001', '1.2345', '-1000.5', '12345678.9', '0.00005', '3', '10000.0001', '1.0000', '99990000.0001'],
      ['1.2.3', '+1'],
    ],
    ['integer', ['0', '1', '-1', '2147483647', '-2147483648', '007'], ['2147483648', '1.0', 'x', '+1', '-', '1-']],
    ['bigint', ['0', '42', '-9007199254740993', '123456789012345678'], ['1e3', '']],
    ['boolean', ['true', 'false'], ['t', 'TRUE', 'yes', '1']],
    [
      'date',
      ['2025-03-01', '2024-02-29', '2000-01-01', '1999-12-31', '1000-01-01', '9999-12-31', '1970-01-01'],
      ['2025-02-29', '2025-13-01', '2025-3-01', '0999-01-01', '2025-03-01T00:00', '20250301'],
    ],
    [
      'timestamptz',
      [
        '2025-03-01T00:30:00+08:00',
        '2025-03-01 00:30:00+08:00',
        '2025-03-01T00:30+08:00',
        '2025-03-01T00:30:00',
        '2025-03-01T00:30',
        '2025-03-01T16:00:00Z',
        '2025-03-01T16:00:00.5Z',
        '2025-03-01T16:00:00.123456-05:00',
        '2025-03-01T16:00:00.000001+0530',
        '2025-03-01T16:00:00+14',
        '1999-12-31T23:59:59.999999+08:00',
        '1988-06-15T12:00:00+09:00',
        '1960-01-01T00:00:00Z',
        '2024-02-29T23:59:59-11:30',
        '1992-01-01T08:00:00',
      ],
      [
        '1991-12-31T23:00:00',
        '1988-06-15T12:00:00',
        '2025-03-01T24:00:00Z',
        '2025-03-01T00:60:00Z',
        '2025-03-01T00:00:60Z',
        '2025-02-30T00:00:00Z',
        '2025-03-01T00:00:00.1234567Z',
        '2025-03-01T00:00:00+16:00',
        '2025-03-01T00:00:00z',
        '2025-03-01',
        '2025-03-01T00:00:00 +08:00',
      ],
    ],
    [
      'text',
      ['a', '周杰伦', 'with, comma', 'quote "x"', 'line\nbreak', ' spaced ', '😀 emoji', '周😀x', 'é'],
      ['bad \uFFFD byte', '周😀\uFFFD'],
    ],
    ['character varying(40)', ['H610302001', '卫健委'], []],
  ])('the binary form of %s is what PostgreSQL reads from the text', async (type, good, outside) => {
    const encode = encoderFor(
      { integer: 'int4', bigint: 'int8', boolean: 'bool', 'character varying(40)': 'varchar' }[type as string] ??
        type.replace(/\(.*/, ''),
    )!;
    expect(encode).not.toBeNull();
    for (const value of outside) expect(() => encode(value, new OutputBuffer())).toThrow(NotDirect);

    const int4 = encoderFor('int4')!;
    const o = new OutputBuffer();
    o.pos += COPY_BINARY_HEADER.copy(o.out, 0);
    good.forEach((value, i) => {
      o.ensure(2);
      o.out.writeInt16BE(2, o.pos);
      o.pos += 2;
      int4(String(i), o);
      encode(value, o);
    });
    o.pos += COPY_BINARY_TRAILER.copy(o.out, o.pos);
    const client = new Client({ connectionString: t.databaseUrl });
    await client.connect();
    try {
      await client.query(`SET timezone = 'Asia/Shanghai'`);
      await client.query(`CREATE TEMP TABLE b (i integer, v ${type})`);
      await pipeline(
        Readable.from([o.take()!]),
        client.query(copyFrom('COPY b (i, v) FROM STDIN WITH (FORMAT binary)')),
      );
      const { rows } = await client.query(
        `SELECT b.v::text AS binary, t.v::${type}::text AS text
         FROM b JOIN unnest($1::text[]) WITH ORDINALITY t(v, n) ON t.n = b.i + 1 ORDER BY b.i`,
        [good],
      );
      expect(rows.map((r) => [r.binary, r.text])).toEqual(rows.map((r) => [r.text, r.text]));
      expect(rows).toHaveLength(good.length);
    } finally {
      await client.end();
    }
  });
});
