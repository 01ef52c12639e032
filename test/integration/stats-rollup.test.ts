/**
 * Property: supervisionStats read from the daily roll-up equals the direct aggregation of the
 * events (docs/READING.md, "Roll-up"), on randomized data — every figure, in the totals, per
 * department and per month, for the province, cities and counties over windows that cut
 * months, days and the present — and it stays equal after random changes to the rows (the
 * triggers mark the days, the reading refreshes them) and after time passes deadlines.
 * Each seed builds its fixture with PostgreSQL's random() after setseed; a failing seed is
 * named in the test's title. STATS_SEEDS=1,2,3 chooses the seeds.
 */
import { EntityManager } from 'typeorm';
import { createTestEnv, TEST_PASSWORD, TestEnv } from '../support/harness';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { supervisionStats } from '../../src/domain/stats/stats.service';
import { Actor } from '../../src/policy';

const SEEDS = (process.env.STATS_SEEDS ?? '0.11,0.42,0.77').split(',').map(Number);
const REGIONS = ['610000', '610300', '610302', '610303', '610400', '610402', '611000'];

/** Windows relative to now: cutting months, one day, around the present (deadlines), and fixed ones. */
function windows(today: string): [string, string][] {
  const shift = (days: number) =>
    new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
  const nextMonthStart = (date: string) =>
    `${new Date(Date.parse(`${monthStart(date)}T00:00:00Z`) + 31 * 86_400_000).toISOString().slice(0, 8)}01`;
  const dayBefore = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return [
    // Whole months (read by month), then whole months with a partial first or last month.
    [monthStart(shift(-130)), dayBefore(nextMonthStart(shift(-40)))],
    [shift(-130), dayBefore(nextMonthStart(shift(-40)))],
    [monthStart(shift(-100)), shift(-12)],
    [shift(-200), shift(30)],
    [shift(-75), shift(-20)],
    [shift(-40), shift(-40)],
    [shift(-10), shift(10)],
    [shift(-3), shift(0)],
    [shift(-120), shift(-61)],
  ];
}

/** Helpers of the fixture (the test's own database). */
const SETUP = [
  `CREATE TABLE rnd_county AS
     SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM region WHERE level = 'COUNTY'`,
  `CREATE TABLE rnd_dept AS SELECT row_number() OVER (ORDER BY region_code, kind) - 1 AS n, id, kind, region_code FROM department`,
  // A moment within ±150 days of now, at any minute.
  `CREATE FUNCTION rnd_at() RETURNS timestamptz LANGUAGE sql VOLATILE AS
     $$ SELECT now() - interval '150 days' + random() * interval '160 days' $$`,
  `CREATE FUNCTION rnd_dept() RETURNS uuid LANGUAGE sql VOLATILE AS
     $$ SELECT id FROM rnd_dept ORDER BY n OFFSET floor(random() * (SELECT count(*) FROM rnd_dept)) LIMIT 1 $$`,
  `CREATE FUNCTION rnd_county() RETURNS text LANGUAGE sql VOLATILE AS
     $$ SELECT code FROM rnd_county ORDER BY n OFFSET floor(random() * (SELECT count(*) FROM rnd_county)) LIMIT 1 $$`,
];

