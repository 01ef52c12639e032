/**
 * Jobs of a run sized by the rows they read (planJobs): one job per model while the window's
 * rows fit, runs of consecutive months (or the cities) beyond; a range slice narrows the
 * anchors to its months.
 */
import { collisionSql, planJobs, windowLines } from '../../src/collision/run-model';
import { seedRegions } from '../../src/domain/reference/seed.service';
import { createTestEnv, TestEnv } from '../support/harness';

let env: TestEnv;
const q = (sql: string, params: unknown[] = []) => env.services.db.query(sql, params);

beforeAll(async () => {
  env = await createTestEnv();
  await seedRegions(env.services);
  await q("SELECT ensure_month_partitions('2025-01-01', '2025-04-30')");
  await q(`INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES
           ('H1', 'H1', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610302'),
           ('H3', 'H3', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610102')`);
});
afterAll(() => env?.close());

const WINDOW = { from: '2025-01-15', to: '2025-04-15' };
const LINES = [
  { month: '2025-01', lines: 40 },
  { month: '2025-02', lines: 50 },
  { month: '2025-03', lines: 30 },
  { month: '2025-04', lines: 80 },
];

describe('planJobs', () => {
  it('one job per model while the rows fit', async () => {
    for (const model of ['DEATH_AFTER', 'GROUP_ADMISSION', 'INVENTORY_MISMATCH', 'RULE_SEX'])
      expect(await planJobs(env.services.db, model, WINDOW, LINES, 200)).toEqual(['']);
  });

  it('consecutive months of about the budget each beyond it, cities for the region models', async () => {
    expect(await planJobs(env.services.db, 'DEATH_AFTER', WINDOW, LINES, 100)).toEqual([
      '2025-01..2025-02',
      '2025-03',
      '2025-04',
    ]);
    expect(await planJobs(env.services.db, 'DEATH_AFTER', WINDOW, LINES, 0)).toEqual([
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
    ]);
    expect(await planJobs(env.services.db, 'GROUP_ADMISSION', WINDOW, LINES, 100)).toEqual(['610100', '610300']);
  });

  it('a range slice anchors on its months inside the window', () => {
    const { values } = collisionSql('DEATH_AFTER', {
      runId: '00000000-0000-0000-0000-000000000000',
      ...WINDOW,
      params: {},
      slice: '2025-01..2025-02',
    });
    expect(values).toEqual(expect.arrayContaining(['2025-01-15', '2025-02-28']));
    expect(() =>
      collisionSql('DEATH_AFTER', {
        runId: '00000000-0000-0000-0000-000000000000',
        ...WINDOW,
        params: {},
        slice: '2025-13..2025-14',
      }),
    ).toThrow(/not a month/);
  });

  it('estimates the rows of the window from its month partitions', async () => {
    const months = await windowLines(env.services.db, WINDOW);
    expect(months.map((m) => m.month)).toEqual(['2025-01', '2025-02', '2025-03', '2025-04']);
    expect(months.every((m) => m.lines >= 0)).toBe(true);
  });
});
