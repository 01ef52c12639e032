/**
 * The clue (线索) workflow through GraphQL: routed → 初核 → 属实/不属实 → 办结, with the
 * timeline, allowedEvents, optimistic locking, registration checks, the clues connection and
 * the audit entries (PRODUCT.md §5 "Clue", §6, §7).
 */
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, routedClue, rowId, seedWorkflowFixtures, tokenSource } from '../support/workflow-fixtures';
import { AsUser, asUsers, code } from '../support/client';

const CLUE_FIELDS = `id code status version allowedEvents findings disposition recoveredAmount amountInvolved
  owner { id name } timeline { event from to note actor { username } }`;
const CLUE = `query($id: ID!) { clue(id: $id) { ${CLUE_FIELDS} } }`;
const START = `mutation($id: ID!, $v: Int) { startVerification(clueId: $id, expectedVersion: $v) { ${CLUE_FIELDS} } }`;
const CONCLUDE = `mutation($id: ID!, $s: Boolean!, $f: String!, $v: Int) {
  concludeVerification(clueId: $id, substantiated: $s, findings: $f, expectedVersion: $v) { ${CLUE_FIELDS} } }`;
const CLOSE = `mutation($id: ID!, $d: String!, $a: Money, $v: Int) {
  closeClue(clueId: $id, disposition: $d, recoveredAmount: $a, expectedVersion: $v) { ${CLUE_FIELDS} } }`;
const REGISTER = `mutation($i: RegisterClueInput!) { registerClue(input: $i) { id status source amountInvolved persons { personId } institution { code } } }`;
const LIST = `query($f: ClueFilter, $first: Int, $after: String) {
  clues(filter: $f, first: $first, after: $after) { totalCount edges { cursor node { id code } } pageInfo { hasNextPage endCursor } } }`;
const AUDIT = `query($t: String) { auditLog(targetId: $t, first: 100) { edges { node { action actor { username } detail } } } }`;

const OWNER = 'yb-610302-investigator';
const READER = 'jw-610302-investigator'; // 纪委 of the same county: reads everything there, changes nothing
const AUDITOR = 'jw-610000-leader';

const sorted = (xs: string[]) => [...xs].sort();

