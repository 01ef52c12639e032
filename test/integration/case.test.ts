import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { toGlobalId } from '../../src/core/ids';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { AsUser, asUsers, code } from '../support/client';

const CASE_FIELDS = `id code title status version regionCode noActionDecision allowedEvents
  owner { name } leadInvestigator { username }
  clues { id status }
  sanctions { id kind amount note person { personId } institution { code } }
  rectifications { id description status deadline completedAt note ownerDepartment { name } }
  relations { kind case { id code } }
  timeline { event from to note actor { username } }`;

const OPEN = `mutation($i: OpenCaseInput!) { openCase(input: $i) { ${CASE_FIELDS} } }`;
const TRANSITION = `mutation($id: ID!, $e: CaseEvent!, $n: String, $v: Int, $d: String) {
  transitionCase(caseId: $id, event: $e, note: $n, expectedVersion: $v, noActionDecision: $d) { ${CASE_FIELDS} } }`;
const ADD_SANCTION =
  'mutation($i: AddSanctionInput!) { addSanction(input: $i) { id kind amount note person { personId } institution { code } } }';
const ADD_RECTIFICATION =
  'mutation($i: AddRectificationInput!) { addRectification(input: $i) { id description status deadline ownerDepartment { name } } }';
const COMPLETE_RECTIFICATION =
  'mutation($id: ID!, $n: String!) { completeRectification(id: $id, note: $n) { id status completedAt note } }';
const CASE = `query($id: ID!) { case(id: $id) { ${CASE_FIELDS} } }`;

