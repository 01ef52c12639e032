/**
 * 问题清单 and 整改措施 (PRODUCT.md §9 "Problems"): a problem listed from a case, a clue or by
 * hand, its measures submitted, rejected, resubmitted and accepted, 销号 by a leader of the
 * supervising department once all are accepted, the 回头看 scheduled once at closure, the
 * overdue flag and the deadline sweep's reminder and overdue notices.
 */
import { Job } from 'bullmq';
import { MAINTENANCE_JOBS } from '../../src/core/constants';
import { toGlobalId } from '../../src/core/ids';
import { maintenanceQueue } from '../../workers/maintenance.processor';
import { markOverdueMeasures, remindMeasureDeadlines } from '../../src/domain/problem/measure.jobs';
import { shanghaiDate, addMonths } from '../../src/domain/reference/working-days';
import { AsUser, asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, insertCase, rowId, routedClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

const MEASURE = `id description deadline status overdue report evidence submittedAt acceptedAt rejectionReason allowedEvents version`;
const PROBLEM = `id code source category description amount status closedAt version allowedEvents
  institution { code } subjectDepartment { id } responsibleDepartment { id } supervisingDepartment { id }
  case { id } clue { id }
  measures { ${MEASURE} }
  rechecks { id dueOn manual result newHits recommendation }
  timeline { event from to }`;
const CREATE = `mutation($i: CreateProblemInput!) { createProblem(input: $i) { ${PROBLEM} } }`;
const GET = `query($id: ID!) { problem(id: $id) { ${PROBLEM} } }`;
const LIST = `query($f: ProblemFilter) { problems(filter: $f, first: 50) { totalCount edges { node { id code } } } }`;
const ADD = `mutation($p: ID!, $i: MeasureInput!) { addMeasure(problemId: $p, input: $i) { ${MEASURE} problem { id } } }`;
const SUBMIT = `mutation($id: ID!, $r: String!, $e: [String!], $v: Int) { submitMeasure(measureId: $id, report: $r, evidence: $e, expectedVersion: $v) { ${MEASURE} } }`;
const ACCEPT = `mutation($id: ID!, $n: String) { acceptMeasure(measureId: $id, note: $n) { ${MEASURE} } }`;
const REJECT = `mutation($id: ID!, $r: String!) { rejectMeasure(measureId: $id, reason: $r) { ${MEASURE} } }`;
const CLOSE = `mutation($id: ID!, $n: String) { closeProblem(problemId: $id, note: $n) { ${PROBLEM} } }`;
const RECHECK = `mutation($id: ID!, $d: Date!) { scheduleRecheck(problemId: $id, dueOn: $d) { id dueOn manual result problem { id } } }`;
const NOTES = `{ notifications(first: 100) { edges { node { kind title body targetId } } } }`;
const CLUE_PROBLEMS = `query($id: ID!) { node(id: $id) { ... on Clue { problems { id } } } }`;

const SUPERVISOR = 'yb-610302-investigator'; // 医保 渭滨区: lists and supervises
const LEADER = 'yb-610302-leader';
const RECTIFIER = 'wj-610302-investigator'; // 卫健 渭滨区: must rectify

const dayOffset = (days: number) => shanghaiDate(new Date(Date.now() + days * 86_400_000));

describe('problems and rectification measures', () => {
  let t: TestApi;
  let gql: AsUser;
  let yb: string;
  let wj: string;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    yb = toGlobalId('Department', await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610302'));
    wj = toGlobalId('Department', await departmentIdOf(t.services, 'HEALTH', '610302'));
  });
  afterAll(() => t.close());

  const input = (over: Record<string, unknown> = {}) => ({
    source: 'AUDIT',
    category: '超标准收费',
    description: '审计发现床位费超标准收取',
    amount: '12345.60',
    institutionCode: 'H610302001',
    responsibleDepartmentId: wj,
    measures: [
      { description: '退还多收费用', deadline: dayOffset(30) },
      { description: '修订收费制度', deadline: dayOffset(60) },
    ],
    ...over,
  });

  async function create(over: Record<string, unknown> = {}, user = SUPERVISOR) {
    return data(await gql(user, CREATE, { i: input(over) })).createProblem;
  }

  const notes = async (user: string) =>
    data(await gql(user, NOTES)).notifications.edges.map((e: { node: { kind: string; targetId: string } }) => e.node);

  it('creates a problem by hand: code, region of the institution, OPEN measures, notice to the responsible department', async () => {
    const p = await create();
    expect(p.code).toMatch(new RegExp(`^WT${dayOffset(0).slice(0, 4)}-\\d{6}$`));
    expect(p).toMatchObject({
      source: 'AUDIT',
      status: 'OPEN',
      amount: '12345.60',
      institution: { code: 'H610302001' },
      responsibleDepartment: { id: wj },
      supervisingDepartment: { id: yb },
      allowedEvents: ['ADD_MEASURE'],
      timeline: [{ event: 'CREATE', to: 'OPEN' }],
    });
    expect(p.measures.map((m: { status: string; overdue: boolean }) => [m.status, m.overdue])).toEqual([
      ['OPEN', false],
      ['OPEN', false],
    ]);
    const [row] = await t.services.db.query('SELECT region_code FROM problem WHERE id = $1', [rowId(p.id)]);
    expect(row.region_code).toBe('610302');
    expect(await notes(RECTIFIER)).toContainEqual(
      expect.objectContaining({ kind: 'PROBLEM_ASSIGNED', targetId: p.id }),
    );
    expect((await notes('wj-610302-analyst')).some((n: { targetId: string }) => n.targetId === p.id)).toBe(false);
  });

  it('refuses bad input: no measures, a past deadline, a system source, CASE without a case; non case workers are FORBIDDEN', async () => {
    expect(code(await gql(SUPERVISOR, CREATE, { i: input({ measures: [] }) }))).toBe('BAD_USER_INPUT');
    expect(
      code(await gql(SUPERVISOR, CREATE, { i: input({ measures: [{ description: 'x', deadline: dayOffset(-1) }] }) })),
    ).toBe('BAD_USER_INPUT');
    for (const source of ['INSPECTION', 'SELF_CHECK', 'RECHECK'])
      expect(code(await gql(SUPERVISOR, CREATE, { i: input({ source }) }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(SUPERVISOR, CREATE, { i: input({ source: 'CASE' }) }))).toBe('BAD_USER_INPUT');
    expect(code(await gql('yb-610302-analyst', CREATE, { i: input() }))).toBe('FORBIDDEN');
    expect(code(await gql(SUPERVISOR, CREATE, { i: input({ supervisingDepartmentId: wj }) }))).toBe('FORBIDDEN');
  });

  it('creates problems from a case and from a clue the caller sees (NOT_FOUND otherwise); Clue.problems lists them', async () => {
    const caseId = toGlobalId(
      'Case',
      await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' }),
    );
    const fromCase = await create({ source: 'CASE', caseId });
    expect(fromCase.case).toEqual({ id: caseId });
    const clueId = toGlobalId('Clue', await routedClue(t.services));
    const fromClue = await create({ source: 'CLUE', clueId });
    expect(fromClue.clue).toEqual({ id: clueId });
    expect(data(await gql(SUPERVISOR, CLUE_PROBLEMS, { id: clueId })).node.problems).toEqual([{ id: fromClue.id }]);
    // 卫健 of another county neither sees the case nor may list a problem of it.
    expect(code(await gql('wj-610303-investigator', CREATE, { i: input({ source: 'CASE', caseId }) }))).toBe(
      'NOT_FOUND',
    );
  });

  it('a case does not close (结案) while a measure of a problem sourced from it is not accepted', async () => {
    const caseId = toGlobalId(
      'Case',
      await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302', status: 'RECTIFYING' }),
    );
    const p = await create({ source: 'CASE', caseId, measures: [{ description: '案件整改', deadline: dayOffset(9) }] });
    const CLOSE_CASE = `mutation($id: ID!) { transitionCase(caseId: $id, event: CLOSE) { id status } }`;
    const refused = await gql(SUPERVISOR, CLOSE_CASE, { id: caseId });
    expect(code(refused)).toBe('INVALID_TRANSITION');
    data(await gql(RECTIFIER, SUBMIT, { id: p.measures[0].id, r: '完成' }));
    expect(code(await gql(SUPERVISOR, CLOSE_CASE, { id: caseId }))).toBe('INVALID_TRANSITION');
    data(await gql(SUPERVISOR, ACCEPT, { id: p.measures[0].id }));
    expect(data(await gql(SUPERVISOR, CLOSE_CASE, { id: caseId })).transitionCase.status).toBe('CLOSED');
  });

  it('two measures to 销号: reject then resubmit, accept both; close refused while one is open; the 回头看 scheduled once', async () => {
    const p = await create();
    const [m1, m2] = p.measures;
    // The supervising side may not submit; the rectifier may not accept.
    expect(code(await gql(SUPERVISOR, SUBMIT, { id: m1.id, r: '已整改' }))).toBe('FORBIDDEN');
    expect(code(await gql(RECTIFIER, SUBMIT, { id: m1.id, r: '  ' }))).toBe('BAD_USER_INPUT');
    const s1 = data(
      await gql(RECTIFIER, SUBMIT, { id: m1.id, r: '已退还', e: ['退费凭证.pdf'], v: m1.version }),
    ).submitMeasure;
    expect(s1).toMatchObject({ status: 'SUBMITTED', report: '已退还', evidence: ['退费凭证.pdf'] });
    expect(await notes(SUPERVISOR)).toContainEqual(
      expect.objectContaining({ kind: 'MEASURE_SUBMITTED', targetId: m1.id }),
    );
    expect(code(await gql(RECTIFIER, ACCEPT, { id: m1.id }))).toBe('FORBIDDEN');
    expect(code(await gql(SUPERVISOR, REJECT, { id: m1.id, r: '' }))).toBe('BAD_USER_INPUT');
    const r1 = data(await gql(SUPERVISOR, REJECT, { id: m1.id, r: '凭证不全' })).rejectMeasure;
    expect(r1).toMatchObject({ status: 'OPEN', rejectionReason: '凭证不全' });
    expect(await notes(RECTIFIER)).toContainEqual(
      expect.objectContaining({ kind: 'MEASURE_REJECTED', targetId: m1.id }),
    );
    data(await gql(RECTIFIER, SUBMIT, { id: m1.id, r: '补充凭证', e: ['a.pdf', 'b.pdf'] }));
    expect(data(await gql(SUPERVISOR, ACCEPT, { id: m1.id, n: '验收合格' })).acceptMeasure.status).toBe('ACCEPTED');

    // One measure still open: the leader's CLOSE is refused by the guard; others may not close at all.
    expect(code(await gql(LEADER, CLOSE, { id: p.id }))).toBe('INVALID_TRANSITION');
    data(await gql(RECTIFIER, SUBMIT, { id: m2.id, r: '制度已修订' }));
    data(await gql(SUPERVISOR, ACCEPT, { id: m2.id }));
    expect(code(await gql(SUPERVISOR, CLOSE, { id: p.id }))).toBe('FORBIDDEN');
    expect(code(await gql('wj-610302-leader', CLOSE, { id: p.id }))).toBe('FORBIDDEN');

    const closed = data(await gql(LEADER, CLOSE, { id: p.id, n: '整改到位' })).closeProblem;
    expect(closed.status).toBe('CLOSED');
    expect(closed.closedAt).toBeTruthy();
    const due = shanghaiDate(addMonths(new Date(closed.closedAt), 6));
    expect(closed.rechecks).toEqual([
      expect.objectContaining({ dueOn: due, manual: false, result: 'SCHEDULED', newHits: 0, recommendation: null }),
    ]);
    expect(closed.timeline.map((e: { event: string }) => e.event)).toEqual(['CREATE', 'CLOSE', 'SCHEDULE_RECHECK']);
    for (const user of [RECTIFIER, SUPERVISOR])
      expect(await notes(user)).toContainEqual(expect.objectContaining({ kind: 'PROBLEM_CLOSED', targetId: p.id }));

    // A second close is impossible: still one recheck.
    expect(code(await gql(LEADER, CLOSE, { id: p.id }))).toBe('INVALID_TRANSITION');
    const [{ n }] = await t.services.db.query('SELECT count(*)::int AS n FROM recheck WHERE problem_id = $1', [
      rowId(p.id),
    ]);
    expect(n).toBe(1);

    // A manual recheck: by the supervising department, not in the past.
    expect(code(await gql(SUPERVISOR, RECHECK, { id: p.id, d: dayOffset(-1) }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(RECTIFIER, RECHECK, { id: p.id, d: dayOffset(10) }))).toBe('FORBIDDEN');
    const manual = data(await gql(SUPERVISOR, RECHECK, { id: p.id, d: dayOffset(10) })).scheduleRecheck;
    expect(manual).toMatchObject({ dueOn: dayOffset(10), manual: true, result: 'SCHEDULED', problem: { id: p.id } });
    expect(data(await gql(SUPERVISOR, GET, { id: p.id })).problem.rechecks).toHaveLength(2);
  });

  it('a reopened then closed problem gets a new recheck', async () => {
    const p = await create({ measures: [{ description: '一项', deadline: dayOffset(5) }] });
    data(await gql(RECTIFIER, SUBMIT, { id: p.measures[0].id, r: '完成' }));
    data(await gql(SUPERVISOR, ACCEPT, { id: p.measures[0].id }));
    data(await gql(LEADER, CLOSE, { id: p.id }));
    // What the recheck runner does on a recurrence (REOPEN by the system), simulated here.
    await t.services.db.query(`UPDATE problem SET status = 'REOPENED', version = version + 1 WHERE id = $1`, [
      rowId(p.id),
    ]);
    const added = data(
      await gql(SUPERVISOR, ADD, { p: p.id, i: { description: '复发整改', deadline: dayOffset(20) } }),
    ).addMeasure;
    expect(added).toMatchObject({ status: 'OPEN', problem: { id: p.id } });
    data(await gql(RECTIFIER, SUBMIT, { id: added.id, r: '再次整改' }));
    data(await gql(SUPERVISOR, ACCEPT, { id: added.id }));
    const closed = data(await gql(LEADER, CLOSE, { id: p.id })).closeProblem;
    expect(closed.rechecks).toHaveLength(2);
  });

  it('flags overdue measures, filters by them, and the sweep reminds and notices once each', async () => {
    const p = await create({
      measures: [
        { description: '临期措施', deadline: dayOffset(1) },
        { description: '逾期措施', deadline: dayOffset(10) },
      ],
    });
    const [soon, late] = p.measures;
    // Move the second deadline into the past (never sleep).
    await t.services.db.query(`UPDATE rectification_measure SET deadline = $2 WHERE id = $1`, [
      rowId(late.id),
      dayOffset(-2),
    ]);
    const now = data(await gql(SUPERVISOR, GET, { id: p.id })).problem;
    expect(now.measures.map((m: { overdue: boolean }) => m.overdue)).toEqual([false, true]);
    const overdueIds = data(await gql(SUPERVISOR, LIST, { f: { overdue: true } })).problems.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(overdueIds).toContain(p.id);
    const notOverdue = data(await gql(SUPERVISOR, LIST, { f: { overdue: false } })).problems.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(notOverdue).not.toContain(p.id);

    // (A worker's deadline sweep may run concurrently: the outcome, not who did it, is checked.)
    await markOverdueMeasures(t.services);
    await markOverdueMeasures(t.services);
    await remindMeasureDeadlines(t.services);
    await remindMeasureDeadlines(t.services);
    const stamps = async (id: string) =>
      (
        await t.services.db.query(
          'SELECT reminded_at IS NOT NULL AS reminded, overdue_at IS NOT NULL AS overdue FROM rectification_measure WHERE id = $1',
          [rowId(id)],
        )
      )[0];
    expect(await stamps(soon.id)).toEqual({ reminded: true, overdue: false });
    expect(await stamps(late.id)).toEqual({ reminded: false, overdue: true });

    const mine = await notes(RECTIFIER);
    expect(mine.filter((x: { kind: string; targetId: string }) => x.targetId === late.id)).toEqual([
      expect.objectContaining({ kind: 'MEASURE_OVERDUE' }),
    ]);
    expect(mine.filter((x: { kind: string; targetId: string }) => x.targetId === soon.id)).toEqual([
      expect.objectContaining({ kind: 'MEASURE_REMINDER' }),
    ]);
    const events = await t.services.db.query(
      `SELECT event FROM state_change WHERE entity_type = 'RectificationMeasure' AND entity_id = ANY($1::uuid[]) ORDER BY id`,
      [[rowId(soon.id), rowId(late.id)]],
    );
    expect(events.map((e: { event: string }) => e.event).sort()).toEqual(['ADD', 'ADD', 'MARK_OVERDUE', 'REMIND']);
    // A measure far from its deadline is not reminded.
    const far = await create({ measures: [{ description: '远期', deadline: dayOffset(25) }] });
    await remindMeasureDeadlines(t.services);
    expect(await stamps(far.measures[0].id)).toEqual({ reminded: false, overdue: false });
  });

  it('the maintenance deadline-sweep job runs the measures step', async () => {
    const p = await create({ measures: [{ description: '任务逾期', deadline: dayOffset(3) }] });
    await t.services.db.query(`UPDATE rectification_measure SET deadline = $2 WHERE id = $1`, [
      rowId(p.measures[0].id),
      dayOffset(-1),
    ]);
    const result = (await maintenanceQueue.process(t.services, { name: MAINTENANCE_JOBS.deadlineSweep } as Job)) as {
      measures: { overdue: number; reminded: number };
    };
    expect(result.measures.overdue).toBeGreaterThanOrEqual(1);
    const [row] = await t.services.db.query(
      'SELECT overdue_at IS NOT NULL AS flagged FROM rectification_measure WHERE id = $1',
      [rowId(p.measures[0].id)],
    );
    expect(row.flagged).toBe(true);
  });

  it('is seen by the responsible and supervising departments, same-kind departments above, and 纪委 in jurisdiction only', async () => {
    const p = await create();
    for (const user of [
      SUPERVISOR,
      RECTIFIER,
      'yb-610300-investigator',
      'wj-610300-leader',
      'jw-610300-leader',
      'jw-610302-investigator',
    ])
      expect(data(await gql(user, GET, { id: p.id })).problem?.id).toBe(p.id);
    for (const user of ['yb-610303-investigator', 'ga-610302-investigator', 'jw-610303-leader', 'yb-610302-admin'])
      expect(data(await gql(user, GET, { id: p.id })).problem).toBeNull();
    const seen = data(await gql('jw-610300-leader', LIST, { f: { regionCode: '610302', source: 'AUDIT' } })).problems;
    expect(seen.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(p.id);
    const elsewhere = data(await gql('jw-610300-leader', LIST, { f: { regionCode: '610303' } })).problems;
    expect(elsewhere.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(p.id);
  });
});
