/**
 * User administration (issue 13 item 4, README "User administration"): ADMINs list the users of
 * their jurisdiction with filters, deactivate and reactivate them (a deactivated user's tokens
 * stop working at once), change roles and department, and reset a password, which forces a
 * change at the next login. Region settings and model parameters through GraphQL, same rules.
 */
import { toGlobalId } from '../../src/core/ids';
import { effectiveParameters } from '../../src/collision/parameters';
import { regionSettings } from '../../src/domain/reference/region-settings';
import { startTestApi, TestApi, TEST_PASSWORD } from '../support/harness';
import { asUsers, AsUser, code, data } from '../support/client';
import { departmentIdOf, seedWorkflowFixtures, tokenSource, userIdOf } from '../support/workflow-fixtures';

const USERS = `query($f: UserFilter, $first: Int, $after: String) {
  users(filter: $f, first: $first, after: $after) {
    totalCount edges { cursor node { id username roles active mustChangePassword department { id region { code } } } }
    pageInfo { hasNextPage endCursor }
  } }`;

describe('user administration', () => {
  let t: TestApi;
  let gql: AsUser;
  const userGid = async (username: string) => toGlobalId('User', await userIdOf(t.services, username));

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
  });
  afterAll(() => t.close());

  /** Every username of the users list as `admin` with filter `f`, paging by `first`. */
  async function allPages(admin: string, f: Record<string, unknown>, first: number): Promise<string[]> {
    const names: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = data(await gql(admin, USERS, { f, first, after })).users;
      names.push(...page.edges.map((e: any) => e.node.username));
      if (!page.pageInfo.hasNextPage) return names;
      after = page.pageInfo.endCursor;
    }
  }

  /** The expected usernames, from the table (newest first, then id). */
  async function expected(where: string, params: unknown[]): Promise<string[]> {
    const rows = await t.services.db.query(
      `SELECT u.username FROM app_user u JOIN department d ON d.id = u.department_id
       WHERE ${where} ORDER BY u.created_at DESC, u.id DESC`,
      params,
    );
    return rows.map((r: { username: string }) => r.username);
  }

  describe('users list', () => {
    it('is for ADMINs only, with the users of departments inside their jurisdiction', async () => {
      expect(code(await gql('yb-610300-leader', USERS))).toBe('FORBIDDEN');
      const names = await allPages('yb-610300-admin', {}, 100);
      expect(names).toEqual(await expected(`d.region_code LIKE '6103%'`, []));
      expect(names.length).toBeGreaterThan(20);
      const county = await allPages('wj-610302-admin', {}, 100);
      expect(county).toEqual(await expected(`d.region_code = '610302'`, []));
    });

    it('filters by role, kind, region, department, active and text, alone and combined, across pages', async () => {
      const admin = 'yb-610000-admin';
      const dept = await departmentIdOf(t.services, 'HEALTH', '610302');
      const cases: [Record<string, unknown>, string, unknown[]][] = [
        [{ role: 'LEADER' }, `'LEADER' = ANY(u.roles)`, []],
        [{ departmentKind: 'DISCIPLINE' }, `d.kind = 'DISCIPLINE'`, []],
        [{ regionCode: '610300' }, `d.region_code LIKE '6103%'`, []],
        [{ departmentId: toGlobalId('Department', dept) }, `d.id = $1`, [dept]],
        [{ active: true }, `u.active`, []],
        [{ search: 'GA-6104' }, `(u.username ILIKE '%ga-6104%' OR u.display_name ILIKE '%ga-6104%')`, []],
        [
          { role: 'INVESTIGATOR', regionCode: '610400', departmentKind: 'PUBLIC_SECURITY' },
          `'INVESTIGATOR' = ANY(u.roles) AND d.region_code LIKE '6104%' AND d.kind = 'PUBLIC_SECURITY'`,
          [],
        ],
      ];
      for (const [f, where, params] of cases) {
        const want = await expected(`d.region_code LIKE '61%' AND ${where}`, params);
        expect(want.length).toBeGreaterThan(0);
        expect({ f, names: await allPages(admin, f, 3) }).toEqual({ f, names: want });
      }
    });
  });

  describe('deactivation', () => {
    it("stops the user's tokens at once and refuses login; reactivation restores both", async () => {
      const victim = 'yb-610302-investigator';
      const token = await t.login(victim);
      expect((await t.gql('{ me { username } }', {}, token)).data.me.username).toBe(victim);

      const off = await gql('yb-610300-admin', 'mutation($id: ID!) { deactivateUser(userId: $id) { active } }', {
        id: await userGid(victim),
      });
      expect(data(off).deactivateUser.active).toBe(false);
      expect(code(await t.gql('{ me { username } }', {}, token))).toBe('UNAUTHENTICATED');
      expect(code(await t.gql('{ clues { totalCount } }', {}, token))).toBe('UNAUTHENTICATED');
      await expect(t.login(victim)).rejects.toThrow(/invalid username or password/);
      const listed = await allPages('yb-610300-admin', { active: false }, 10);
      expect(listed).toEqual([victim]);

      const on = await gql('yb-610300-admin', 'mutation($id: ID!) { reactivateUser(userId: $id) { active } }', {
        id: await userGid(victim),
      });
      expect(data(on).reactivateUser.active).toBe(true);
      expect((await t.gql('{ me { username } }', {}, token)).data.me.username).toBe(victim);
    });

    it('is FORBIDDEN to non-admins, NOT_FOUND outside the jurisdiction, and not of oneself', async () => {
      const mutation = 'mutation($id: ID!) { deactivateUser(userId: $id) { active } }';
      const id = await userGid('wj-610402-investigator');
      expect(code(await gql('wj-610400-leader', mutation, { id }))).toBe('FORBIDDEN');
      expect(code(await gql('wj-610300-admin', mutation, { id }))).toBe('NOT_FOUND');
      expect(code(await gql('wj-610302-admin', mutation, { id: await userGid('wj-610302-admin') }))).toBe('CONFLICT');
      const rows = await t.services.db.query(`SELECT active FROM app_user WHERE username = 'wj-610402-investigator'`);
      expect(rows).toEqual([{ active: true }]);
    });
  });

  describe('roles and department', () => {
    const UPDATE = 'mutation($i: UpdateUserInput!) { updateUser(input: $i) { roles department { id } displayName } }';

    it('changes roles (effective on the next request) and moves a user inside the jurisdiction', async () => {
      const who = 'jw-610303-analyst';
      const id = await userGid(who);
      const token = await tokenSource(t.services)(who);
      expect(
        code(
          await t.gql(
            '{ supervisionStats(regionCode: "610303", from: "2026-01-01", to: "2026-01-31") { cluesReceived } }',
            {},
            token,
          ),
        ),
      ).toBeUndefined();
      const res = data(await gql('jw-610300-admin', UPDATE, { i: { userId: id, roles: ['INVESTIGATOR'] } }));
      expect(res.updateUser.roles).toEqual(['INVESTIGATOR']);
      expect(
        code(
          await t.gql(
            '{ supervisionStats(regionCode: "610303", from: "2026-01-01", to: "2026-01-31") { cluesReceived } }',
            {},
            token,
          ),
        ),
      ).toBe('FORBIDDEN');

      const to = toGlobalId('Department', await departmentIdOf(t.services, 'DISCIPLINE', '610302'));
      const moved = data(
        await gql('jw-610300-admin', UPDATE, { i: { userId: id, departmentId: to, displayName: '调任' } }),
      );
      expect(moved.updateUser).toEqual({ roles: ['INVESTIGATOR'], department: { id: to }, displayName: '调任' });
      const me = data(await t.gql('{ me { department { id } } }', {}, token));
      expect(me.me.department.id).toBe(to);
    });

    it('refuses a department outside the jurisdiction, bad roles, and taking ADMIN from oneself', async () => {
      const id = await userGid('jw-610302-investigator');
      const far = toGlobalId('Department', await departmentIdOf(t.services, 'DISCIPLINE', '610402'));
      expect(code(await gql('jw-610300-admin', UPDATE, { i: { userId: id, departmentId: far } }))).toBe('FORBIDDEN');
      expect(code(await gql('jw-610300-admin', UPDATE, { i: { userId: id, roles: [] } }))).toBe('BAD_USER_INPUT');
      const self = await userGid('jw-610300-admin');
      expect(code(await gql('jw-610300-admin', UPDATE, { i: { userId: self, roles: ['LEADER'] } }))).toBe('CONFLICT');
      expect(code(await gql('jw-610300-leader', UPDATE, { i: { userId: id, roles: ['LEADER'] } }))).toBe('FORBIDDEN');
    });
  });

  describe('password reset', () => {
    it('forces a change at the next login: other operations answer PASSWORD_CHANGE_REQUIRED until changePassword', async () => {
      const who = 'ga-610302-investigator';
      const oldToken = await t.login(who);
      const temporary = 'temporary-pass-0001';
      const reset = await gql(
        'ga-610300-admin',
        'mutation($id: ID!, $p: String!) { resetPassword(userId: $id, newPassword: $p) { mustChangePassword } }',
        { id: await userGid(who), p: temporary },
      );
      expect(data(reset).resetPassword.mustChangePassword).toBe(true);
      // Tokens issued before the reset are held to the same rule at once.
      expect(code(await t.gql('{ clues { totalCount } }', {}, oldToken))).toBe('PASSWORD_CHANGE_REQUIRED');
      await expect(t.login(who)).rejects.toThrow(/invalid username or password/);

      const login = await t.gql(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token mustChangePassword user { mustChangePassword } } }',
        { u: who, p: temporary },
      );
      expect(data(login).login.mustChangePassword).toBe(true);
      const token = login.data.login.token;
      expect(code(await t.gql('{ clues { totalCount } }', {}, token))).toBe('PASSWORD_CHANGE_REQUIRED');
      expect(code(await t.gql('mutation { markNotificationsRead(all: true) }', {}, token))).toBe(
        'PASSWORD_CHANGE_REQUIRED',
      );
      expect(data(await t.gql('{ me { username mustChangePassword } }', {}, token)).me).toEqual({
        username: who,
        mustChangePassword: true,
      });

      const CHANGE =
        'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { mustChangePassword } }';
      expect(code(await t.gql(CHANGE, { c: 'wrong-password-000', n: 'my-own-password-01' }, token))).toBe(
        'BAD_USER_INPUT',
      );
      expect(code(await t.gql(CHANGE, { c: temporary, n: 'short' }, token))).toBe('BAD_USER_INPUT');
      expect(code(await t.gql(CHANGE, { c: temporary, n: temporary }, token))).toBe('BAD_USER_INPUT');
      const changed = await t.gql(CHANGE, { c: temporary, n: 'my-own-password-01' }, token);
      expect(data(changed).changePassword.mustChangePassword).toBe(false);
      expect(code(await t.gql('{ clues { totalCount } }', {}, token))).toBeUndefined();
      await expect(t.login(who, 'my-own-password-01')).resolves.toEqual(expect.any(String));
    });

    it('is FORBIDDEN to non-admins and NOT_FOUND outside the jurisdiction; each mutation is audited, passwords redacted', async () => {
      const RESET = 'mutation($id: ID!, $p: String!) { resetPassword(userId: $id, newPassword: $p) { id } }';
      const id = await userGid('ga-610402-leader');
      expect(code(await gql('ga-610400-leader', RESET, { id, p: 'another-temp-pass-1' }))).toBe('FORBIDDEN');
      expect(code(await gql('ga-610300-admin', RESET, { id, p: 'another-temp-pass-1' }))).toBe('NOT_FOUND');
      const audit = await t.services.db.query(
        `SELECT a.action, a.target_type, a.target_id, a.detail FROM audit_log a
         WHERE a.action IN ('mutation.resetPassword', 'mutation.deactivateUser', 'mutation.reactivateUser',
                            'mutation.updateUser', 'mutation.changePassword') ORDER BY a.id`,
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual([
        'mutation.deactivateUser',
        'mutation.reactivateUser',
        'mutation.updateUser',
        'mutation.updateUser',
        'mutation.resetPassword',
        'mutation.changePassword',
      ]);
      for (const a of audit) expect(a.target_type).toBe('User');
      const reset = audit.find((a: { action: string }) => a.action === 'mutation.resetPassword');
      expect(reset.target_id).toBe(await userGid('ga-610302-investigator'));
      expect(reset.detail.args.newPassword).toBe('[redacted]');
      const denied = await t.services.db.query(
        `SELECT detail->'args'->>'newPassword' AS p FROM audit_log WHERE action = 'denied' AND detail->>'field' = 'Mutation.resetPassword'`,
      );
      expect(denied).toEqual([{ p: '[redacted]' }]);
      expect(JSON.stringify(await t.services.db.query('SELECT detail FROM audit_log'))).not.toContain(TEST_PASSWORD);
    });
  });

  describe('region settings and model parameters', () => {
    const SET = `mutation($r: String!, $k: String!, $v: JSON!) { setRegionSetting(regionCode: $r, key: $k, value: $v) { key value sourcePrefix overridden } }`;
    const READ = `query($r: String!) { regionSettings(regionCode: $r) { key value sourcePrefix overridden } }`;

    it('an ADMIN sets a region value that applies below it, as the services read it; clearing restores the default', async () => {
      const set = data(await gql('yb-610300-admin', SET, { r: '610300', k: 'acceptWorkingDays', v: 7 }));
      expect(set.setRegionSetting).toEqual({
        key: 'acceptWorkingDays',
        value: 7,
        sourcePrefix: '6103',
        overridden: true,
      });
      const county = data(await gql('yb-610302-admin', READ, { r: '610302' })).regionSettings;
      expect(county.find((s: { key: string }) => s.key === 'acceptWorkingDays')).toEqual({
        key: 'acceptWorkingDays',
        value: 7,
        sourcePrefix: '6103',
        overridden: false,
      });
      expect((await regionSettings(t.services.db, '610302')).acceptWorkingDays).toBe(7);
      expect((await regionSettings(t.services.db, '610402')).acceptWorkingDays).toBe(5);

      const money = data(await gql('yb-610300-admin', SET, { r: '610302', k: 'criminalThreshold', v: '50000' }));
      expect(money.setRegionSetting.value).toBe('50000.00');
      expect((await regionSettings(t.services.db, '610302')).criminalThreshold).toBe('50000.00');

      const cleared = await gql(
        'yb-610300-admin',
        'mutation { clearRegionSetting(regionCode: "610300", key: "acceptWorkingDays") { value sourcePrefix } }',
      );
      expect(data(cleared).clearRegionSetting).toEqual({ value: 5, sourcePrefix: '' });
      expect(
        await t.services.db.query(
          `SELECT count(*)::int AS n FROM audit_log WHERE action = 'mutation.setRegionSetting'`,
        ),
      ).toEqual([{ n: 2 }]);
    });

    it('refuses non-admins, regions outside the jurisdiction, unknown keys and ill-typed values', async () => {
      expect(code(await gql('yb-610300-leader', SET, { r: '610300', k: 'acceptWorkingDays', v: 7 }))).toBe('FORBIDDEN');
      expect(code(await gql('yb-610300-admin', SET, { r: '610400', k: 'acceptWorkingDays', v: 7 }))).toBe('FORBIDDEN');
      expect(code(await gql('yb-610300-admin', READ, { r: '610402' }))).toBe('FORBIDDEN');
      expect(code(await gql('yb-610300-admin', SET, { r: '610300', k: 'noSuchKey', v: 7 }))).toBe('BAD_USER_INPUT');
      expect(code(await gql('yb-610300-admin', SET, { r: '610300', k: 'acceptWorkingDays', v: 'x' }))).toBe(
        'BAD_USER_INPUT',
      );
      expect(code(await gql('yb-610300-admin', SET, { r: '610300', k: 'acceptWorkingDays', v: 2.5 }))).toBe(
        'BAD_USER_INPUT',
      );
      expect(code(await gql('yb-610300-admin', SET, { r: '610300', k: 'criminalThreshold', v: '1.234' }))).toBe(
        'BAD_USER_INPUT',
      );
    });

    it('model parameters: an override of the region, merged key by key, used by the collision', async () => {
      const SETP = `mutation($r: String!, $m: CollisionModel!, $p: JSON!) { setModelParameters(regionCode: $r, model: $m, params: $p) { model params overrides } }`;
      const res = data(
        await gql('yb-610300-admin', SETP, { r: '610300', m: 'BED_HANGING', p: { minLengthOfStay: 5 } }),
      );
      expect(res.setModelParameters).toEqual({
        model: 'BED_HANGING',
        params: { minLengthOfStay: 5, activeDayRatio: 0.5 },
        overrides: { minLengthOfStay: 5 },
      });
      const again = data(
        await gql('yb-610300-admin', SETP, { r: '610300', m: 'BED_HANGING', p: { activeDayRatio: 0.6 } }),
      );
      expect(again.setModelParameters.overrides).toEqual({ minLengthOfStay: 5, activeDayRatio: 0.6 });
      expect((await effectiveParameters(t.services.db, ['BED_HANGING'], '610302')).BED_HANGING).toEqual({
        minLengthOfStay: 5,
        activeDayRatio: 0.6,
      });
      const read = data(
        await gql(
          'yb-610302-admin',
          '{ modelParameters(regionCode: "610302", model: BED_HANGING) { params overrides } }',
        ),
      );
      expect(read.modelParameters).toEqual([{ params: { minLengthOfStay: 5, activeDayRatio: 0.6 }, overrides: null }]);
      expect(code(await gql('yb-610300-admin', SETP, { r: '610300', m: 'BED_HANGING', p: { nope: 1 } }))).toBe(
        'BAD_USER_INPUT',
      );
      expect(
        code(await gql('yb-610300-admin', SETP, { r: '610300', m: 'BED_HANGING', p: { minLengthOfStay: 'x' } })),
      ).toBe('BAD_USER_INPUT');
      expect(
        code(await gql('yb-610300-analyst', SETP, { r: '610300', m: 'BED_HANGING', p: { minLengthOfStay: 4 } })),
      ).toBe('FORBIDDEN');
      const cleared = data(
        await gql(
          'yb-610300-admin',
          'mutation { clearModelParameters(regionCode: "610300", model: BED_HANGING) { params overrides } }',
        ),
      );
      expect(cleared.clearModelParameters).toEqual({
        params: { minLengthOfStay: 3, activeDayRatio: 0.5 },
        overrides: null,
      });
    });
  });
});
