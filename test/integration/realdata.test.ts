/**
 * Real claims (../shared/realdata, docs/REALDATA.md): the Kaggle inpatient claims mapped to a
 * batch, loaded, and every model run over 2009 against the independent oracle computed from
 * the same CSV — on data nobody here generated. The claims the dictionary rejects (two-digit
 * diagnosis codes) are left out of the oracle's input, as ingest leaves them out of the facts.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refreshFactStatistics } from '../../src/collision/fact-statistics';
import { effectiveParameters } from '../../src/collision/parameters';
import { MODEL_CODES } from '../../src/collision/registry';
import { planSlices, runModel } from '../../src/collision/run-model';
import { ingestBatch, IngestSummary } from '../../src/domain/ingest/ingest.service';
import { icd9AsIcd10, isoDate, KAGGLE_INPATIENT_FILE, mapKaggleInpatient } from '../../src/realdata/kaggle-inpatient';
import { readBatchFolder } from '../../src/synth/batch';
import { computeExpectedHits, ExpectedHits } from '../../src/synth/oracle';
import { createTestEnv, TestEnv } from '../support/harness';

const CLAIMS = join(__dirname, '..', '..', '..', 'shared', 'realdata', 'kaggle-provider-fraud', KAGGLE_INPATIENT_FILE);
const WINDOW = { from: '2009-01-01', to: '2009-12-31' };

describe('the mapping', () => {
  it('writes m/d/yyyy dates as ISO days and ICD-9 codes in the ICD-10 shape, keeping the category', () => {
    expect(['9/9/2009', '12/25/2008', '1/8/2009', ''].map(isoDate)).toEqual([
      '2009-09-09',
      '2008-12-25',
      '2009-01-08',
      '',
    ]);
    expect(['5789', '578', '0389', '9999', 'V5789', 'E8889', 'V42', '88', ''].map(icd9AsIcd10)).toEqual([
      'P78.9',
      'P78',
      'K38.9',
      'T99.9',
      'V57.89',
      'E88.89',
      'V42',
      '88',
      '',
    ]);
  });
});

describe('real inpatient claims: ingest and the models against the oracle', () => {
  let env: TestEnv;
  let dir: string;
  let summary: IngestSummary;
  const rejections: string[] = [];
  let expected: ExpectedHits;
  let runId: string;

  beforeAll(async () => {
    expect(existsSync(CLAIMS)).toBe(true);
    env = await createTestEnv();
    dir = mkdtempSync(join(tmpdir(), 'realdata-'));
    const mapped = mapKaggleInpatient(CLAIMS, dir);
    expect(mapped).toMatchObject({ claims: 9551, institutions: 520 });
    summary = await ingestBatch(env.services, dir, { onReject: (line) => rejections.push(line) });
    const rejectedLines = new Set(rejections.map((r) => Number(/^settlements\.csv:(\d+):/.exec(r)![1])));
    const batch = readBatchFolder(dir);
    // Line 1 is the header: the n-th settlement is on line n + 2.
    batch.settlements = batch.settlements.filter((_s, i) => !rejectedLines.has(i + 2));
    expected = computeExpectedHits(batch, WINDOW);
    const [run] = await env.services.db.query(
      'INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, $2, $3) RETURNING id',
      [MODEL_CODES, WINDOW.from, WINDOW.to],
    );
    runId = run.id;
  }, 120_000);

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.close();
  });

  it('loads every claim the dictionary accepts; the rest are rejected with their line and reason', () => {
    expect(summary.ok).toBe(true);
    for (const file of ['regions.csv', 'institutions.csv', 'persons.csv'])
      expect([file, summary.files[file].rejected]).toEqual([file, 0]);
    expect(summary.files['settlements.csv']).toEqual({ read: 9551, loaded: 9516, rejected: 35, duplicates: 0 });
    expect(rejections).toHaveLength(35);
    for (const line of rejections)
      expect(line).toMatch(/^settlements\.csv:\d+: diagnosis_code "\d{2}" is not an ICD-10 code$/);
  });

  it('the load analyzes what it loaded, so that a collision job only checks (issue 14)', async () => {
    const rows: { relname: string }[] = await env.services.db.query(
      `SELECT relname FROM pg_stat_user_tables
       WHERE (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)
         AND (relname IN ('person', 'settlement_key', 'institution') OR relname LIKE 'settlement\\_2009%')`,
    );
    const analyzed = rows.map((r) => r.relname);
    expect(analyzed).toEqual(expect.arrayContaining(['person', 'settlement_key', 'institution']));
    expect(analyzed.filter((t) => t.startsWith('settlement_2009')).length).toBeGreaterThanOrEqual(12);
    // Nothing is left for the first collision job to analyze.
    expect(await refreshFactStatistics(env.services.db)).toEqual([]);
  });

  it.each(MODEL_CODES.map((code) => [code]))('%s over 2009 equals the oracle', async (model) => {
    const params = (await effectiveParameters(env.services.db, [model]))[model];
    for (const slice of await planSlices(env.services.db, model, WINDOW))
      await runModel(env.services.db, { runId, model, ...WINDOW, params, slice });
    const rows = await env.services.db.query(
      `SELECT hit_key, amount_involved, institution_code, settlement_ids, person_ids FROM collision_hit
       WHERE model = $1 AND last_run_id = $2 ORDER BY hit_key COLLATE "C"`,
      [model, runId],
    );
    const got = rows.map((r: any) => ({
      hitKey: r.hit_key,
      amountInvolved: r.amount_involved,
      institutionCode: r.institution_code,
      settlementIds: r.settlement_ids,
      personIds: r.person_ids,
    }));
    expect(got).toEqual(expected.hits[model as keyof ExpectedHits['hits']]);
  });

  it('finds real overlapping stays and split admissions', () => {
    expect(expected.hits.OVERLAPPING_INPATIENT.length).toBeGreaterThan(0);
    expect(expected.hits.SPLIT_ADMISSION.length).toBeGreaterThan(0);
  });
});
