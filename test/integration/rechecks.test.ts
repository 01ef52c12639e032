/**
 * 回头看 runner end to end with a clock the test moves (no sleeping months): due rechecks are
 * started once (two sweeps at once), re-run DEATH_AFTER (the model behind the problem's hits)
 * for the problem's institution only over (closed date, due date] through the real outbox,
 * queue and collision workers, and are judged by a later sweep of a fresh process: no new hit
 * → PASSED; new hits → RECURRED with a RECHECK clue carrying them, routed to 医保 one level up
 * (约谈), the problem reopened; a second recurrence of the institution within 24 months →
 * 暂停结算.
 */
import { Job } from 'bullmq';
import { createServices } from '../../src/app';
import { MAINTENANCE_JOBS } from '../../src/core/constants';
import { MovableClock } from '../../src/core/clock';
import { findRun, startCollisionRun } from '../../src/domain/collision/collision-run.service';
import { sweepRechecks } from '../../src/domain/problem/recheck-runner';
import { RECHECK_ROUTING } from '../../src/domain/routing/routing.service';
import { collisionQueue } from '../../workers/collision.processor';
import { maintenanceQueue } from '../../workers/maintenance.processor';
import { routingQueue } from '../../workers/routing.processor';
import { startWorkers, WorkerHost } from '../../workers';
import { createTestEnv, TestEnv, waitFor } from '../support/harness';
import { departmentIdOf, routedClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

const H1 = 'H610302001'; // 渭滨区 (county of 宝鸡 610300)
const H2 = 'H610303001'; // 金台区 (county of 宝鸡 610300)

let env: TestEnv;
let host: WorkerHost | undefined;
const clock = new MovableClock('2025-04-01T09:00:00+08:00');
const q = (sql: string, params: unknown[] = []) => env.services.db.query(sql, params);

beforeAll(async () => {
  env = await createTestEnv();
  env.services.clock = clock;
  await seedWorkflowFixtures(env.services);
  await q("SELECT ensure_month_partitions('2025-01-01', '2026-12-31')");
  await q(`INSERT INTO person (person_id, name, region_code, death_date) VALUES
             ('D1', '已故甲', '610302', '2025-02-01'), ('D2', '已故乙', '610303', '2025-02-01')`);
  host = await startWorkers(env.services, [collisionQueue, routingQueue]);
}, 120_000);

afterAll(async () => {
  await host?.close(2000);
  await env?.close();
});

let settlementNo = 0;
/** A settlement of a dead person (a DEATH_AFTER hit) at `inst` on `on` (10:00 Asia/Shanghai). */
async function deadPersonSettlement(inst: string, person: string, on: string, fund: string): Promise<string> {
  const id = `S${++settlementNo}`;
  const at = `${on}T10:00:00+08:00`;
  await q(`INSERT INTO settlement_key (settlement_id, settled_on) VALUES ($1, $2::date)`, [id, on]);
  await q(
    `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, settled_at, settled_on,
                             total_amount, fund_amount, self_amount)
     VALUES ($1, $2, $3, 'OUTPATIENT', $4::timestamptz, $5::date, $6::numeric + 10, $6, 10)`,
    [id, person, inst, at, on, fund],
  );
  return id;
}

const finished = (runId: string) =>
  waitFor(
    `run ${runId}`,
    async () => {
      const run = await findRun(env.services.db, runId);
      return run.status === 'SUCCEEDED' || run.status === 'FAILED' ? run : undefined;
    },
    60_000,
  );

/** The clue DEATH_AFTER made of the institution's March hits (a real collision run). */
async function collisionClue(inst: string): Promise<string> {
  const [row] = await q(`SELECT clue_id FROM collision_hit WHERE institution_code = $1 AND model = 'DEATH_AFTER'`, [
    inst,
  ]);
  return row.clue_id;
}

let problemNo = 0;
/** A CLOSED problem of the institution from its collision clue, and its SCHEDULED recheck. */
async function closedProblemWithRecheck(
  inst: string,
  region: string,
  closedAt: string,
  dueOn: string,
): Promise<{ problemId: string; recheckId: string }> {
  const responsible = await departmentIdOf(env.services, 'MEDICAL_INSURANCE', region);
  const supervising = await departmentIdOf(env.services, 'DISCIPLINE', region);
  const [problem] = await q(
    `INSERT INTO problem (code, source, category, description, amount, institution_code, responsible_department_id,
                          supervising_department_id, region_code, status, clue_id, closed_at)
     VALUES ($1, 'CLUE', '冒名就医', '死亡人员就医结算', '100.00', $2, $3, $4, $5, 'CLOSED', $6, $7) RETURNING id`,
    [`WT-${++problemNo}`, inst, responsible, supervising, region, await collisionClue(inst), closedAt],
  );
  const [recheck] = await q(
    `INSERT INTO recheck (problem_id, due_on, status) VALUES ($1, $2, 'SCHEDULED') RETURNING id`,
    [problem.id, dueOn],
  );
  return { problemId: problem.id, recheckId: recheck.id };
}

const recheck = async (id: string) =>
  (
    await q(
      `SELECT status, window_from::text, window_to::text, new_hits, recommendation, clue_id, run_id, completed_at
       FROM recheck WHERE id = $1`,
      [id],
    )
  )[0];

const events = async (entity: string, id: string) =>
  (await q(`SELECT event FROM state_change WHERE entity_type = $1 AND entity_id = $2 ORDER BY id`, [entity, id])).map(
    (r: { event: string }) => r.event,
  );

describe('回头看 runner', () => {
  let pass: { problemId: string; recheckId: string };
  let recur: { problemId: string; recheckId: string };

  beforeAll(async () => {
    // March: both institutions settle for a dead person; the run makes a DEATH_AFTER clue of each.
    await deadPersonSettlement(H1, 'D1', '2025-03-10', '50.00');
    await deadPersonSettlement(H2, 'D2', '2025-03-12', '60.00');
    const run = await startCollisionRun(env.services, {
      from: '2025-03-01',
      to: '2025-03-31',
      models: ['DEATH_AFTER'],
    });
    expect((await finished(run.id)).status).toBe('SUCCEEDED');
    // Both problems closed on 31 March (23:30 in Shanghai: still the 31st), rechecked on 30 September.
    pass = await closedProblemWithRecheck(H1, '610302', '2025-03-31T15:30:00Z', '2025-09-30');
    recur = await closedProblemWithRecheck(H2, '610303', '2025-03-31T15:30:00Z', '2025-09-30');
    // After closure: H2 settles for a dead person again (and once after the window); H1 does not,
    // though a settlement of H1 on the day of closure is outside its window.
    await deadPersonSettlement(H2, 'D2', '2025-06-15', '70.50');
    await deadPersonSettlement(H2, 'D2', '2025-10-02', '99.00');
    await deadPersonSettlement(H1, 'D1', '2025-03-31', '11.00');
  }, 90_000);

  it('nothing is due before the due date by the clock', async () => {
    clock.set('2025-09-29T23:00:00+08:00');
    expect(await sweepRechecks(env.services)).toEqual({ started: 0, passed: 0, recurred: 0, rerun: 0 });
    expect((await recheck(pass.recheckId)).status).toBe('SCHEDULED');
  });

  it('on the due date two sweeps at once start each recheck once, with one run for its institution and window', async () => {
    clock.set('2025-09-30T00:10:00+08:00');
    const [a, b] = await Promise.all([sweepRechecks(env.services), sweepRechecks(env.services)]);
    expect(a.started + b.started).toBe(2);
    for (const { recheckId } of [pass, recur]) {
      const row = await recheck(recheckId);
      expect(row).toMatchObject({ status: 'RUNNING', window_from: '2025-04-01', window_to: '2025-09-30' });
      expect(await events('Recheck', recheckId)).toEqual(['START']);
      const [run] = await q(
        `SELECT models, from_date::text AS from, to_date::text AS to, institution_codes, forms_clues FROM collision_run WHERE id = $1`,
        [row.run_id],
      );
      expect(run).toMatchObject({ models: ['DEATH_AFTER'], from: '2025-04-01', to: '2025-09-30', forms_clues: false });
    }
    expect((await q(`SELECT count(*)::int AS n FROM collision_run WHERE institution_codes IS NOT NULL`))[0].n).toBe(2);
  });

  it('a fresh process judges the rechecks once their runs succeeded: PASSED, and RECURRED one level up', async () => {
    for (const { recheckId } of [pass, recur]) await finished((await recheck(recheckId)).run_id);
    // Another process (a restarted worker) with its own clock finds the state in PostgreSQL.
    const other = await createServices(env.config);
    try {
      other.clock = new MovableClock('2025-09-30T00:11:00+08:00');
      const [a, b] = await Promise.all([sweepRechecks(other), sweepRechecks(other)]);
      expect(a.passed + b.passed).toBe(1);
      expect(a.recurred + b.recurred).toBe(1);
    } finally {
      await other.close();
    }

    const passed = await recheck(pass.recheckId);
    expect(passed).toMatchObject({ status: 'PASSED', new_hits: 0, recommendation: null, clue_id: null });
    expect(passed.completed_at).not.toBeNull();
    expect(await events('Recheck', pass.recheckId)).toEqual(['START', 'PASS']);
    expect((await q(`SELECT status FROM problem WHERE id = $1`, [pass.problemId]))[0].status).toBe('CLOSED');

    const recurred = await recheck(recur.recheckId);
    expect(recurred).toMatchObject({ status: 'RECURRED', new_hits: 1, recommendation: 'INTERVIEW' });
    expect(await events('Recheck', recur.recheckId)).toEqual(['START', 'RECUR']);
    expect((await q(`SELECT status FROM problem WHERE id = $1`, [recur.problemId]))[0].status).toBe('REOPENED');
    expect(await events('Problem', recur.problemId)).toEqual(['REOPEN']);

    const [clue] = await q(
      `SELECT source, institution_code, amount_involved, description, model FROM clue WHERE id = $1`,
      [recurred.clue_id],
    );
    expect(clue).toMatchObject({ source: 'RECHECK', institution_code: H2, amount_involved: '70.50', model: null });
    expect(clue.description).toContain('约谈');
    const hits = await q(`SELECT hit_key FROM collision_hit WHERE clue_id = $1`, [recurred.clue_id]);
    expect(hits).toHaveLength(1);
    // Routed to 医保 of 宝鸡 (610300), one level above 金台区.
    const cityInsurance = await departmentIdOf(env.services, 'MEDICAL_INSURANCE', '610300');
    const routed = await waitFor('routing of the RECHECK clue', async () => {
      const [row] = await q(`SELECT status, owner_department_id, routing_rule FROM clue WHERE id = $1`, [
        recurred.clue_id,
      ]);
      return row.status === 'ASSIGNED' ? row : undefined;
    });
    expect(routed.owner_department_id).toBe(cityInsurance);

    const notes = await q(
      `SELECT kind, count(*)::int AS n FROM notification WHERE kind LIKE 'RECHECK_%' GROUP BY kind ORDER BY kind`,
    );
    expect(notes.map((n: { kind: string }) => n.kind)).toEqual(['RECHECK_PASSED', 'RECHECK_RECURRED']);
    for (const n of notes) expect(n.n).toBeGreaterThan(0);
    // Judged once: a further sweep finds nothing to do.
    expect(await sweepRechecks(env.services)).toEqual({ started: 0, passed: 0, recurred: 0, rerun: 0 });
  }, 90_000);

  it('a second recurrence of the institution within 24 months recommends 暂停结算', async () => {
    // The reopened problem is closed again on 31 October; its next recheck is due 30 April 2026.
    await q(`UPDATE problem SET status = 'CLOSED', closed_at = '2025-10-31T12:00:00+08:00' WHERE id = $1`, [
      recur.problemId,
    ]);
    const [second] = await q(
      `INSERT INTO recheck (problem_id, due_on, status) VALUES ($1, '2026-04-30', 'SCHEDULED') RETURNING id`,
      [recur.problemId],
    );
    await deadPersonSettlement(H2, 'D2', '2026-01-15', '20.00');
    clock.set('2026-04-30T08:00:00+08:00');
    expect((await sweepRechecks(env.services)).started).toBe(1);
    const row = await recheck(second.id);
    expect(row).toMatchObject({ status: 'RUNNING', window_from: '2025-11-01', window_to: '2026-04-30' });
    await finished(row.run_id);
    expect((await sweepRechecks(env.services)).recurred).toBe(1);
    const done = await recheck(second.id);
    // Only the 15 January settlement: the one of 2 October is before the window (1 November on).
    expect(done).toMatchObject({ status: 'RECURRED', new_hits: 1, recommendation: 'SUSPEND_SETTLEMENT' });
    const [clue] = await q(`SELECT description, amount_involved FROM clue WHERE id = $1`, [done.clue_id]);
    expect(clue.amount_involved).toBe('20.00');
    expect(clue.description).toContain('暂停结算');
    expect((await q(`SELECT status FROM problem WHERE id = $1`, [recur.problemId]))[0].status).toBe('REOPENED');
  }, 90_000);
});

describe('回头看 runner: failures, problems without an institution, routing', () => {
  it('a recheck whose run failed is re-run (RERUN) and judged on the new run', async () => {
    const { problemId, recheckId } = await closedProblemWithRecheck(
      H1,
      '610302',
      '2026-01-31T12:00:00+08:00',
      '2026-04-30',
    );
    const [failed] = await q(
      `INSERT INTO collision_run (models, from_date, to_date, status, institution_codes, forms_clues, error)
       VALUES ('{DEATH_AFTER}', '2026-02-01', '2026-04-30', 'FAILED', $1, false, 'worker lost') RETURNING id`,
      [[H1]],
    );
    await q(
      `UPDATE recheck SET status = 'RUNNING', run_id = $2, window_from = '2026-02-01', window_to = '2026-04-30'
             WHERE id = $1`,
      [recheckId, failed.id],
    );
    expect((await sweepRechecks(env.services)).rerun).toBe(1);
    const rerun = await recheck(recheckId);
    expect(rerun.status).toBe('RUNNING');
    expect(rerun.run_id).not.toBe(failed.id);
    expect(await events('Recheck', recheckId)).toEqual(['RERUN']);
    await finished(rerun.run_id);
    expect((await sweepRechecks(env.services)).passed).toBe(1);
    expect(await recheck(recheckId)).toMatchObject({ status: 'PASSED', new_hits: 0 });
    expect((await q(`SELECT status FROM problem WHERE id = $1`, [problemId]))[0].status).toBe('CLOSED');
  }, 60_000);

  it('the maintenance deadline sweep passes a problem without an institution at once, with a note and no run', async () => {
    const responsible = await departmentIdOf(env.services, 'MEDICAL_INSURANCE', '610302');
    const [problem] = await q(
      `INSERT INTO problem (code, source, category, description, responsible_department_id, supervising_department_id,
                            region_code, status, closed_at)
       VALUES ('WT-NOINST', 'SELF_CHECK', '内部管理', '自查发现的制度问题', $1, $1, '610302', 'CLOSED', '2026-01-01T00:00:00Z')
       RETURNING id`,
      [responsible],
    );
    const [row] = await q(
      `INSERT INTO recheck (problem_id, due_on, status) VALUES ($1, '2026-04-01', 'SCHEDULED') RETURNING id`,
      [problem.id],
    );
    const result = (await maintenanceQueue.process(env.services, { name: MAINTENANCE_JOBS.deadlineSweep } as Job)) as {
      rechecks: { started: number; passed: number };
    };
    expect(result.rechecks).toMatchObject({ started: 1, passed: 1 });
    expect(await recheck(row.id)).toMatchObject({ status: 'PASSED', run_id: null, window_from: '2026-01-02' });
    const [pass] = await q(
      `SELECT detail FROM state_change WHERE entity_type = 'Recheck' AND entity_id = $1 AND event = 'PASS'`,
      [row.id],
    );
    expect(pass.detail.note).toContain('未关联定点机构');
  });

  it('a RECHECK clue goes to 医保 one level up: a city’s to the province, a province’s stays', async () => {
    const province = await departmentIdOf(env.services, 'MEDICAL_INSURANCE', '610000');
    for (const regionCode of ['610300', '610000']) {
      const clueId = await routedClue(env.services, {
        source: 'RECHECK',
        model: null,
        institutionCode: null,
        regionCode,
        amountInvolved: '10.00',
      });
      const [clue] = await q(`SELECT owner_department_id, routing_rule FROM clue WHERE id = $1`, [clueId]);
      expect(clue).toEqual({ owner_department_id: province, routing_rule: RECHECK_ROUTING });
    }
  });
});
