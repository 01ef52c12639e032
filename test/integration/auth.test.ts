import jwt from 'jsonwebtoken';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

const OLD_KEY = 'o'.repeat(40);
const NEW_KEY = 'n'.repeat(40);
const ME = '{ me { username roles department { kind name region { code level parent { code } } } } }';

describe('authentication', () => {
  let t: TestApi;
  let userId: string;

  beforeAll(async () => {
    t = await startTestApi({
      JWT_KEYS: JSON.stringify({ old: OLD_KEY, new: NEW_KEY }),
      JWT_ACTIVE_KID: 'new',
      LOGIN_SLOW_AFTER: '2',
      LOGIN_LOCK_AFTER: '4',
      LOGIN_LOCK_SECONDS: '60',
    });
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    const [row] = await t.services.db.query(`SELECT id FROM app_user WHERE username = 'yb-610300-investigator'`);
    userId = row.id;
  });
  afterAll(() => t.close());

  const forge = (payload: { exp?: number }, key: string, options: jwt.SignOptions) =>
    jwt.sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 600, ...payload }, key, {
      issuer: t.config.jwt.issuer,
      audience: t.config.jwt.audience,
      ...options,
    });
  const codeOf = async (token: string) => code(await t.gql(ME, {}, token));

  it('login issues a pinned-algorithm JWT with exp, iss, aud and kid; me answers', async () => {
    const res = await t.gql(
      'mutation { login(username: "yb-610300-investigator", password: "' +
        TEST_PASSWORD +
        '") { token expiresAt user { username } } }',
    );
    expect(res.errors).toBeUndefined();
    const token = res.data.login.token as string;
    const decoded = jwt.decode(token, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: 'HS256', kid: 'new' });
    expect(decoded.payload).toMatchObject({ iss: t.config.jwt.issuer, aud: t.config.jwt.audience, sub: userId });
    expect(new Date(res.data.login.expiresAt).getTime()).toBe((decoded.payload as jwt.JwtPayload).exp! * 1000);
    const me = await t.gql(ME, {}, token);
    expect(me.data.me).toEqual({
      username: 'yb-610300-investigator',
      roles: ['INVESTIGATOR'],
      department: {
        kind: 'MEDICAL_INSURANCE',
        name: '宝鸡市医疗保障局',
        region: { code: '610300', level: 'CITY', parent: { code: '610000' } },
      },
    });
  });

  it('without a token, me is UNAUTHENTICATED', async () => {
    expect(code(await t.gql(ME))).toBe('UNAUTHENTICATED');
  });

  it('refuses alg none, other algorithms, tampered, expired, wrong-audience, wrong-issuer and unknown-kid tokens', async () => {
    const valid = forge({}, NEW_KEY, { algorithm: 'HS256', keyid: 'new' });
    expect(await codeOf(valid)).toBeUndefined();

    const [h, p] = valid.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'new' })).toString('base64url')}.${p}.`;
    expect(await codeOf(none)).toBe('UNAUTHENTICATED');
    expect(await codeOf(forge({}, NEW_KEY, { algorithm: 'HS512', keyid: 'new' }))).toBe('UNAUTHENTICATED');

    const otherSub = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'x' }),
    ).toString('base64url');
    expect(await codeOf(`${h}.${otherSub}.${valid.split('.')[2]}`)).toBe('UNAUTHENTICATED');

    expect(
      await codeOf(forge({ exp: Math.floor(Date.now() / 1000) - 10 }, NEW_KEY, { algorithm: 'HS256', keyid: 'new' })),
    ).toBe('UNAUTHENTICATED');
    expect(await codeOf(forge({}, NEW_KEY, { algorithm: 'HS256', keyid: 'new', audience: 'someone-else' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await codeOf(forge({}, NEW_KEY, { algorithm: 'HS256', keyid: 'new', issuer: 'someone-else' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(await codeOf(forge({}, NEW_KEY, { algorithm: 'HS256', keyid: 'gone' }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(forge({}, NEW_KEY, { algorithm: 'HS256' }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(forge({}, 'z'.repeat(40), { algorithm: 'HS256', keyid: 'new' }))).toBe('UNAUTHENTICATED');
  });

  it('rotation: a token of the old kid is accepted while the old key is configured, refused once removed', async () => {
    const oldToken = forge({}, OLD_KEY, { algorithm: 'HS256', keyid: 'old' });
    expect(await codeOf(oldToken)).toBeUndefined();
    const without = await startTestApi({ JWT_KEYS: JSON.stringify({ new: NEW_KEY }), JWT_ACTIVE_KID: 'new' });
    try {
      await seedRegions(without.services);
      const res = await without.gql(ME, {}, oldToken);
      expect(code(res)).toBe('UNAUTHENTICATED');
    } finally {
      await without.close();
    }
  });

  it('a wrong password is UNAUTHENTICATED, like an unknown user, and both are audited', async () => {
    const wrong = await t.gql(
      'mutation { login(username: "yb-610300-leader", password: "wrong-password!!") { token } }',
    );
    const unknown = await t.gql('mutation { login(username: "nobody-here", password: "wrong-password!!") { token } }');
    expect(code(wrong)).toBe('UNAUTHENTICATED');
    expect(unknown.errors?.[0]).toMatchObject({ message: wrong.errors?.[0]?.message });
    const audited = await t.services.db.query(
      `SELECT detail->>'username' AS u FROM audit_log WHERE action = 'auth.login.failed'`,
    );
    expect(audited.map((r: { u: string }) => r.u)).toEqual(expect.arrayContaining(['yb-610300-leader', 'nobody-here']));
  });

  it('throttles failed logins per username: slowed, then refused even with the right password', async () => {
    const attempt = async (password: string) => {
      const started = Date.now();
      const res = await t.gql(
        `mutation { login(username: "wj-610302-leader", password: "${password}") { token } }`,
        {},
        undefined,
        {
          'x-forwarded-for': '10.0.0.1',
        },
      );
      return { code: code(res), ms: Date.now() - started };
    };
    await attempt('bad-password-1');
    await attempt('bad-password-2');
    const slowed = await attempt('bad-password-3');
    expect(slowed.code).toBe('UNAUTHENTICATED');
    expect(slowed.ms).toBeGreaterThanOrEqual(200);
    await attempt('bad-password-4');
    const refused = await attempt(TEST_PASSWORD);
    expect(refused.code).toBe('TOO_MANY_REQUESTS');
    // Another user from the same test address is not locked by this username's count alone.
    const other = await t.gql(
      `mutation { login(username: "wj-610302-analyst", password: "${TEST_PASSWORD}") { token } }`,
    );
    expect(other.errors).toBeUndefined();
  });

  it('throttles per address across usernames', async () => {
    const from = async (username: string) =>
      code(
        await t.gql(
          `mutation { login(username: "${username}", password: "bad-password-x") { token } }`,
          {},
          undefined,
          {
            'x-forwarded-for': '10.9.9.9',
          },
        ),
      );
    // the address count is kept per client address as Express sees it (loopback proxy trusted)
    for (const u of ['a1', 'a2', 'a3', 'a4']) await from(`spray-${u}`);
    expect(await from('spray-a5')).toBe('TOO_MANY_REQUESTS');
  });

  it('departments lists every department to any signed-in user', async () => {
    const token = await t.login('ga-611021-investigator');
    const res = await t.gql('{ departments { id kind name region { code } } }', {}, token);
    expect(res.data.departments).toHaveLength(13 * 4);
    expect(res.data.departments).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: '洛南县公安局', kind: 'PUBLIC_SECURITY' })]),
    );
  });
});
