/**
 * The migration that turns case rectification items into measures of CASE problems
 * (migrations/1763900930000-rectification-measures.ts): a scratch database migrated up to
 * 1763900920000, a case with two OPEN items and one DONE item for two departments, then the
 * migration — every row kept, ids kept — and down again, which restores the items.
 */
import { QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { RectificationMeasures1763900930000 } from '../../migrations/1763900930000-rectification-measures';
import { createDataSource } from '../../src/db/data-source';
import { dropDatabase, ensureDatabase } from '../../src/db/migrate';
import { testDatabaseUrl } from '../support/harness';

const BEFORE = 'RecheckRuns1763900920000';

describe('migration 1763900930000: rectification items become measures', () => {
  const url = testDatabaseUrl();
  const ds = createDataSource(url, { poolSize: 1, applicationName: 'rectification-migration-test' });
  let q: QueryRunner;

  beforeAll(async () => {
    await ensureDatabase(url);
    await ds.initialize();
    q = ds.createQueryRunner();
    const upTo = MIGRATIONS.findIndex((M) => new M().name === BEFORE);
    expect(upTo).toBeGreaterThan(0);
    for (const M of MIGRATIONS.slice(0, upTo + 1)) {
      await q.startTransaction();
      await new M().up(q);
      await q.commitTransaction();
    }
  });
  afterAll(async () => {
    await q?.release();
    await ds.destroy();
    await dropDatabase(url);
  });

  it('keeps every item as a measure with the same id, grouped into one problem per (case, department), and down restores them', async () => {
    await q.query(
      `INSERT INTO region (code, name, level, parent_code) VALUES
         ('610000', '陕西省', 'PROVINCE', NULL), ('610300', '宝鸡市', 'CITY', '610000'), ('610302', '渭滨区', 'COUNTY', '610300')`,
    );
    const [yb, wj, sj]: { id: string }[] = await q.query(
      `INSERT INTO department (kind, region_code, name) VALUES
         ('MEDICAL_INSURANCE', '610302', '渭滨区医疗保障局'), ('HEALTH', '610302', '渭滨区卫生健康委员会'),
         ('MARKET_REGULATION', '610302', '渭滨区市场监督管理局')
       RETURNING id`,
    );
    const [user]: { id: string }[] = await q.query(
      `INSERT INTO app_user (username, display_name, password_hash, department_id, roles)
       VALUES ('wj-investigator', '卫健办案', 'x', $1, '{INVESTIGATOR}') RETURNING id`,
      [wj.id],
    );
    const [kase]: { id: string }[] = await q.query(
      `INSERT INTO "case" (code, title, status, owner_department_id, region_code)
       VALUES ('AJ2026-000001', '某医院串换药品案', 'RECTIFYING', $1, '610302') RETURNING id`,
      [yb.id],
    );
    const items: { id: string }[] = await q.query(
      `INSERT INTO rectification_item (case_id, description, owner_department_id, deadline, status,
         completed_at, completed_by, note, created_at, version)
       VALUES ($1, '完善药品进销存管理', $2, '2099-06-30', 'OPEN', NULL, NULL, NULL, '2026-03-01T08:00:00Z', 1),
              ($1, '退回违规费用', $2, '2099-07-31', 'DONE', '2026-04-02T09:00:00Z', $4, '已退回', '2026-03-02T08:00:00Z', 2),
              ($1, '规范价格公示', $3, '2099-08-31', 'OPEN', NULL, NULL, NULL, '2026-03-03T08:00:00Z', 1)
       RETURNING id`,
      [kase.id, wj.id, sj.id, user.id],
    );
    await q.query(
      `INSERT INTO state_change (entity_type, entity_id, from_state, to_state, event, note)
       VALUES ('RectificationItem', $1, NULL, 'OPEN', 'ISSUE', '退回违规费用'),
              ('RectificationItem', $1, 'OPEN', 'DONE', 'COMPLETE', '已退回')`,
      [items[1].id],
    );
    const itemsBefore = await q.query('SELECT * FROM rectification_item ORDER BY created_at, id');

    await q.startTransaction();
    await new RectificationMeasures1763900930000().up(q);
    await q.commitTransaction();

    expect(await q.query(`SELECT to_regclass('rectification_item') AS t`)).toEqual([{ t: null }]);
    const problems = await q.query(
      `SELECT id, code, source, category, description, responsible_department_id AS responsible,
              supervising_department_id AS supervising, region_code, status, case_id, created_at
       FROM problem ORDER BY created_at`,
    );
    expect(problems).toHaveLength(2);
    expect(problems.map((p: { responsible: string }) => p.responsible)).toEqual([wj.id, sj.id]);
    for (const p of problems) {
      expect(p).toMatchObject({
        source: 'CASE',
        category: '案件整改',
        description: '某医院串换药品案',
        supervising: yb.id,
        region_code: '610302',
        status: 'OPEN',
        case_id: kase.id,
      });
      expect(p.code).toMatch(/^WT2026-\d{6}$/);
    }
    expect(problems[0].created_at).toEqual(new Date('2026-03-01T08:00:00Z'));
    expect(problems[1].created_at).toEqual(new Date('2026-03-03T08:00:00Z'));

    const measures = await q.query(
      `SELECT id, problem_id, description, deadline::text AS deadline, status, report, submitted_at, submitted_by,
              accepted_at, accepted_by, acceptance_note, created_at, version
       FROM rectification_measure ORDER BY created_at, id`,
    );
    expect(measures.map((m: { id: string }) => m.id)).toEqual(items.map((i) => i.id));
    expect(measures.map((m: { problem_id: string }) => m.problem_id)).toEqual([
      problems[0].id,
      problems[0].id,
      problems[1].id,
    ]);
    expect(measures.map((m: { status: string }) => m.status)).toEqual(['OPEN', 'ACCEPTED', 'OPEN']);
    expect(measures[1]).toMatchObject({
      description: '退回违规费用',
      deadline: '2099-07-31',
      report: '已退回',
      acceptance_note: '已退回',
      submitted_at: new Date('2026-04-02T09:00:00Z'),
      accepted_at: new Date('2026-04-02T09:00:00Z'),
      submitted_by: user.id,
      accepted_by: user.id,
      version: 2,
    });
    expect(measures[0]).toMatchObject({ report: null, accepted_at: null, version: 1, deadline: '2099-06-30' });

    // The items' timeline is the measures' now; each problem has its CREATE.
    const timeline = await q.query(
      `SELECT entity_type, entity_id, from_state, to_state, event FROM state_change ORDER BY id`,
    );
    expect(timeline.filter((e: { entity_type: string }) => e.entity_type === 'RectificationMeasure')).toEqual([
      { entity_type: 'RectificationMeasure', entity_id: items[1].id, from_state: null, to_state: 'OPEN', event: 'ADD' },
      {
        entity_type: 'RectificationMeasure',
        entity_id: items[1].id,
        from_state: 'OPEN',
        to_state: 'ACCEPTED',
        event: 'COMPLETE',
      },
    ]);
    expect(
      timeline
        .filter((e: { entity_type: string }) => e.entity_type === 'Problem')
        .map((e: { entity_id: string; event: string }) => [e.entity_id, e.event])
        .sort(),
    ).toEqual(problems.map((p: { id: string }) => [p.id, 'CREATE']).sort());

    // down: the items come back, row for row; the CASE problems and their measures are gone.
    await q.startTransaction();
    await new RectificationMeasures1763900930000().down(q);
    await q.commitTransaction();
    expect(await q.query('SELECT * FROM rectification_item ORDER BY created_at, id')).toEqual(itemsBefore);
    expect(await q.query('SELECT count(*)::int AS n FROM problem')).toEqual([{ n: 0 }]);
    expect(await q.query('SELECT count(*)::int AS n FROM rectification_measure')).toEqual([{ n: 0 }]);
    expect(
      await q.query(`SELECT entity_type, event, to_state FROM state_change WHERE entity_id = $1 ORDER BY id`, [
        items[1].id,
      ]),
    ).toEqual([
      { entity_type: 'RectificationItem', event: 'ISSUE', to_state: 'OPEN' },
      { entity_type: 'RectificationItem', event: 'COMPLETE', to_state: 'DONE' },
    ]);
  });
});
