/**
 * The outcome figures of supervisionStats (PRODUCT.md §9 "Statistics", docs/READING.md) on a
 * hand-built fixture of 宝鸡市 (610300), window 2025-03-01 … 2025-04-30: hits and 清零率,
 * problems found and closed, measures overdue at the end, rechecks, 线索转化率, refunds — in
 * the totals, for one department and one month, every number computed by hand below.
 */
import { startTestApi, TestApi } from '../support/harness';
import { AsUser, asUsers } from '../support/client';
import {
  departmentIdOf,
  insertCase,
  insertClue,
  seedWorkflowFixtures,
  tokenSource,
} from '../support/workflow-fixtures';
import { supervisionStats } from '../../src/domain/stats/stats.service';
import { Actor } from '../../src/policy';

const FIGURES = `hitsTotal hitsVerified clearedRate problemsFound problemsClosed measuresOverdue rechecksPassed
  rechecksRecurred clueToCaseRate voluntaryRefund patientRefund`;
const STATS = `query { supervisionStats(regionCode: "610300", from: "2025-03-01", to: "2025-04-30") {
  ${FIGURES} byDepartment { department { id } ${FIGURES} } byMonth { month ${FIGURES} } } }`;

describe('supervisionStats: outcome figures', () => {
  let t: TestApi;
  let gql: AsUser;
  const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);
  const dept: Record<string, string> = {};
  let n = 0;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t, tokenSource(t.services));
    for (const [key, kind, region] of [
      ['wb', 'MEDICAL_INSURANCE', '610302'],
      ['jt', 'MEDICAL_INSURANCE', '610303'],
      ['qd', 'MEDICAL_INSURANCE', '610402'],
      ['jw', 'DISCIPLINE', '610300'],
    ]) {
      dept[key] = await departmentIdOf(t.services, kind, region);
    }
    const clue = (owner: string, region: string) =>
      insertClue(t.services, {
        ownerKind: 'MEDICAL_INSURANCE',
        ownerRegion: owner,
        regionCode: region,
        status: 'VERIFYING',
      });
    const c1 = await clue('610302', '610302');
    const c2 = await clue('610303', '610303');
    const c3 = await clue('610402', '610402');
    const c4 = await clue('610302', '610302');
    const [run] = await q(
      `INSERT INTO collision_run (models, from_date, to_date, status, parameters) VALUES ('{OVER_PRICE}', '2025-01-01', '2025-04-30', 'SUCCEEDED', '{}') RETURNING id`,
    );
    const hit = (at: string, region: string, institution: string, clueId: string | null, verification: string) =>
      q(
        `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
           first_run_id, last_run_id, clue_id, created_at, verification, confirmed_amount, exclusion_reason)
         VALUES ('OVER_PRICE', $1, 10, $2, $3, '{}', '{}', $4, $4, $5, $6, $7::text,
                 CASE WHEN $7::text = 'CONFIRMED' THEN 10 END, CASE WHEN $7::text = 'EXCLUDED' THEN 'OTHER' END)`,
        [`so-${++n}`, institution, region, run.id, clueId, at, verification],
      );
    await hit('2025-03-10T10:00:00+08:00', '610302', 'H610302001', c1, 'CONFIRMED'); // h1
    await hit('2025-03-31T23:30:00+08:00', '610302', 'H610302001', c1, 'EXCLUDED'); // h2: 31 March in Shanghai
    await hit('2025-03-31T16:30:00Z', '610302', 'H610302001', c1, 'PENDING'); // h3: 1 April 00:30 in Shanghai
    await hit('2025-04-15T10:00:00+08:00', '610303', 'H610303001', c2, 'CONFIRMED'); // h4
    await hit('2025-04-15T11:00:00+08:00', '610303', 'H610303001', null, 'PENDING'); // h5: no clue, no department
    await hit('2025-02-28T15:00:00Z', '610302', 'H610302001', c1, 'CONFIRMED'); // h6: 28 Feb 23:00, before
    await hit('2025-03-15T10:00:00+08:00', '610402', 'Y610402001', c3, 'CONFIRMED'); // h7: another city

    const problem = async (
      region: string,
      responsible: string,
      createdAt: string,
      status: string,
      closedAt?: string,
    ) => {
      const [row] = await q(
        `INSERT INTO problem (code, source, category, description, responsible_department_id, supervising_department_id,
           region_code, status, created_at, closed_at)
         VALUES ($1, 'CLUE', '违规收费', '夹具问题', $2, $3, $4, $5, $6, $7) RETURNING id`,
        [`WT-SO-${++n}`, dept[responsible], dept.jw, region, status, createdAt, closedAt ?? null],
      );
      return row.id as string;
    };
    const p1 = await problem('610302', 'wb', '2025-03-05T09:00:00+08:00', 'CLOSED', '2025-04-10T09:00:00+08:00');
    const p2 = await problem('610303', 'jt', '2025-04-20T09:00:00+08:00', 'OPEN');
    const p3 = await problem('610302', 'wb', '2025-02-10T09:00:00+08:00', 'CLOSED', '2025-03-20T09:00:00+08:00');
    const p4 = await problem('610402', 'qd', '2025-03-10T09:00:00+08:00', 'OPEN');

    const measure = (problemId: string, deadline: string, status: string, createdAt: string, submittedAt?: string) =>
      q(
        `INSERT INTO rectification_measure (problem_id, description, deadline, status, created_at, submitted_at)
         VALUES ($1, '整改', $2, $3, $4, $5)`,
        [problemId, deadline, status, createdAt, submittedAt ?? null],
      );
    await measure(p2, '2025-04-25', 'OPEN', '2025-04-20T09:00:00+08:00'); // M1: overdue at the end (and end of April)
    await measure(p1, '2025-03-20', 'ACCEPTED', '2025-03-05T09:00:00+08:00', '2025-04-05T09:00:00+08:00'); // M2: end of March only
    await measure(p3, '2025-04-30', 'OPEN', '2025-02-10T09:00:00+08:00'); // M3: overdue from 1 May 00:00 = the end
    await measure(p4, '2025-03-01', 'OPEN', '2025-03-10T09:00:00+08:00'); // M4: another city
    await measure(p2, '2025-05-01', 'OPEN', '2025-04-20T09:00:00+08:00'); // M5: deadline not passed at the end

    const recheck = (problemId: string, status: string, completedAt?: string) =>
      q(`INSERT INTO recheck (problem_id, due_on, status, completed_at) VALUES ($1, '2025-03-01', $2, $3)`, [
        problemId,
        status,
        completedAt ?? null,
      ]);
    await recheck(p3, 'PASSED', '2025-03-25T09:00:00+08:00'); // R1
    await recheck(p1, 'RECURRED', '2025-04-28T09:00:00+08:00'); // R2
    await recheck(p2, 'SCHEDULED'); // R3
    await recheck(p3, 'PASSED', '2025-04-30T16:30:00Z'); // R4: 1 May in Shanghai, after

    const concluded = (clueId: string, event: string, at: string) =>
      q(
        `INSERT INTO state_change (entity_type, entity_id, at, from_state, to_state, event) VALUES ('Clue', $1, $2, 'VERIFYING', $3, $4)`,
        [clueId, at, event === 'CONCLUDE_SUBSTANTIATED' ? 'SUBSTANTIATED' : 'UNSUBSTANTIATED', event],
      );
    await concluded(c1, 'CONCLUDE_SUBSTANTIATED', '2025-03-20T09:00:00+08:00');
    await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302', clueIds: [c1] });
    await concluded(c2, 'CONCLUDE_UNSUBSTANTIATED', '2025-04-02T09:00:00+08:00');
    await concluded(c4, 'CONCLUDE_SUBSTANTIATED', '2025-04-03T09:00:00+08:00');
    await concluded(c4, 'CONCLUDE_SUBSTANTIATED', '2025-04-20T09:00:00+08:00'); // the same clue again: once
    await concluded(c3, 'CONCLUDE_SUBSTANTIATED', '2025-03-15T09:00:00+08:00'); // another city
  });
  afterAll(() => t.close());

  it('totals, one department, one month', async () => {
    const res = await gql('yb-610300-leader', STATS);
    expect(res.errors).toBeUndefined();
    const stats = res.data.supervisionStats;
    const figures = (o: Record<string, unknown>) => {
      const { department: _d, month: _m, ...rest } = o;
      return rest;
    };
    expect(figures(stats)).toMatchObject({
      hitsTotal: 5, // h1–h5
      hitsVerified: 3, // h1, h2, h4
      clearedRate: 0.6,
      problemsFound: 2, // P1, P2
      problemsClosed: 2, // P1 (April), P3 (March)
      measuresOverdue: 2, // M1, M3
      rechecksPassed: 1, // R1
      rechecksRecurred: 1, // R2
      clueToCaseRate: 1 / 3, // C1 of C1, C2, C4
      voluntaryRefund: '0.00',
      patientRefund: '0.00',
    });
    const weibin = stats.byDepartment.find(
      (d: { department: { id: string } }) => d.department.id.length && d.department.id === toGid(dept.wb),
    );
    expect(figures(weibin)).toEqual({
      hitsTotal: 3, // h1, h2, h3
      hitsVerified: 2,
      clearedRate: 2 / 3,
      problemsFound: 1, // P1
      problemsClosed: 2, // P1, P3
      measuresOverdue: 1, // M3
      rechecksPassed: 1,
      rechecksRecurred: 1,
      clueToCaseRate: 0.5, // C1 of C1, C4
      voluntaryRefund: '0.00',
      patientRefund: '0.00',
    });
    const jintai = stats.byDepartment.find((d: { department: { id: string } }) => d.department.id === toGid(dept.jt));
    expect(figures(jintai)).toMatchObject({
      hitsTotal: 1,
      hitsVerified: 1,
      clearedRate: 1,
      measuresOverdue: 1,
      clueToCaseRate: 0,
    });
    const [march, april] = stats.byMonth;
    expect(march.month).toBe('2025-03');
    expect(figures(march)).toEqual({
      hitsTotal: 2, // h1, h2
      hitsVerified: 2,
      clearedRate: 1,
      problemsFound: 1, // P1
      problemsClosed: 1, // P3
      measuresOverdue: 1, // M2 at the end of March
      rechecksPassed: 1, // R1
      rechecksRecurred: 0,
      clueToCaseRate: 1, // C1
      voluntaryRefund: '0.00',
      patientRefund: '0.00',
    });
    expect(figures(april)).toEqual({
      hitsTotal: 3, // h3, h4, h5
      hitsVerified: 1,
      clearedRate: 1 / 3,
      problemsFound: 1, // P2
      problemsClosed: 1, // P1
      measuresOverdue: 2, // M1, M3 at the end of April
      rechecksPassed: 0,
      rechecksRecurred: 1, // R2
      clueToCaseRate: 0, // C2, C4
      voluntaryRefund: '0.00',
      patientRefund: '0.00',
    });
  });

  it('reads the same figures from the roll-up as from the events', async () => {
    const [leader] = await q(`SELECT u.id, u.department_id FROM app_user u WHERE u.username = 'jw-610000-leader'`);
    const actor: Actor = {
      userId: leader.id,
      username: 'jw-610000-leader',
      roles: ['LEADER'],
      department: { id: leader.department_id, kind: 'DISCIPLINE', regionCode: '610000', regionLevel: 'PROVINCE' },
    };
    for (const region of ['610000', '610300', '610302', '610303', '610400', '610402']) {
      for (const [from, to] of [
        ['2025-03-01', '2025-04-30'],
        ['2025-03-31', '2025-04-01'],
        ['2025-04-03', '2025-04-30'],
        ['2025-02-01', '2025-03-15'],
      ]) {
        // The figures, not the moments they were read at (asOf).
        const { asOf: _rolledUpAt, ...rollup } = await supervisionStats(
          t.services.db,
          actor,
          region,
          from,
          to,
          'rollup',
        );
        const { asOf: _readAt, ...direct } = await supervisionStats(t.services.db, actor, region, from, to, 'direct');
        expect({ region, from, to, rollup }).toEqual({ region, from, to, rollup: direct });
      }
    }
  });

  it('an empty window: zeros and null rates', async () => {
    const res = await gql(
      'yb-610300-leader',
      `query { supervisionStats(regionCode: "610300", from: "2024-01-01", to: "2024-01-31") { ${FIGURES} } }`,
    );
    expect(res.data.supervisionStats).toEqual({
      hitsTotal: 0,
      hitsVerified: 0,
      clearedRate: null,
      problemsFound: 0,
      problemsClosed: 0,
      measuresOverdue: 0,
      rechecksPassed: 0,
      rechecksRecurred: 0,
      clueToCaseRate: null,
      voluntaryRefund: '0.00',
      patientRefund: '0.00',
    });
  });
});

const toGid = (id: string) => Buffer.from(`Department:${id}`).toString('base64url');