describe('cases (案件)', () => {
  let t: TestApi;
  let clueSeq = 0;

  let gql: AsUser;
  const departmentId = async (kind: string, region: string): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [kind, region]))[0].id;

  /** A clue in the given state, owned by the department, inserted directly (no routing). */
  async function clue(owner: { kind: string; region: string }, status = 'SUBSTANTIATED'): Promise<string> {
    clueSeq += 1;
    const [row] = await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, owner_department_id, institution_code, amount_involved)
       VALUES ($1, $2, 'INSPECTION', $3, $4, $5, 'H6103020001', '5000.00') RETURNING id`,
      [`XS-TEST-${clueSeq}`, `线索${clueSeq}`, status, owner.region, await departmentId(owner.kind, owner.region)],
    );
    return toGlobalId('Clue', row.id);
  }

  const YB_WEIBIN = { kind: 'MEDICAL_INSURANCE', region: '610302' };
  const INVESTIGATOR = 'yb-610302-investigator';

  async function openCase(title = '某医院违规使用医保基金案', clueIds?: string[]) {
    const res = await gql(INVESTIGATOR, OPEN, { i: { clueIds: clueIds ?? [await clue(YB_WEIBIN)], title } });
    expect(res.errors).toBeUndefined();
    return res.data.openCase;
  }

  async function transition(
    id: string,
    event: string,
    extra: { v?: number; d?: string; n?: string } = {},
    user = INVESTIGATOR,
  ) {
    return gql(user, TRANSITION, { id, e: event, ...extra });
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    gql = asUsers(t);
    await t.services.db.query(
      `INSERT INTO institution (code, name, kind, level, ownership, region_code)
       VALUES ('H6103020001', '渭滨区某民营医院', 'HOSPITAL', 'SECONDARY', 'PRIVATE', '610302')`,
    );
    await t.services.db.query(
      `INSERT INTO person (person_id, name, region_code) VALUES ('P610302001', '张某', '610302')`,
    );
  });
  afterAll(() => t.close());

  describe('filing (立案)', () => {
    it('files a case from substantiated clues: code AJ<year>-<6 digits>, FILED, clues CASE_OPENED, region of the first clue', async () => {
      const me = (await gql(INVESTIGATOR, '{ me { id } }')).data.me.id;
      const clues = [await clue(YB_WEIBIN), await clue(YB_WEIBIN)];
      const res = await gql(INVESTIGATOR, OPEN, {
        i: { clueIds: clues, title: '两条线索并案', leadInvestigatorId: me },
      });
      expect(res.errors).toBeUndefined();
      const filed = res.data.openCase;
      expect(filed.code).toMatch(new RegExp(`^AJ${new Date().getFullYear()}-\\d{6}$`));
      expect(filed).toMatchObject({
        status: 'FILED',
        version: 1,
        regionCode: '610302',
        owner: { name: '渭滨区医疗保障局' },
        leadInvestigator: { username: INVESTIGATOR },
        allowedEvents: ['START_INVESTIGATION'],
      });
      expect(filed.clues.map((c: { id: string }) => c.id).sort()).toEqual([...clues].sort());
      expect(filed.clues.every((c: { status: string }) => c.status === 'CASE_OPENED')).toBe(true);
      expect(filed.timeline).toEqual([
        { event: 'FILE', from: null, to: 'FILED', note: '两条线索并案', actor: { username: INVESTIGATOR } },
      ]);
      const clueTimeline = await gql(INVESTIGATOR, 'query($id: ID!) { clue(id: $id) { timeline { event from to } } }', {
        id: clues[0],
      });
      expect(clueTimeline.data.clue.timeline).toContainEqual({
        event: 'OPEN_CASE',
        from: 'SUBSTANTIATED',
        to: 'CASE_OPENED',
      });
    });

    it('refuses clues that are not substantiated (INVALID_TRANSITION), not visible (NOT_FOUND) or not owned (FORBIDDEN)', async () => {
      const verifying = await clue(YB_WEIBIN, 'VERIFYING');
      const res = await gql(INVESTIGATOR, OPEN, { i: { clueIds: [verifying], title: 'x' } });
      expect(code(res)).toBe('INVALID_TRANSITION');
      expect(res.errors?.[0]?.message).toContain('VERIFYING');

      const elsewhere = await clue({ kind: 'MEDICAL_INSURANCE', region: '610303' });
      expect(code(await gql(INVESTIGATOR, OPEN, { i: { clueIds: [elsewhere], title: 'x' } }))).toBe('NOT_FOUND');

      // The city 医保 sees the county's clue but does not own it.
      const county = await clue(YB_WEIBIN);
      const city = await gql('yb-610300-investigator', OPEN, { i: { clueIds: [county], title: 'x' } });
      expect(code(city)).toBe('FORBIDDEN');

      const nothingFiled = await t.services.db.query(`SELECT count(*)::int AS n FROM "case" WHERE title = 'x'`);
      expect(nothingFiled[0].n).toBe(0);
    });

    it('needs a lead investigator of the owning department', async () => {
      const other = (await gql('yb-610303-investigator', '{ me { id } }')).data.me.id;
      const res = await gql(INVESTIGATOR, OPEN, {
        i: { clueIds: [await clue(YB_WEIBIN)], title: 'x', leadInvestigatorId: other },
      });
      expect(code(res)).toBe('BAD_USER_INPUT');
    });
  });

  describe('workflow', () => {
    it('runs the whole lifecycle FILED → INVESTIGATING → REVIEWING → DECIDED → RECTIFYING → CLOSED', async () => {
      const filed = await openCase();
      const id = filed.id;
      expect((await transition(id, 'START_INVESTIGATION')).data.transitionCase).toMatchObject({
        status: 'INVESTIGATING',
        version: 2,
        allowedEvents: ['SUBMIT_FOR_REVIEW'],
      });
      const sanction = await gql(INVESTIGATOR, ADD_SANCTION, {
        i: {
          caseId: id,
          kind: 'FUND_RECOVERY',
          institutionCode: 'H6103020001',
          amount: '1234.50',
          note: '追回违规费用',
        },
      });
      expect(sanction.errors).toBeUndefined();
      expect((await transition(id, 'SUBMIT_FOR_REVIEW')).data.transitionCase.status).toBe('REVIEWING');
      const decided = (await transition(id, 'DECIDE', { n: '作出行政处理决定' })).data.transitionCase;
      expect(decided).toMatchObject({ status: 'DECIDED' });
      expect(decided.allowedEvents.sort()).toEqual(['CLOSE', 'START_RECTIFICATION']);

      const rectification = await gql(INVESTIGATOR, ADD_RECTIFICATION, {
        i: {
          caseId: id,
          description: '完善住院病历管理制度',
          ownerDepartmentId: toGlobalId('Department', await departmentId('HEALTH', '610302')),
          deadline: '2099-12-31',
        },
      });
      expect(rectification.errors).toBeUndefined();
      expect(rectification.data.addRectification).toMatchObject({
        status: 'OPEN',
        deadline: '2099-12-31',
        ownerDepartment: { name: '渭滨区卫生健康委员会' },
      });
      expect((await transition(id, 'START_RECTIFICATION')).data.transitionCase.status).toBe('RECTIFYING');

      const refused = await transition(id, 'CLOSE');
      expect(code(refused)).toBe('INVALID_TRANSITION');
      expect(refused.errors?.[0]?.message).toMatch(/1 rectification item\(s\) are not done/);

      // The rectifying department (卫健) completes its item, though it cannot see the case itself.
      const done = await gql('wj-610302-investigator', COMPLETE_RECTIFICATION, {
        id: rectification.data.addRectification.id,
        n: '已整改到位',
      });
      expect(done.errors).toBeUndefined();
      expect(done.data.completeRectification).toMatchObject({ status: 'DONE', note: '已整改到位' });
      expect(done.data.completeRectification.completedAt).toBeTruthy();
      expect((await gql('wj-610302-investigator', CASE, { id })).data.case).toBeNull();
      const again = await gql(INVESTIGATOR, COMPLETE_RECTIFICATION, {
        id: rectification.data.addRectification.id,
        n: '再次',
      });
      expect(code(again)).toBe('INVALID_TRANSITION');

      const closed = (await transition(id, 'CLOSE', { n: '结案' })).data.transitionCase;
      expect(closed).toMatchObject({ status: 'CLOSED', version: 9, allowedEvents: [] });
      expect(closed.sanctions).toEqual([
        {
          id: sanction.data.addSanction.id,
          kind: 'FUND_RECOVERY',
          amount: '1234.50',
          note: '追回违规费用',
          person: null,
          institution: { code: 'H6103020001' },
        },
      ]);
      expect(closed.timeline.map((e: { event: string }) => e.event)).toEqual([
        'FILE',
        'START_INVESTIGATION',
        'ADD_SANCTION',
        'SUBMIT_FOR_REVIEW',
        'DECIDE',
        'ADD_RECTIFICATION',
        'START_RECTIFICATION',
        'COMPLETE_RECTIFICATION',
        'CLOSE',
      ]);
      const [row] = await t.services.db.query('SELECT closed_at FROM "case" WHERE code = $1', [closed.code]);
      expect(row.closed_at).not.toBeNull();
      const audited = await t.services.db.query(
        `SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'Case.%' ORDER BY id`,
        [id],
      );
      expect(audited.map((a: { action: string }) => a.action)).toEqual([
        'Case.FILE',
        'Case.START_INVESTIGATION',
        'Case.ADD_SANCTION',
        'Case.SUBMIT_FOR_REVIEW',
        'Case.DECIDE',
        'Case.ADD_RECTIFICATION',
        'Case.START_RECTIFICATION',
        'Case.COMPLETE_RECTIFICATION',
        'Case.CLOSE',
      ]);
    });

    it('DECIDE needs a sanction or a recorded no-action decision; DECIDED closes directly without rectification', async () => {
      const { id } = await openCase('不予处理的案件');
      await transition(id, 'START_INVESTIGATION');
      await transition(id, 'SUBMIT_FOR_REVIEW');
      const refused = await transition(id, 'DECIDE');
      expect(code(refused)).toBe('INVALID_TRANSITION');
      expect(refused.errors?.[0]?.message).toMatch(/at least one sanction or a recorded no-action decision/);
      expect(code(await transition(id, 'START_INVESTIGATION', { d: '情节轻微' }))).toBe('BAD_USER_INPUT');

      const decided = await transition(id, 'DECIDE', { d: '情节轻微，不予处理' });
      expect(decided.errors).toBeUndefined();
      expect(decided.data.transitionCase).toMatchObject({ status: 'DECIDED', noActionDecision: '情节轻微，不予处理' });
      expect((await transition(id, 'CLOSE')).data.transitionCase.status).toBe('CLOSED');
    });

    it('an illegal transition is INVALID_TRANSITION naming the current state', async () => {
      const { id } = await openCase();
      const res = await transition(id, 'CLOSE');
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'FILED' });
      expect(res.errors?.[0]?.message).toContain('FILED');
    });

    it('a stale expectedVersion is VERSION_CONFLICT', async () => {
      const { id } = await openCase();
      expect((await transition(id, 'START_INVESTIGATION', { v: 1 })).errors).toBeUndefined();
      const stale = await transition(id, 'SUBMIT_FOR_REVIEW', { v: 1 });
      expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
    });

    it('of 10 simultaneous START_INVESTIGATION with the same version exactly one wins', async () => {
      const { id } = await openCase();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => transition(id, 'START_INVESTIGATION', { v: 1 })),
      );
      const won = results.filter((r) => !r.errors);
      expect(won).toHaveLength(1);
      for (const lost of results.filter((r) => r.errors)) {
        expect(['VERSION_CONFLICT', 'INVALID_TRANSITION']).toContain(code(lost));
      }
      const timeline = (await gql(INVESTIGATOR, CASE, { id })).data.case.timeline;
      expect(timeline.filter((e: { event: string }) => e.event === 'START_INVESTIGATION')).toHaveLength(1);
    });
  });

  describe('sanctions (处理处罚)', () => {
    /** A fresh case under investigation (INVESTIGATING takes sanctions), as its global id. */
    const investigatingCase = async (): Promise<string> => {
      const caseId = (await openCase('罚款案件')).id;
      await transition(caseId, 'START_INVESTIGATION');
      return caseId;
    };

    it('keeps money exact: "1234.50" round-trips, "1.005" is BAD_USER_INPUT', async () => {
      const caseId = await investigatingCase();
      const ok = await gql(INVESTIGATOR, ADD_SANCTION, {
        i: { caseId, kind: 'ADMINISTRATIVE_PENALTY', personId: 'P610302001', amount: '1234.50' },
      });
      expect(ok.errors).toBeUndefined();
      expect(ok.data.addSanction).toMatchObject({
        kind: 'ADMINISTRATIVE_PENALTY',
        amount: '1234.50',
        person: { personId: 'P610302001' },
      });
      const [stored] = await t.services.db.query(
        `SELECT amount::text FROM sanction WHERE kind = 'ADMINISTRATIVE_PENALTY'`,
      );
      expect(stored.amount).toBe('1234.50');
      const node = await gql(INVESTIGATOR, 'query($id: ID!) { node(id: $id) { ... on Sanction { amount } } }', {
        id: ok.data.addSanction.id,
      });
      expect(node.data.node.amount).toBe('1234.50');

      const inexact = await gql(INVESTIGATOR, ADD_SANCTION, {
        i: { caseId, kind: 'FUND_RECOVERY', personId: 'P610302001', amount: '1.005' },
      });
      expect(code(inexact)).toBe('BAD_USER_INPUT');
    });

    it('needs exactly one existing target, an amount for 罚款/追回, and a state that takes sanctions', async () => {
      const caseId = await investigatingCase();
      const codes = async (i: Record<string, unknown>, id = caseId) =>
        code(await gql(INVESTIGATOR, ADD_SANCTION, { i: { caseId: id, ...i } }));
      expect(await codes({ kind: 'INTERVIEW' })).toBe('BAD_USER_INPUT');
      expect(await codes({ kind: 'INTERVIEW', personId: 'P610302001', institutionCode: 'H6103020001' })).toBe(
        'BAD_USER_INPUT',
      );
      expect(await codes({ kind: 'INTERVIEW', personId: 'NOBODY' })).toBe('BAD_USER_INPUT');
      expect(await codes({ kind: 'FUND_RECOVERY', institutionCode: 'H6103020001' })).toBe('BAD_USER_INPUT');
      expect(await codes({ kind: 'FUND_RECOVERY', institutionCode: 'H6103020001', amount: '-1.00' })).toBe(
        'BAD_USER_INPUT',
      );
      expect(await codes({ kind: 'AGREEMENT_SUSPENSION', institutionCode: 'H6103020001' })).toBeUndefined();
      const filed = (await openCase()).id;
      expect(await codes({ kind: 'INTERVIEW', personId: 'P610302001' }, filed)).toBe('INVALID_TRANSITION');
      expect(await codes({ kind: 'INTERVIEW', personId: 'P610302001' }, caseId)).toBeUndefined();
      const byOthers = await gql('yb-610300-investigator', ADD_SANCTION, {
        i: { caseId, kind: 'INTERVIEW', personId: 'P610302001' },
      });
      expect(code(byOthers)).toBe('FORBIDDEN');
    });
  });

  describe('rectification items (整改事项)', () => {
    it('have an owner department and a deadline; only that department or the case owner completes them', async () => {
      const { id } = await openCase();
      await transition(id, 'START_INVESTIGATION');
      const early = await gql(INVESTIGATOR, ADD_RECTIFICATION, {
        i: {
          caseId: id,
          description: '整改',
          ownerDepartmentId: toGlobalId('Department', await departmentId('HEALTH', '610302')),
          deadline: '2099-01-01',
        },
      });
      expect(code(early)).toBe('INVALID_TRANSITION');
      await transition(id, 'SUBMIT_FOR_REVIEW');
      const past = await gql(INVESTIGATOR, ADD_RECTIFICATION, {
        i: {
          caseId: id,
          description: '整改',
          ownerDepartmentId: toGlobalId('Department', await departmentId('HEALTH', '610302')),
          deadline: '2001-01-01',
        },
      });
      expect(code(past)).toBe('BAD_USER_INPUT');
      const item = await gql(INVESTIGATOR, ADD_RECTIFICATION, {
        i: {
          caseId: id,
          description: '整改',
          ownerDepartmentId: toGlobalId('Department', await departmentId('HEALTH', '610302')),
          deadline: '2099-01-01',
        },
      });
      expect(item.errors).toBeUndefined();
      const itemId = item.data.addRectification.id;
      const stranger = await gql('wj-610303-investigator', COMPLETE_RECTIFICATION, { id: itemId, n: '完成' });
      expect(code(stranger)).toBe('NOT_FOUND');
      const reader = await gql('jw-610300-leader', COMPLETE_RECTIFICATION, { id: itemId, n: '完成' });
      expect(code(reader)).toBe('FORBIDDEN');
      const node = await gql(
        'wj-610302-investigator',
        'query($id: ID!) { node(id: $id) { ... on RectificationItem { status case { id } } } }',
        { id: itemId },
      );
      expect(node.data.node).toEqual({ status: 'OPEN', case: null });
      const byOwner = await gql(INVESTIGATOR, COMPLETE_RECTIFICATION, { id: itemId, n: '案件承办部门确认完成' });
      expect(byOwner.data.completeRectification.status).toBe('DONE');
    });
  });

  describe('links (关联案件, 一案双查)', () => {
    it('are stored both ways; the caller owns the first case and sees the second', async () => {
      const a = await openCase('医院违规案');
      const b = await openCase('监管失职失责案');
      const res = await gql(
        INVESTIGATOR,
        'mutation($a: ID!, $b: ID!) { linkCases(caseId: $a, otherCaseId: $b, kind: DUAL_INVESTIGATION) { relations { kind case { id } } } }',
        { a: a.id, b: b.id },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.linkCases.relations).toEqual([{ kind: 'DUAL_INVESTIGATION', case: { id: b.id } }]);
      const other = (await gql(INVESTIGATOR, CASE, { id: b.id })).data.case;
      expect(other.relations).toEqual([{ kind: 'DUAL_INVESTIGATION', case: { id: a.id, code: a.code } }]);
      expect(other.timeline.map((e: { event: string }) => e.event)).toContain('LINK');

      const self = await gql(
        INVESTIGATOR,
        'mutation($a: ID!) { linkCases(caseId: $a, otherCaseId: $a, kind: RELATED) { id } }',
        { a: a.id },
      );
      expect(code(self)).toBe('BAD_USER_INPUT');
      const notOwner = await gql(
        'yb-610300-investigator',
        'mutation($a: ID!, $b: ID!) { linkCases(caseId: $a, otherCaseId: $b, kind: RELATED) { id } }',
        { a: a.id, b: b.id },
      );
      expect(code(notOwner)).toBe('FORBIDDEN');
    });
  });

  describe('visibility and permissions', () => {
    let id: string;
    beforeAll(async () => {
      id = (await openCase('可见性测试案件')).id;
    });

    it('another county’s 医保 sees nothing: null, not in lists, NOT_FOUND on change', async () => {
      expect((await gql('yb-610303-investigator', CASE, { id })).data.case).toBeNull();
      expect(
        (await gql('yb-610303-investigator', 'query($id: ID!) { node(id: $id) { id } }', { id })).data.node,
      ).toBeNull();
      expect((await gql('yb-610303-investigator', '{ cases { totalCount } }')).data.cases.totalCount).toBe(0);
      expect(code(await transition(id, 'START_INVESTIGATION', {}, 'yb-610303-investigator'))).toBe('NOT_FOUND');
    });

    it('the city’s 纪委 reads but may not change (FORBIDDEN, audited as denied)', async () => {
      const read = (await gql('jw-610300-leader', CASE, { id })).data.case;
      expect(read).toMatchObject({ id, allowedEvents: [] });
      const res = await transition(id, 'START_INVESTIGATION', {}, 'jw-610300-leader');
      expect(code(res)).toBe('FORBIDDEN');
      const denied = await t.services.db.query(
        `SELECT a.detail FROM audit_log a JOIN app_user u ON u.id = a.actor_id
         WHERE a.action = 'denied' AND u.username = 'jw-610300-leader' AND a.detail->>'field' = 'Mutation.transitionCase'`,
      );
      expect(denied).toHaveLength(1);
      expect((await gql(INVESTIGATOR, CASE, { id })).data.case.status).toBe('FILED');
    });

    it('the city’s 医保 reads its counties’ cases', async () => {
      expect((await gql('yb-610300-investigator', CASE, { id })).data.case).toMatchObject({ id, allowedEvents: [] });
    });

    it('police and administrators see nothing', async () => {
      for (const user of ['ga-610302-investigator', 'ga-610300-leader', 'yb-610302-admin']) {
        expect((await gql(user, CASE, { id })).data.case).toBeNull();
        expect((await gql(user, '{ cases { totalCount } }')).data.cases.totalCount).toBe(0);
      }
    });

    it('lists with filters and stable cursors, newest first', async () => {
      const all = (await gql(INVESTIGATOR, '{ cases(first: 100) { totalCount edges { node { id status } } } }')).data
        .cases;
      expect(all.totalCount).toBeGreaterThan(5);
      expect(all.edges[0].node.id).toBe(id);
      const closed = (
        await gql(INVESTIGATOR, '{ cases(filter: { status: [CLOSED] }) { totalCount edges { node { status } } } }')
      ).data.cases;
      expect(closed.totalCount).toBe(2);
      const owner = toGlobalId('Department', await departmentId('MEDICAL_INSURANCE', '610302'));
      const byOwner = await gql(
        INVESTIGATOR,
        'query($o: ID) { cases(filter: { ownerDepartmentId: $o, regionCode: "610300" }) { totalCount } }',
        { o: owner },
      );
      expect(byOwner.data.cases.totalCount).toBe(all.totalCount);
      const elsewhere = await gql(INVESTIGATOR, '{ cases(filter: { regionCode: "610303" }) { totalCount } }');
      expect(elsewhere.data.cases.totalCount).toBe(0);
      const page1 = (
        await gql(INVESTIGATOR, '{ cases(first: 2) { edges { node { id } } pageInfo { endCursor hasNextPage } } }')
      ).data.cases;
      const page2 = (
        await gql(INVESTIGATOR, 'query($a: String) { cases(first: 2, after: $a) { edges { node { id } } } }', {
          a: page1.pageInfo.endCursor,
        })
      ).data.cases;
      expect(page1.pageInfo.hasNextPage).toBe(true);
      expect([...page1.edges, ...page2.edges].map((e: { node: { id: string } }) => e.node.id)).toEqual(
        all.edges.slice(0, 4).map((e: { node: { id: string } }) => e.node.id),
      );
    });
  });
});
