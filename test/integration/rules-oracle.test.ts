/**
 * The seven rule classes against the synthetic oracle (src/synth/oracle.ts): a generated batch
 * with its rules.csv and planted rule cases is ingested, each RULE_* class runs over the window
 * (whole, and month by month) and over a sub-window slice by slice, and must equal the oracle
 * key for key and amount for amount, with the same subjects and evidence.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULE_MODEL_CODES } from '../../src/collision/registry';
import { planSlices, runModel } from '../../src/collision/run-model';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { recordRunRules } from '../../src/domain/rule/rule.repository';
import { readBatchFolder } from '../../src/synth/batch';
import { generateSyntheticBatch } from '../../src/synth/generator';
import { computeExpectedHits, ExpectedHit, ExpectedHits } from '../../src/synth/oracle';
import { createTestEnv, TestEnv } from '../support/harness';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };
const SUB = { from: '2025-03-09', to: '2025-03-20' };

let env: TestEnv;
let dir: string;
let expected: ExpectedHits;

beforeAll(async () => {
  env = await createTestEnv();
  dir = mkdtempSync(join(tmpdir(), 'rules-oracle-'));
  await generateSyntheticBatch({ outDir: dir, scale: 0.2, seed: 20250302, ...WINDOW, withExpectedHits: true });
  expected = JSON.parse(readFileSync(join(dir, 'expected-hits.json'), 'utf8'));
  const summary = await ingestBatch(env.services, dir);
  expect(summary.ok).toBe(true);
  for (const [file, counts] of Object.entries(summary.files)) expect([file, counts.rejected]).toEqual([file, 0]);
  expect(summary.files['rules.csv'].loaded).toBeGreaterThan(10);
}, 300_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await env?.close();
});

async function newRun(window: { from: string; to: string }): Promise<string> {
  const [run] = await env.services.db.query(
    'INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, $2, $3) RETURNING id',
    [RULE_MODEL_CODES, window.from, window.to],
  );
  await env.services.db.transaction((m) => recordRunRules(m, run.id, RULE_MODEL_CODES));
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

const want = (hits: ExpectedHits, model: string) => hits.hits[model as keyof ExpectedHits['hits']];

describe('rule classes agree with the synthetic oracle over the window', () => {
  let runId: string;
  beforeAll(async () => {
    runId = await newRun(WINDOW);
  });
  it.each(RULE_MODEL_CODES.map((code) => [code]))('%s', async (model) => {
    await runModel(env.services.db, { runId, model, ...WINDOW, params: {} });
    const got = await actualHits(model, runId);
    expect(want(expected, model).length).toBeGreaterThanOrEqual(3);
    expect(got.map((h) => [h.hitKey, h.amountInvolved])).toEqual(
      want(expected, model).map((h) => [h.hitKey, h.amountInvolved]),
    );
    expect(got).toEqual(want(expected, model));
  });
});

describe('month by month, and a sub-window slice by slice', () => {
  it.each(RULE_MODEL_CODES.map((code) => [code]))('%s', async (model) => {
    const monthRun = await newRun(WINDOW);
    for (const slice of await planSlices(env.services.db, model, WINDOW)) {
      await runModel(env.services.db, { runId: monthRun, model, ...WINDOW, params: {}, slice });
    }
    expect(await actualHits(model, monthRun)).toEqual(want(expected, model));

    const sub = computeExpectedHits(readBatchFolder(dir), SUB);
    const subRun = await newRun(SUB);
    for (const slice of await planSlices(env.services.db, model, SUB)) {
      await runModel(env.services.db, { runId: subRun, model, ...SUB, params: {}, slice });
    }
    expect(await actualHits(model, subRun)).toEqual(want(sub, model));
  });
});