/** The random fixture: clues with timelines and verdicts, transfers, cases, sanctions, hits, problems, … */
const FILL = [
  `INSERT INTO institution (code, name, kind, level, ownership, region_code)
   SELECT 'R' || r.code || i, '机构' || r.code || i, 'HOSPITAL', 'SECONDARY', 'PUBLIC', r.code
   FROM region r CROSS JOIN generate_series(1, 2) i WHERE r.level = 'COUNTY'`,
  `INSERT INTO person (person_id, name, region_code) SELECT 'RP' || i, '参保人' || i, '610302' FROM generate_series(1, 30) i`,
  `INSERT INTO clue (code, title, source, status, region_code, institution_code, owner_department_id, created_at,
                     closed_at, recovered_amount)
   SELECT 'RX-' || i, '线索' || i, 'PETITION', s.status, r.region, 'R' || r.region || '1',
          CASE WHEN random() < 0.7 THEN (SELECT id FROM department WHERE region_code = r.region AND kind = 'MEDICAL_INSURANCE')
               ELSE rnd_dept() END,
          t.at, CASE WHEN s.status = 'CLOSED' THEN t.at + random() * interval '40 days' END,
          CASE WHEN s.status = 'CLOSED' AND random() < 0.7 THEN round((random() * 10000)::numeric, 2) END
   FROM generate_series(1, 400) i
   CROSS JOIN LATERAL (SELECT rnd_county() AS region, i AS k) r
   CROSS JOIN LATERAL (SELECT rnd_at() AS at, i AS k) t
   CROSS JOIN LATERAL (SELECT (ARRAY['VERIFYING', 'CLOSED', 'ASSIGNED', 'SUBSTANTIATED'])[1 + floor(random() * 4)::int] AS status, i AS k) s`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event, detail)
   SELECT 'Clue', c.id, c.created_at + random() * interval '3 days', 'NEW', 'ASSIGNED', 'ROUTE',
          CASE WHEN random() < 0.8 THEN jsonb_build_object('departmentId', rnd_dept()) END
   FROM clue c WHERE random() < 0.8`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'Clue', c.id, c.created_at + random() * interval '60 days', 'VERIFYING', 'SUBSTANTIATED',
          (ARRAY['CONCLUDE_SUBSTANTIATED', 'CONCLUDE_UNSUBSTANTIATED'])[1 + floor(random() * 2)::int]
   FROM clue c CROSS JOIN generate_series(1, 3) g WHERE random() < 0.25`,
  `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, requested_at,
                              accept_deadline, responded_at, feedback_deadline, feedback_at, clue_status_before)
   SELECT c.id, c.owner_department_id, x.to_dept, '移送', x.status, (SELECT id FROM app_user LIMIT 1), x.at,
          x.at + interval '7 days',
          CASE WHEN x.status <> 'PENDING' THEN x.at + random() * interval '12 days' END,
          CASE WHEN x.status IN ('ACCEPTED', 'FEEDBACK_GIVEN') THEN x.at + interval '12 days' + random() * interval '30 days' END,
          CASE WHEN x.status = 'FEEDBACK_GIVEN' THEN x.at + random() * interval '50 days' END,
          'VERIFYING'
   FROM clue c
   CROSS JOIN LATERAL (SELECT (SELECT id FROM rnd_dept WHERE id <> c.owner_department_id ORDER BY random() LIMIT 1) AS to_dept,
          (ARRAY['PENDING', 'ACCEPTED', 'RETURNED', 'FEEDBACK_GIVEN'])[1 + floor(random() * 4)::int] AS status,
          c.created_at + random() * interval '20 days' AS at) x
   WHERE random() < 0.35`,
  `INSERT INTO "case" (code, title, status, owner_department_id, region_code, filed_at, created_at, closed_at)
   SELECT 'RAJ-' || i, '案件' || i, 'INVESTIGATING', rnd_dept(), rnd_county(), t.at, t.at,
          CASE WHEN random() < 0.4 THEN t.at + random() * interval '50 days' END
   FROM generate_series(1, 80) i CROSS JOIN LATERAL (SELECT rnd_at() AS at, i AS k) t`,
  `INSERT INTO case_clue (case_id, clue_id)
   SELECT DISTINCT ON (c.id) k.id, c.id
   FROM clue c CROSS JOIN LATERAL (SELECT id FROM "case" WHERE c.id IS NOT NULL ORDER BY random() LIMIT 1) k
   WHERE random() < 0.2`,
  `INSERT INTO sanction (case_id, kind, person_id, amount, decided_at)
   SELECT k.id, (ARRAY['FUND_RECOVERY', 'ADMINISTRATIVE_PENALTY', 'INTERVIEW', 'PARTY_DISCIPLINE'])[1 + floor(random() * 4)::int],
          'RP' || (1 + floor(random() * 30)::int), round((random() * 5000)::numeric, 2), k.filed_at + random() * interval '60 days'
   FROM "case" k CROSS JOIN generate_series(1, 3) g WHERE random() < 0.6`,
  `INSERT INTO collision_run (models, from_date, to_date, status, parameters)
   VALUES ('{OVER_PRICE}', '2024-01-01', '2026-12-31', 'SUCCEEDED', '{}')`,
  `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
     first_run_id, last_run_id, clue_id, created_at, verification, confirmed_amount, exclusion_reason)
   SELECT 'OVER_PRICE', 'rh' || i, 10, 'R' || r.region || '1', r.region, '{}', '{}', run.id, run.id,
          CASE WHEN random() < 0.6 THEN (SELECT id FROM clue WHERE i > 0 ORDER BY random() LIMIT 1) END,
          rnd_at(), v.verification,
          CASE WHEN v.verification = 'CONFIRMED' THEN 10 END, CASE WHEN v.verification = 'EXCLUDED' THEN 'OTHER' END
   FROM generate_series(1, 150) i CROSS JOIN (SELECT id FROM collision_run LIMIT 1) run
   CROSS JOIN LATERAL (SELECT rnd_county() AS region, i AS k) r
   CROSS JOIN LATERAL (SELECT (ARRAY['PENDING', 'CONFIRMED', 'EXCLUDED'])[1 + floor(random() * 3)::int] AS verification, i AS k) v`,
  `INSERT INTO problem (code, source, category, description, responsible_department_id, supervising_department_id,
     region_code, status, created_at, closed_at)
   SELECT 'RWT-' || i, 'CLUE', '违规收费', '问题', rnd_dept(), rnd_dept(), rnd_county(),
          CASE WHEN x.closed THEN 'CLOSED' ELSE 'OPEN' END, t.at, CASE WHEN x.closed THEN t.at + random() * interval '40 days' END
   FROM generate_series(1, 80) i CROSS JOIN LATERAL (SELECT rnd_at() AS at, i AS k) t
   CROSS JOIN LATERAL (SELECT random() < 0.4 AS closed, i AS k) x`,
  `INSERT INTO recheck (problem_id, due_on, status, completed_at)
   SELECT p.id, '2025-01-01', s.status, CASE WHEN s.status IN ('PASSED', 'RECURRED') THEN p.created_at + random() * interval '60 days' END
   FROM problem p CROSS JOIN LATERAL (SELECT (ARRAY['SCHEDULED', 'PASSED', 'RECURRED'])[1 + floor(random() * 3)::int] AS status, p.id AS k) s
   WHERE random() < 0.6`,
  `INSERT INTO rectification_measure (problem_id, description, deadline, status, created_at, submitted_at)
   SELECT p.id, '整改', (p.created_at + random() * interval '40 days')::date, s.status, p.created_at,
          CASE WHEN s.status <> 'OPEN' THEN p.created_at + random() * interval '60 days' END
   FROM problem p CROSS JOIN LATERAL (SELECT (ARRAY['OPEN', 'SUBMITTED', 'ACCEPTED'])[1 + floor(random() * 3)::int] AS status, p.id AS k) s`,
  `INSERT INTO campaign (code, name, lead_department_id, region_code, scope_from, scope_to, status)
   SELECT 'ZX-R', '专项', id, '610000', '2024-01-01', '2026-12-31', 'SELF_CHECK' FROM department
   WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610000'`,
  `INSERT INTO self_check_report (campaign_id, institution_code, findings, voluntary_refund, patient_refund, department_id,
     recorded_by, recorded_at)
   SELECT (SELECT id FROM campaign LIMIT 1), i.code, '自查', round((random() * 900)::numeric, 2),
          round((random() * 90)::numeric, 2), rnd_dept(), (SELECT id FROM app_user LIMIT 1), rnd_at()
   FROM institution i WHERE i.code LIKE 'R%'`,
  `INSERT INTO supervision_item (kind, title, status, clue_id, assigned_to_department_id, creator_department_id, leader_id,
     deadline, created_at, completed_at)
   SELECT 'LISTED_SUPERVISION', '督办', s.status, c.id, rnd_dept(), c.owner_department_id,
          (SELECT id FROM app_user LIMIT 1), c.created_at + random() * interval '40 days', c.created_at,
          CASE WHEN s.status = 'COMPLETED' THEN c.created_at + random() * interval '50 days' END
   FROM clue c CROSS JOIN LATERAL (SELECT (ARRAY['OPEN', 'OVERDUE', 'COMPLETED'])[1 + floor(random() * 3)::int] AS status, c.id AS k) s
   WHERE random() < 0.15`,
  // Items on cases and transfers, some cancelled (with a CANCEL entry, or without one), some
  // completed before they were created (data the workflow never writes; the figures still agree).
  `INSERT INTO supervision_item (kind, title, status, case_id, assigned_to_department_id, creator_department_id, leader_id,
     deadline, created_at, completed_at)
   SELECT 'LISTED_SUPERVISION', '督办', s.status, k.id, rnd_dept(), k.owner_department_id,
          (SELECT id FROM app_user LIMIT 1), k.filed_at + random() * interval '40 days', k.filed_at,
          CASE WHEN s.status = 'COMPLETED' THEN k.filed_at + random() * interval '50 days' - interval '3 days' END
   FROM "case" k CROSS JOIN LATERAL (SELECT (ARRAY['OPEN', 'CANCELLED', 'COMPLETED'])[1 + floor(random() * 3)::int] AS status, k.id AS x) s
   WHERE random() < 0.5`,
  `INSERT INTO supervision_item (kind, title, status, transfer_id, assigned_to_department_id, creator_department_id, leader_id,
     deadline, created_at)
   SELECT 'LISTED_SUPERVISION', '督办', s.status, t.id, rnd_dept(), t.from_department_id,
          (SELECT id FROM app_user LIMIT 1), t.requested_at + random() * interval '40 days', t.requested_at
   FROM clue_transfer t CROSS JOIN LATERAL (SELECT (ARRAY['OPEN', 'CANCELLED'])[1 + floor(random() * 2)::int] AS status, t.id AS x) s
   WHERE random() < 0.3`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'SupervisionItem', i.id, i.created_at + random() * interval '30 days', 'OPEN', 'CANCELLED', 'CANCEL'
   FROM supervision_item i WHERE i.status = 'CANCELLED' AND random() < 0.8`,
];

/** Random changes of the kinds the workflow makes (and some it never would), all through plain SQL. */
const CHANGES = [
  `UPDATE clue SET owner_department_id = rnd_dept() WHERE random() < 0.1`,
  `UPDATE clue SET status = 'CLOSED', closed_at = now() - random() * interval '5 days', recovered_amount = 12.34
   WHERE status = 'VERIFYING' AND random() < 0.1`,
  `UPDATE clue_transfer SET status = 'ACCEPTED', responded_at = now() - random() * interval '2 days',
     feedback_deadline = now() + interval '1 day' - random() * interval '3 days'
   WHERE status = 'PENDING' AND random() < 0.5`,
  `UPDATE clue_transfer SET feedback_at = now() WHERE feedback_at IS NULL AND feedback_deadline IS NOT NULL AND random() < 0.3`,
  `INSERT INTO case_clue (case_id, clue_id)
   SELECT (SELECT id FROM "case" WHERE c.id IS NOT NULL ORDER BY random() LIMIT 1), c.id FROM clue c
   WHERE NOT EXISTS (SELECT 1 FROM case_clue kc WHERE kc.clue_id = c.id) AND random() < 0.1`,
  `DELETE FROM case_clue WHERE random() < 0.1`,
  `UPDATE "case" SET owner_department_id = rnd_dept(), closed_at = coalesce(closed_at, now()) WHERE random() < 0.15`,
  `DELETE FROM sanction WHERE random() < 0.1`,
  `UPDATE collision_hit SET verification = 'CONFIRMED', confirmed_amount = 10 WHERE verification = 'PENDING' AND random() < 0.4`,
  `UPDATE collision_hit SET clue_id = (SELECT id FROM clue WHERE collision_hit.id IS NOT NULL ORDER BY random() LIMIT 1)
   WHERE random() < 0.1`,
  `UPDATE problem SET status = 'CLOSED', closed_at = now() - random() * interval '3 days', responsible_department_id = rnd_dept()
   WHERE status = 'OPEN' AND random() < 0.3`,
  `UPDATE recheck SET status = 'RECURRED', completed_at = now() WHERE status = 'SCHEDULED' AND random() < 0.5`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'Clue', c.id, now() - random() * interval '30 days', 'VERIFYING', 'UNSUBSTANTIATED', 'CONCLUDE_UNSUBSTANTIATED'
   FROM clue c WHERE random() < 0.1`,
  `DELETE FROM state_change WHERE event = 'ROUTE' AND random() < 0.05`,
  `UPDATE self_check_report SET recorded_at = recorded_at - interval '20 days', voluntary_refund = voluntary_refund + 1
   WHERE random() < 0.2`,
  // Supervision items: completed, cancelled (an entry, a second earlier one), deadlines moved, reassigned, new, deleted.
  `UPDATE supervision_item SET status = 'COMPLETED', completed_at = now() - random() * interval '20 days'
   WHERE status IN ('OPEN', 'OVERDUE') AND random() < 0.2`,
  `WITH c AS (UPDATE supervision_item SET status = 'CANCELLED' WHERE status IN ('OPEN', 'OVERDUE') AND random() < 0.15
     RETURNING id, created_at)
   INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'SupervisionItem', id, created_at + random() * interval '20 days', 'OPEN', 'CANCELLED', 'CANCEL' FROM c`,
  `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event)
   SELECT 'SupervisionItem', i.id, i.created_at + random() * interval '2 days', 'OPEN', 'CANCELLED', 'CANCEL'
   FROM supervision_item i WHERE i.status = 'CANCELLED' AND random() < 0.3`,
  `DELETE FROM state_change WHERE entity_type = 'SupervisionItem' AND random() < 0.1`,
  `UPDATE supervision_item SET deadline = deadline + (random() - 0.5) * interval '30 days' WHERE random() < 0.2`,
  `UPDATE supervision_item SET assigned_to_department_id = rnd_dept() WHERE random() < 0.1`,
  `INSERT INTO supervision_item (kind, title, status, clue_id, assigned_to_department_id, creator_department_id, leader_id,
     deadline, created_at)
   SELECT 'LISTED_SUPERVISION', '督办', 'OPEN', c.id, rnd_dept(), c.owner_department_id, (SELECT id FROM app_user LIMIT 1),
          now() + (random() - 0.3) * interval '20 days', now() - random() * interval '20 days'
   FROM clue c WHERE random() < 0.05`,
  `DELETE FROM supervision_item i WHERE random() < 0.05
     AND NOT EXISTS (SELECT 1 FROM document d WHERE d.supervision_item_id = i.id)
     AND NOT EXISTS (SELECT 1 FROM problem p WHERE p.supervision_item_id = i.id)
     AND NOT EXISTS (SELECT 1 FROM supervision_progress sp WHERE sp.item_id = i.id)`,
  `UPDATE clue_transfer SET to_department_id =
     (SELECT id FROM rnd_dept WHERE id <> clue_transfer.from_department_id ORDER BY random() LIMIT 1)
   WHERE random() < 0.05`,
  `UPDATE "case" SET region_code = rnd_county() WHERE random() < 0.1`,
];

