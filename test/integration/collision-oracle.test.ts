/**
 * The SQL models against the synthetic generator's independent oracle (src/synth/oracle.ts):
 * a generated batch with planted cases is ingested, all 16 models run over the window, and
 * every model's hits must equal expected-hits.json — keys, amounts, subject institutions and
 * evidence. A difference is a bug on one side (MODELS.md decides which).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveParameters } from '../../src/collision/parameters';
import { MODEL_CODES } from '../../src/collision/registry';
import { planSlices, runModel } from '../../src/collision/run-model';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { generateSyntheticBatch } from '../../src/synth/generator';
import { readBatchFolder } from '../../src/synth/batch';
import { computeExpectedHits, ExpectedHit, ExpectedHits } from '../../src/synth/oracle';
import { createTestEnv, TestEnv } from '../support/harness';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };

let env: TestEnv;
let dir: string;
let expected: ExpectedHits;
let runId: string;

beforeAll(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'collision-oracle-'));
  await generateSyntheticBatch({ outDir: dir, scale: 0.2, seed: 20250301, ...WINDOW, withExpectedHits: true });
  expected = JSON.parse(readFileSync(join(dir, 'expected-hits.json'), 'utf8'));
  const summary = await ingestBatch(env.services, dir);
  expect(summary.ok).toBe(true);
  for (const [file, counts] of Object.entries(summary.files)) expect([file, counts.rejected]).toEqual([file, 0]);
  runId = await newRun(WINDOW.from, WINDOW.to);
}, 300_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await env?.close();
});

async function newRun(from: string, to: string): Promise<string> {
  const [run] = await env.services.db.query(
    'INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, $2, $3) RETURNING id',
    [MODEL_CODES, from, to],
  );
  return run.id;
}

async function actualHits(model: string, run: string): Promise<ExpectedHit[]> {
  const rows = await env.services.db.query(
    `SELECT hit_key, amount_involved, institution_code, settlement_ids, person_ids FROM collision_hit
     WHERE model = $1 AND last_run_id = $2 ORDER BY hit_key COLLATE "C"`,
    [model, run],
  );
  return rows.map((r: any) => ({
    hitKey: r.hit_key,
    amountInvolved: r.amount_involved,
    institutionCode: r.institution_code,
    settlementIds: r.settlement_ids,
    personIds: r.person_ids,
  }));
}

describe('collision models agree with the synthetic oracle', () => {
  it.each(MODEL_CODES.map((code) => [code]))('%s', async (model) => {
    const params = (await effectiveParameters(env.services.db, [model]))[model];
    const result = await runModel(env.services.db, { runId, model, ...WINDOW, params });
    const want = expected.hits[model as keyof ExpectedHits['hits']];
    expect(want.length).toBeGreaterThan(0);
    const got = await actualHits(model, runId);
    expect(got.map((h) => [h.hitKey, h.amountInvolved])).toEqual(want.map((h) => [h.hitKey, h.amountInvolved]));
    expect(got).toEqual(want);
    expect(result).toEqual({ inserted: want.length, updated: 0, hits: want.length });
  });
});

describe('a window cutting through the planted cases, run slice by slice', () => {
  // Evidence before `from` and after `to`, partial months and cumulative stock all matter here.
  const SUB = { from: '2025-03-09', to: '2025-03-20' };
  let sub: ExpectedHits;
  let subRun: string;

  beforeAll(async () => {
    sub = computeExpectedHits(readBatchFolder(dir), SUB);
    subRun = await newRun(SUB.from, SUB.to);
  });

  it.each(MODEL_CODES.map((code) => [code]))('%s', async (model) => {
    const params = (await effectiveParameters(env.services.db, [model]))[model];
    for (const slice of await planSlices(env.services.db, model, SUB)) {
      await runModel(env.services.db, { runId: subRun, model, ...SUB, params, slice });
    }
    expect(await actualHits(model, subRun)).toEqual(sub.hits[model as keyof ExpectedHits['hits']]);
  });
});
