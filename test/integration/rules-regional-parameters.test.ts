/**
 * Per-region model parameters in every run (MODELS.md: "the most specific prefix wins"): a run
 * without a region — as the nightly and monthly scheduled runs are — uses, for each hit, the
 * parameters of its subject institution's region. Two cities override GROUP_ADMISSION's
 * minPersons differently (西安 3, 宝鸡 4; default 5) and one run finds each city's groups by
 * its own threshold, sliced by region and not.
 */
import { regionalParameters } from '../../src/collision/parameters';
import { runModel } from '../../src/collision/run-model';
import { executeCollisionJob, findRun, startCollisionRun } from '../../src/domain/collision/collision-run.service';
import { seedRegions } from '../../src/domain/reference/seed.service';
import { createTestEnv, TestEnv } from '../support/harness';

let env: TestEnv;
const q = (sql: string, params: unknown[] = []) => env.services.db.query(sql, params);
let n = 0;

/** `persons` persons admitted to `inst` on 2025-03-03 with J18.9 for 4 days. */
async function group(inst: string, persons: number): Promise<void> {
  for (let i = 0; i < persons; i++) {
    const id = `S${++n}`;
    await q(
      `INSERT INTO person (person_id, name, region_code, is_public_official) VALUES ($1::text, $1::text, '610302', false)`,
      [`P${n}`],
    );
    await q(`INSERT INTO settlement_key (settlement_id, settled_on) VALUES ($1, '2025-03-07')`, [id]);
    await q(
      `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, admit_date, discharge_date, settled_at,
                               settled_on, diagnosis_code, total_amount, fund_amount, self_amount)
       VALUES ($1, $2, $3, 'INPATIENT', '2025-03-03', '2025-03-07', '2025-03-07T10:00:00+08:00', '2025-03-07', $4, 100, 90, 10)`,
      [id, `P${n}`, inst, `J1${persons}.9`],
    );
  }
}

beforeAll(async () => {
  env = await createTestEnv();
  await seedRegions(env.services);
  await q("SELECT ensure_month_partitions('2025-01-01', '2025-06-30')");
  for (const [code, region] of [
    ['HX', '610102'],
    ['HB', '610302'],
    ['HY', '610402'],
  ]) {
    await q(
      `INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES ($1::text, $1::text, 'HOSPITAL', 'SECONDARY', 'PUBLIC', $2)`,
      [code, region],
    );
    // A group of 3 and a group of 4 (their diagnoses differ: J13.9, J14.9), and 5 in 咸阳.
    await group(code, 3);
    await group(code, 4);
  }
  await group('HY', 5);
  await q(`INSERT INTO model_parameter (model, region_prefix, params) VALUES
    ('GROUP_ADMISSION', '6101', '{"minPersons": 3}'),
    ('GROUP_ADMISSION', '6103', '{"minPersons": 4}')`);
});
afterAll(() => env?.close());

const WANT = ['HB|2025-03-03|J14|4', 'HX|2025-03-03|J13|4', 'HX|2025-03-03|J14|4', 'HY|2025-03-03|J15|4'];
const keys = async (runId: string) =>
  (
    await q(`SELECT hit_key FROM collision_hit WHERE model = 'GROUP_ADMISSION' AND last_run_id = $1 ORDER BY hit_key`, [
      runId,
    ])
  ).map((r: { hit_key: string }) => r.hit_key);

describe('per-region parameters in a run without a region', () => {
  it('records the overrides inside the run and uses each for its own subjects', async () => {
    expect(await regionalParameters(env.services.db, ['GROUP_ADMISSION', 'DEATH_AFTER'])).toEqual({
      GROUP_ADMISSION: [
        { prefix: '6101', params: { minPersons: 3 } },
        { prefix: '6103', params: { minPersons: 4 } },
      ],
    });
    const run = await startCollisionRun(env.services, {
      models: ['GROUP_ADMISSION'],
      from: '2025-03-01',
      to: '2025-03-31',
      rowsPerJob: 0, // a window of this size is one job; split it by city here
    });
    expect(run.parameters).toEqual({ GROUP_ADMISSION: { minPersons: 5 } });
    const jobs = await q(`SELECT run_id, model, slice_key FROM collision_run_job WHERE run_id = $1`, [run.id]);
    expect(jobs.length).toBeGreaterThan(1); // sliced by city
    for (const job of jobs) {
      await executeCollisionJob(env.services, { runId: job.run_id, model: job.model, slice: job.slice_key });
    }
    expect((await findRun(env.services.db, run.id)).status).toBe('SUCCEEDED');
    expect(await keys(run.id)).toEqual(WANT);
  });

  it('the same unsliced, and a run over the province and over one city', async () => {
    const regional = await regionalParameters(env.services.db, ['GROUP_ADMISSION'], '610000');
    const [row] = await q(
      `INSERT INTO collision_run (models, from_date, to_date) VALUES ('{GROUP_ADMISSION}', '2025-03-01', '2025-03-31') RETURNING id`,
    );
    await runModel(env.services.db, {
      runId: row.id,
      model: 'GROUP_ADMISSION',
      from: '2025-03-01',
      to: '2025-03-31',
      regionCode: '610000',
      params: { minPersons: 5 },
      regional: regional.GROUP_ADMISSION,
    });
    expect(await keys(row.id)).toEqual(WANT);
    const city = await startCollisionRun(env.services, {
      models: ['GROUP_ADMISSION'],
      from: '2025-03-01',
      to: '2025-03-31',
      regionCode: '610300',
    });
    expect(city.parameters).toEqual({ GROUP_ADMISSION: { minPersons: 4 } });
    await executeCollisionJob(env.services, { runId: city.id, model: 'GROUP_ADMISSION', slice: '' });
    expect(await keys(city.id)).toEqual(['HB|2025-03-03|J14|4']);
  });
});