describe('supervisionStats: roll-up ≡ direct aggregation', () => {
  let env: TestEnv;
  let actor: Actor;

  beforeAll(async () => {
    env = await createTestEnv();
    await seedRegions(env.services);
    await seedDepartmentsAndUsers(env.services, TEST_PASSWORD);
    for (const sql of SETUP) await env.services.db.query(sql);
    const [leader] = await env.services.db.query(
      `SELECT u.id, d.id AS department_id FROM app_user u JOIN department d ON d.id = u.department_id
       WHERE 'LEADER' = ANY(u.roles) AND d.region_code = '610000' LIMIT 1`,
    );
    actor = {
      userId: leader.id,
      username: 'leader',
      roles: ['LEADER'],
      department: { id: leader.department_id, kind: 'DISCIPLINE', regionCode: '610000', regionLevel: 'PROVINCE' },
    };
  });
  afterAll(() => env.close());

  const inOneSession = (seed: number, statements: string[]) =>
    env.services.db.transaction(async (m: EntityManager) => {
      await m.query('SELECT setseed($1)', [seed]);
      for (const sql of statements) await m.query(sql);
    });

  async function expectEqual(label: string): Promise<number> {
    const [{ today }] = await env.services.db.query(
      `SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today`,
    );
    let compared = 0;
    for (const region of REGIONS) {
      for (const [from, to] of windows(today)) {
        // The figures, not the moments they were read at (asOf).
        const { asOf: _rolledUpAt, ...rollup } = await supervisionStats(
          env.services.db,
          actor,
          region,
          from,
          to,
          'rollup',
        );
        const { asOf: _readAt, ...direct } = await supervisionStats(env.services.db, actor, region, from, to, 'direct');
        expect({ label, region, from, to, stats: rollup }).toEqual({ label, region, from, to, stats: direct });
        compared += 1;
      }
    }
    return compared;
  }

  for (const seed of SEEDS) {
    it(`seed ${seed}: equal on the random fixture, after random changes, and as time passes`, async () => {
      await env.services.db.query(
        `TRUNCATE clue, clue_transfer, "case", case_clue, sanction, collision_hit, collision_run, problem, recheck,
           rectification_measure, self_check_report, campaign, supervision_item, state_change, stats_daily, stats_dirty_day CASCADE`,
      );
      await env.services.db.query(`DELETE FROM institution WHERE code LIKE 'R%'`);
      await env.services.db.query(`DELETE FROM person WHERE person_id LIKE 'RP%'`);
      // TRUNCATE asks for a rebuild (a trigger on each table the roll-up reads).
      await inOneSession(seed, FILL);
      const [events] = await env.services.db.query(
        `SELECT (SELECT count(*) FROM clue)::int AS clues, (SELECT count(*) FROM clue_transfer)::int AS transfers,
                (SELECT count(*) FROM sanction)::int AS sanctions, (SELECT count(*) FROM collision_hit)::int AS hits`,
      );
      expect(events.clues).toBe(400);
      expect(events.transfers).toBeGreaterThan(50);
      expect(await expectEqual('built')).toBe(REGIONS.length * 9);
      // Incremental: the changes mark their days; the next reading recomputes them.
      for (let round = 1; round <= 2; round++) {
        await inOneSession(seed + round / 1000, CHANGES);
        await expectEqual(`changed ${round}`);
      }
      // Time passes: deadlines still ahead at the last refresh pass without any write the
      // triggers see (a change made with triggers off stands for the clock moving on).
      await env.services.db.query(`UPDATE stats_rollup_state SET refreshed_at = refreshed_at - interval '2 days'`);
      await env.services.db.transaction(async (m: EntityManager) => {
        await m.query(`SET LOCAL session_replication_role = replica`);
        await m.query(
          `UPDATE clue_transfer SET accept_deadline = now() - interval '1 hour' WHERE status = 'PENDING' AND accept_deadline > now()`,
        );
        await m.query(
          `UPDATE clue_transfer SET feedback_deadline = now() - interval '1 day'
           WHERE feedback_deadline > now() AND feedback_at IS NULL`,
        );
      });
      await expectEqual('deadlines passed');
      // A sanction deleted or moved changes the previous day of the same person's next sanction
      // (persons sanctioned count a person at its first day in a window).
      await env.services.db.query(
        `DELETE FROM sanction WHERE id IN (SELECT s.id FROM sanction s WHERE EXISTS (SELECT 1 FROM sanction n
           WHERE n.person_id = s.person_id AND n.decided_at > s.decided_at + interval '2 days') ORDER BY s.id LIMIT 4)`,
      );
      await expectEqual('sanctions deleted');
      await env.services.db.query(
        `UPDATE sanction SET decided_at = decided_at - interval '25 days' WHERE id IN (SELECT id FROM sanction ORDER BY id DESC LIMIT 4)`,
      );
      await expectEqual('sanctions moved');
      // An institution moves to another county: its self-check reports' scope moves with it.
      await inOneSession(seed + 0.005, [
        `UPDATE institution SET region_code = rnd_county() WHERE code LIKE 'R%' AND random() < 0.5`,
      ]);
      await expectEqual('institutions moved');
      // TRUNCATE fires no row trigger: it asks for a rebuild.
      await env.services.db.query('TRUNCATE sanction');
      await expectEqual('sanctions truncated');
    }, 300_000);
  }
});