describe('clue workflow (线索)', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  let gql: AsUser;

  /** A clue routed to 医保 渭滨区 (the default rule), as its global id. */
  const routed = async (overrides: Parameters<typeof routedClue>[1] = {}) =>
    toGlobalId('Clue', await routedClue(t.services, overrides));

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = tokenSource(t.services);
    gql = asUsers(t, token);
  });
  afterAll(() => t.close());

  describe('lifecycle', () => {
    it('ASSIGNED → VERIFYING → SUBSTANTIATED → CLOSED with timeline, allowedEvents and exact money', async () => {
      const id = await routed();
      const assigned = (await gql(OWNER, CLUE, { id })).data.clue;
      expect(assigned).toMatchObject({
        status: 'ASSIGNED',
        version: 2,
        owner: { name: expect.stringContaining('渭滨区') },
      });
      expect(sorted(assigned.allowedEvents)).toEqual(['REQUEST_TRANSFER', 'START_VERIFICATION']);
      const reader = await gql(READER, CLUE, { id });
      expect(reader.data.clue).toMatchObject({ status: 'ASSIGNED', allowedEvents: [] });

      const started = await gql(OWNER, START, { id, v: 2 });
      expect(started.errors).toBeUndefined();
      expect(started.data.startVerification).toMatchObject({ status: 'VERIFYING', version: 3 });
      expect(sorted(started.data.startVerification.allowedEvents)).toEqual([
        'CONCLUDE_SUBSTANTIATED',
        'CONCLUDE_UNSUBSTANTIATED',
        'REQUEST_TRANSFER',
      ]);
      expect((await gql(READER, CLUE, { id })).data.clue.allowedEvents).toEqual([]);

      const concluded = await gql(OWNER, CONCLUDE, { id, s: true, f: '经核查, 存在超标准收费', v: 3 });
      expect(concluded.errors).toBeUndefined();
      expect(concluded.data.concludeVerification).toMatchObject({
        status: 'SUBSTANTIATED',
        version: 4,
        findings: '经核查, 存在超标准收费',
      });
      expect(sorted(concluded.data.concludeVerification.allowedEvents)).toEqual([
        'CLOSE',
        'OPEN_CASE',
        'REQUEST_TRANSFER',
      ]);
      expect((await gql(READER, CLUE, { id })).data.clue.allowedEvents).toEqual([]);

      const closed = await gql(OWNER, CLOSE, { id, d: '行政处理, 追回基金', a: '1234.56', v: 4 });
      expect(closed.errors).toBeUndefined();
      const clue = closed.data.closeClue;
      expect(clue).toMatchObject({
        status: 'CLOSED',
        version: 5,
        disposition: '行政处理, 追回基金',
        recoveredAmount: '1234.56',
        allowedEvents: [],
      });
      const [stored] = await t.services.db.query(
        'SELECT recovered_amount::text AS a, closed_at FROM clue WHERE id = $1',
        [rowId(id)],
      );
      expect(stored.a).toBe('1234.56');
      expect(stored.closed_at).toBeTruthy();
      expect(clue.timeline).toEqual([
        { event: 'REGISTER', from: null, to: 'NEW', note: null, actor: null },
        { event: 'ROUTE', from: 'NEW', to: 'ASSIGNED', note: null, actor: null },
        { event: 'START_VERIFICATION', from: 'ASSIGNED', to: 'VERIFYING', note: null, actor: { username: OWNER } },
        {
          event: 'CONCLUDE_SUBSTANTIATED',
          from: 'VERIFYING',
          to: 'SUBSTANTIATED',
          note: '经核查, 存在超标准收费',
          actor: { username: OWNER },
        },
        { event: 'CLOSE', from: 'SUBSTANTIATED', to: 'CLOSED', note: '行政处理, 追回基金', actor: { username: OWNER } },
      ]);
      expect((await gql(READER, CLUE, { id })).data.clue).toMatchObject({ status: 'CLOSED', allowedEvents: [] });
    });

    it('VERIFYING → UNSUBSTANTIATED → CLOSED without a recovered amount; large amounts stay exact', async () => {
      const id = await routed();
      expect((await gql('yb-610302-supervisor', START, { id })).data.startVerification.status).toBe('VERIFYING');
      const res = await gql('yb-610302-leader', CONCLUDE, { id, s: false, f: '举报不实' });
      expect(res.data.concludeVerification).toMatchObject({ status: 'UNSUBSTANTIATED', findings: '举报不实' });
      expect(res.data.concludeVerification.allowedEvents).toEqual(['CLOSE']);
      const closed = await gql(OWNER, CLOSE, { id, d: '予以了结' });
      expect(closed.data.closeClue).toMatchObject({ status: 'CLOSED', recoveredAmount: null });
      expect(closed.data.closeClue.timeline.map((e: { event: string }) => e.event)).toEqual([
        'REGISTER',
        'ROUTE',
        'START_VERIFICATION',
        'CONCLUDE_UNSUBSTANTIATED',
        'CLOSE',
      ]);

      const big = await routed();
      await gql(OWNER, START, { id: big });
      await gql(OWNER, CONCLUDE, { id: big, s: true, f: '属实' });
      const exact = await gql(OWNER, CLOSE, { id: big, d: '追回', a: '999999999999.99' });
      expect(exact.data.closeClue.recoveredAmount).toBe('999999999999.99');
    });

    it('refuses empty findings and dispositions and negative recovered amounts (BAD_USER_INPUT)', async () => {
      const id = await routed();
      await gql(OWNER, START, { id });
      expect(code(await gql(OWNER, CONCLUDE, { id, s: true, f: '  ' }))).toBe('BAD_USER_INPUT');
      await gql(OWNER, CONCLUDE, { id, s: true, f: '属实' });
      expect(code(await gql(OWNER, CLOSE, { id, d: '' }))).toBe('BAD_USER_INPUT');
      expect(code(await gql(OWNER, CLOSE, { id, d: '追回', a: '-1.00' }))).toBe('BAD_USER_INPUT');
      expect((await gql(OWNER, CLUE, { id })).data.clue.status).toBe('SUBSTANTIATED');
    });

    it('the 纪委 reader and a non-case-worker of the owner are FORBIDDEN (and audited as denied)', async () => {
      const id = await routed();
      for (const user of [READER, 'yb-610302-analyst', 'yb-610300-leader']) {
        const res = await gql(user, START, { id });
        expect({ user, code: code(res) }).toEqual({ user, code: 'FORBIDDEN' });
      }
      const denied = await t.services.db.query(
        `SELECT u.username FROM audit_log a JOIN app_user u ON u.id = a.actor_id
         WHERE a.action = 'denied' AND a.detail->>'field' = 'Mutation.startVerification' AND a.detail->'args'->>'clueId' = $1`,
        [id],
      );
      expect(sorted(denied.map((d: { username: string }) => d.username))).toEqual(
        sorted([READER, 'yb-610302-analyst', 'yb-610300-leader']),
      );
      expect((await gql(OWNER, CLUE, { id })).data.clue).toMatchObject({ status: 'ASSIGNED', version: 2 });
    });
  });

  describe('illegal transitions and optimistic locking', () => {
    it('INVALID_TRANSITION names the current state', async () => {
      const id = await routed();
      await gql(OWNER, START, { id });
      const again = await gql(OWNER, START, { id });
      expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'VERIFYING' });
      expect(again.errors?.[0]?.message).toContain('VERIFYING');
      const close = await gql(OWNER, CLOSE, { id, d: '办结' });
      expect(close.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'VERIFYING' });
    });

    it('VERSION_CONFLICT on a stale expectedVersion, and nothing changes', async () => {
      const id = await routed();
      const res = await gql(OWNER, START, { id, v: 1 });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 2 });
      const clue = (await gql(OWNER, CLUE, { id })).data.clue;
      expect(clue).toMatchObject({ status: 'ASSIGNED', version: 2 });
      expect(clue.timeline.map((e: { event: string }) => e.event)).toEqual(['REGISTER', 'ROUTE']);
    });

    it('10 simultaneous startVerification with the same version: exactly one wins', async () => {
      const id = await routed();
      const tokenOf = await token(OWNER);
      const results = await Promise.all(Array.from({ length: 10 }, () => t.gql(START, { id, v: 2 }, tokenOf)));
      const won = results.filter((r) => !r.errors);
      expect(won).toHaveLength(1);
      for (const lost of results.filter((r) => r.errors)) {
        expect(['VERSION_CONFLICT', 'INVALID_TRANSITION']).toContain(code(lost));
      }
      const clue = (await gql(OWNER, CLUE, { id })).data.clue;
      expect(clue).toMatchObject({ status: 'VERIFYING', version: 3 });
      expect(clue.timeline.filter((e: { event: string }) => e.event === 'START_VERIFICATION')).toHaveLength(1);
      const [{ n }] = await t.services.db.query(
        `SELECT count(*)::int AS n FROM audit_log WHERE action = 'Clue.START_VERIFICATION' AND target_id = $1`,
        [id],
      );
      expect(n).toBe(1);
    });
  });

  describe('registerClue', () => {
    const input = (overrides: Record<string, unknown> = {}) => ({
      title: '信访举报: 虚记药品',
      source: 'PETITION',
      description: '群众来信',
      institutionCode: 'H610302001',
      personIds: ['P2'],
      amountInvolved: '880.10',
      ...overrides,
    });

    it('registers a NEW clue with its institution, persons and exact amount, audited', async () => {
      const res = await gql(OWNER, REGISTER, { i: input() });
      expect(res.errors).toBeUndefined();
      expect(res.data.registerClue).toMatchObject({
        status: 'NEW',
        source: 'PETITION',
        amountInvolved: '880.10',
        persons: [{ personId: 'P2' }],
        institution: { code: 'H610302001' },
      });
      const audit = await gql(AUDITOR, AUDIT, { t: res.data.registerClue.id });
      expect(audit.errors).toBeUndefined();
      const actions = audit.data.auditLog.edges.map(
        (e: { node: { action: string; actor: { username: string } | null } }) => [
          e.node.action,
          e.node.actor?.username,
        ],
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          ['Clue.REGISTER', OWNER],
          ['mutation.registerClue', OWNER],
        ]),
      );
    });

    it.each([
      ['a system source (DATA_COLLISION)', { source: 'DATA_COLLISION' }, /DATA_COLLISION|system/],
      ['an unknown institution', { institutionCode: 'H999999999' }, /H999999999/],
      ['an unknown person', { personIds: ['P2', 'P404'] }, /P404/],
      ['a negative amount', { amountInvolved: '-5.00' }, /negative|amount|Money/i],
      ['an empty title', { title: '  ' }, /title/],
    ])('refuses %s with BAD_USER_INPUT', async (_what, overrides, message) => {
      const before = await t.services.db.query('SELECT count(*)::int AS n FROM clue');
      const res = await gql(OWNER, REGISTER, { i: input(overrides) });
      expect(code(res)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(await t.services.db.query('SELECT count(*)::int AS n FROM clue')).toEqual(before);
    });

    it('is for case workers only: an analyst is FORBIDDEN', async () => {
      expect(code(await gql('yb-610302-analyst', REGISTER, { i: input() }))).toBe('FORBIDDEN');
    });
  });

  describe('the clues connection', () => {
    // 咸阳 (610400) data, read by the city 纪委 which sees everything in its jurisdiction.
    const VIEWER = 'jw-610400-investigator';
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      await t.services.db.query(
        `INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES ('H610404001', '渭城区医院', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610404')`,
      );
      const make = async (name: string, overrides: Parameters<typeof routedClue>[1], createdAt: string) => {
        const id = await routedClue(t.services, {
          institutionCode: 'Y610402001',
          regionCode: '610402',
          title: name,
          ...overrides,
        });
        await t.services.db.query('UPDATE clue SET created_at = $2 WHERE id = $1', [id, createdAt]);
        ids[name] = toGlobalId('Clue', id);
      };
      await make('a', { model: 'OVER_PRICE', amountInvolved: '1000.00' }, '2025-03-01T12:00:00+08:00');
      await make('b', { model: 'DAILY_QUANTITY_EXCESS', amountInvolved: '2000.00' }, '2025-03-15T00:10:00+08:00');
      await make('c', { model: 'BED_HANGING', amountInvolved: '3000.00' }, '2025-04-01T23:50:00+08:00');
      await make('d', { model: 'OVER_PRICE', amountInvolved: '40000.00' }, '2025-04-15T12:00:00+08:00');
      await make(
        'e',
        { model: 'OVER_PRICE', amountInvolved: '1500.00', institutionCode: 'H610404001', regionCode: '610404' },
        '2025-05-01T12:00:00+08:00',
      );
      // Six clues created at the very same moment: the order must still be total and stable.
      for (const n of [1, 2, 3, 4, 5, 6]) {
        await make(
          `tie${n}`,
          { model: 'PEER_OUTLIER', amountInvolved: '10.00', institutionCode: 'H610404001', regionCode: '610404' },
          '2025-06-01T12:00:00+08:00',
        );
      }
      // b is being verified by its owner, 医保 秦都区.
      expect((await gql('yb-610402-investigator', START, { id: ids.b })).errors).toBeUndefined();
    });

    const names = async (filter: Record<string, unknown>, username = VIEWER) => {
      const res = await gql(username, LIST, { f: filter, first: 100 });
      expect(res.errors).toBeUndefined();
      const byId = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
      const found = res.data.clues.edges.map((e: { node: { id: string } }) => byId[e.node.id] ?? `other:${e.node.id}`);
      expect(res.data.clues.totalCount).toBe(found.length);
      return sorted(found);
    };

    it('filters by status, model, owner department, region, institution, amount and creation date', async () => {
      const ties = ['tie1', 'tie2', 'tie3', 'tie4', 'tie5', 'tie6'];
      expect(await names({})).toEqual(sorted(['a', 'b', 'c', 'd', 'e', ...ties]));
      expect(await names({ status: ['VERIFYING'] })).toEqual(['b']);
      expect(await names({ status: ['VERIFYING', 'ASSIGNED'], model: 'OVER_PRICE' })).toEqual(['a', 'd', 'e']);
      expect(await names({ model: 'BED_HANGING' })).toEqual(['c']);
      const health = toGlobalId('Department', await departmentIdOf(t.services, 'HEALTH', '610402'));
      const police = toGlobalId('Department', await departmentIdOf(t.services, 'PUBLIC_SECURITY', '610402'));
      expect(await names({ ownerDepartmentId: health })).toEqual(['c']);
      expect(await names({ ownerDepartmentId: police })).toEqual(['d']);
      expect(await names({ regionCode: '610404' })).toEqual(sorted(['e', ...ties]));
      expect(await names({ regionCode: '610400' })).toHaveLength(11);
      expect(await names({ institutionCode: 'Y610402001' })).toEqual(['a', 'b', 'c', 'd']);
      expect(await names({ minAmount: '2000.00' })).toEqual(['b', 'c', 'd']);
      expect(await names({ minAmount: '1999.99', institutionCode: 'Y610402001', model: 'OVER_PRICE' })).toEqual(['d']);
      // Calendar days in Asia/Shanghai, both ends inclusive.
      expect(await names({ createdFrom: '2025-03-15', createdTo: '2025-04-01' })).toEqual(['b', 'c']);
      expect(await names({ createdFrom: '2025-04-02' })).toEqual(sorted(['d', 'e', ...ties]));
      expect(await names({ createdTo: '2025-03-14' })).toEqual(['a']);
      // Filters never widen visibility: 医保 of the city sees its own kind only.
      expect(await names({}, 'yb-610400-investigator')).toEqual(sorted(['a', 'b', 'e', ...ties]));
    });

    it('pages with cursors in a stable order, without duplicates or gaps', async () => {
      const all = await gql(VIEWER, LIST, { first: 100 });
      const expectedOrder = all.data.clues.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(expectedOrder).toHaveLength(11);
      // Newest first.
      expect(expectedOrder[expectedOrder.length - 1]).toBe(ids.a);
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 10; page++) {
        const page3: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = (
          await gql(VIEWER, LIST, { first: 3, after })
        ).data.clues;
        expect(page3.edges.length).toBeLessThanOrEqual(3);
        seen.push(...page3.edges.map((e) => e.node.id));
        if (!page3.pageInfo.hasNextPage) break;
        after = page3.pageInfo.endCursor;
      }
      expect(seen).toEqual(expectedOrder);
      expect(new Set(seen).size).toBe(seen.length);
      // The same order twice.
      expect(
        (await gql(VIEWER, LIST, { first: 100 })).data.clues.edges.map((e: { node: { id: string } }) => e.node.id),
      ).toEqual(expectedOrder);
    });

    it('first defaults to 20, is clamped above the cap and must not be negative', async () => {
      await t.services.db.query(
        `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id)
         SELECT 'XS-BULK-' || g, '批量线索' || g, 'INSPECTION', 'ASSIGNED', '611002', 1, d.id
         FROM generate_series(1, 130) g, department d WHERE d.kind = 'MEDICAL_INSURANCE' AND d.region_code = '611002'`,
      );
      const reader = 'yb-611000-investigator';
      const byDefault = await gql(reader, LIST, {});
      expect(byDefault.data.clues).toMatchObject({ totalCount: 130, pageInfo: { hasNextPage: true } });
      expect(byDefault.data.clues.edges).toHaveLength(20);
      const clamped = await gql(reader, LIST, { first: 5000 });
      expect(clamped.errors).toBeUndefined();
      expect(clamped.data.clues.edges).toHaveLength(t.config.limits.maxPageSize);
      expect(clamped.data.clues.pageInfo.hasNextPage).toBe(true);
      expect(code(await gql(reader, LIST, { first: -1 }))).toBe('BAD_USER_INPUT');
    });

    it('node(id) returns the clue when visible and null otherwise', async () => {
      const NODE = `query($id: ID!) { node(id: $id) { __typename id ... on Clue { code } } }`;
      expect((await gql(VIEWER, NODE, { id: ids.a })).data.node).toMatchObject({ __typename: 'Clue', id: ids.a });
      const hidden = await gql(OWNER, NODE, { id: ids.a });
      expect(hidden.errors).toBeUndefined();
      expect(hidden.data.node).toBeNull();
      expect((await gql(OWNER, CLUE, { id: ids.a })).data.clue).toBeNull();
      // Police of 咸阳 see the clue routed to them, not the others.
      expect((await gql('ga-610402-investigator', NODE, { id: ids.d })).data.node).toMatchObject({
        __typename: 'Clue',
      });
      expect((await gql('ga-610402-investigator', NODE, { id: ids.a })).data.node).toBeNull();
      expect((await gql('ga-610400-leader', NODE, { id: ids.a })).data.node).toBeNull();
    });
  });

  describe('audit', () => {
    it('every mutation leaves its mutation entry and its transition entry, with actor and versions', async () => {
      const id = await routed();
      await gql(OWNER, START, { id, v: 2 });
      await gql(OWNER, CONCLUDE, { id, s: false, f: '不属实' });
      await gql(OWNER, CLOSE, { id, d: '了结' });
      const res = await gql(AUDITOR, AUDIT, { t: id });
      expect(res.errors).toBeUndefined();
      const entries: { action: string; actor: { username: string } | null; detail: Record<string, unknown> }[] =
        res.data.auditLog.edges.map((e: { node: unknown }) => e.node);
      const pairs = entries.map((e) => `${e.action}:${e.actor?.username ?? 'system'}`);
      expect(sorted(pairs)).toEqual(
        sorted([
          'Clue.ROUTE:system',
          'Clue.START_VERIFICATION:' + OWNER,
          'mutation.startVerification:' + OWNER,
          'Clue.CONCLUDE_UNSUBSTANTIATED:' + OWNER,
          'mutation.concludeVerification:' + OWNER,
          'Clue.CLOSE:' + OWNER,
          'mutation.closeClue:' + OWNER,
        ]),
      );
      expect(entries.find((e) => e.action === 'Clue.CLOSE')?.detail).toMatchObject({
        from: 'UNSUBSTANTIATED',
        to: 'CLOSED',
        version: 5,
      });
      const chain = await gql(AUDITOR, '{ verifyAuditChain { valid } }');
      expect(chain.data.verifyAuditChain.valid).toBe(true);
    });
  });
});
