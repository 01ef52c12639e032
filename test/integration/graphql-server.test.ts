import { appendAudit } from '../../src/domain/audit/audit.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

const base = (t: TestApi) => t.api.url.replace('/graphql', '');

describe('GraphQL server (development mode)', () => {
  let t: TestApi;
  let token: string;

  beforeAll(async () => {
    t = await startTestApi({
      GRAPHQL_MAX_COST: '1000',
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_DOCUMENT_BYTES: '2000',
    });
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    token = await t.login('jw-610000-leader');
  });
  afterAll(() => t.close());

  it('/healthz answers while the process is up; /readyz checks database and Redis', async () => {
    expect(await (await fetch(`${base(t)}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base(t)}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ database: 'ok', redis: 'ok' });
  });

  it('echoes or assigns a request id', async () => {
    const res = await fetch(`${base(t)}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await fetch(`${base(t)}/healthz`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exposes Prometheus metrics', async () => {
    const text = await (await fetch(`${base(t)}/metrics`)).text();
    expect(text).toContain('http_request_duration_seconds');
  });

  it('caps depth, aliases and cost with clear errors', async () => {
    const deep = await t.gql(
      '{ me { department { region { parent { parent { parent { parent { parent { parent { code } } } } } } } } } }',
      {},
      token,
    );
    expect(deep.errors?.[0]?.message).toMatch(/depth/i);
    const aliases = await t.gql(
      `{ ${Array.from({ length: 7 }, (_, i) => `a${i}: me { username }`).join(' ')} }`,
      {},
      token,
    );
    expect(aliases.errors?.[0]?.message).toMatch(/alias/i);
    const costly = await t.gql(
      '{ auditLog(first: 100) { edges { node { id at action hash prevHash actor { username department { name region { code name } } } } } } }',
      {},
      token,
    );
    expect(code(costly)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a document above the size cap', async () => {
    const res = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `{ me { username } } # ${'x'.repeat(3000)}` }),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('DOCUMENT_TOO_LARGE');
  });

  it('POST /graphql outside Express keeps what the Express path did with bodies (graphql-post.ts)', async () => {
    const post = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(t.api.url, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body });
    const json = { 'content-type': 'application/json' };

    const malformed = await post('{"query": "{ me { username } }"', json);
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');

    const { gzipSync, brotliCompressSync } = await import('node:zlib');
    const query = JSON.stringify({ query: '{ me { username } }' });
    for (const [encoding, body] of [
      ['gzip', gzipSync(query)],
      ['br', brotliCompressSync(query)],
    ] as const) {
      const res = await post(body, { ...json, 'content-encoding': encoding });
      expect([encoding, res.status, ((await res.json()) as any).data?.me?.username]).toEqual([
        encoding,
        200,
        'jw-610000-leader',
      ]);
    }
    // The cap holds after decompression too.
    const bomb = await post(gzipSync(JSON.stringify({ query: `{ me { username } } # ${'x'.repeat(50_000)}` })), {
      ...json,
      'content-encoding': 'gzip',
    });
    expect(bomb.status).toBe(413);

    const unknownEncoding = await post(query, { ...json, 'content-encoding': 'zip' });
    expect(unknownEncoding.status).toBe(415);
    const latin1 = await post(query, { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    const utf8 = await post(query, { 'content-type': 'application/json; charset=UTF-8' });
    expect(utf8.status).toBe(200);

    // Not JSON: Apollo's own refusal (CSRF prevention first, without a preflight header).
    const text = await post(query, { 'content-type': 'text/plain', 'apollo-require-preflight': '1' });
    expect(text.status).toBe(400);
    expect(((await text.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');

    const withId = await post(query, { ...json, 'x-request-id': 'post-42' });
    expect(withId.headers.get('x-request-id')).toBe('post-42');
    expect(withId.headers.get('cache-control')).toBe('no-store');
    expect(withId.headers.get('content-type')).toMatch(/^application\/graphql-response\+json|^application\/json/);

    // GET operations still go through Express.
    const get = await fetch(`${t.api.url}?query=${encodeURIComponent('{ me { username } }')}`, {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': '1' },
    });
    expect(((await get.json()) as any).data.me.username).toBe('jw-610000-leader');

    const metrics = await (await fetch(`${base(t)}/metrics`)).text();
    expect(metrics).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/graphql",status="200"\} [1-9]/,
    );
  });

  it('clamps page size to the cap instead of failing', async () => {
    await Promise.all(
      Array.from({ length: 110 }, (_, i) => appendAudit(t.services.db, { action: 'test.fill', detail: { i } })),
    );
    const res = await t.gql('{ auditLog(first: 5000) { totalCount edges { node { id } } } }', {}, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.auditLog.edges).toHaveLength(100);
    expect(res.data.auditLog.totalCount).toBeGreaterThan(100);
    const defaults = await t.gql('{ auditLog { edges { node { id } } } }', {}, token);
    expect(defaults.data.auditLog.edges).toHaveLength(20);
  });

  it('maps bad ids to BAD_USER_INPUT, unknown ids to null', async () => {
    const bad = await t.gql('{ node(id: "@@@") { id } }', {}, token);
    expect(code(bad)).toBe('BAD_USER_INPUT');
    const unknown = await t.gql(
      'query($id: ID!) { node(id: $id) { id } }',
      { id: Buffer.from('Department:00000000-0000-0000-0000-000000000000').toString('base64url') },
      token,
    );
    expect(unknown.data.node).toBeNull();
  });

  it('resolves node(id:) for a department', async () => {
    const { data } = await t.gql('{ me { department { id name } } }', {}, token);
    const node = await t.gql(
      'query($id: ID!) { node(id: $id) { id ... on Department { name } } }',
      { id: data.me.department.id },
      token,
    );
    expect(node.data.node).toEqual(data.me.department);
  });

  it('keeps CSRF prevention on: a simple GET without preflight header is refused', async () => {
    const res = await fetch(`${t.api.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
  });

  it('serves Chinese labels for enum values', async () => {
    const res = await t.gql('{ enumLabels { enum value label } }', {}, token);
    expect(res.data.enumLabels).toEqual(
      expect.arrayContaining([{ enum: 'DepartmentKind', value: 'DISCIPLINE', label: '纪委监委' }]),
    );
  });

  it('suggests field names in development', async () => {
    const res = await t.gql('{ me { usernam } }', {}, token);
    expect(res.errors?.[0]?.message).toMatch(/Did you mean/);
  });
});

describe('GraphQL server (production mode)', () => {
  let t: TestApi;
  let token: string;

  beforeAll(async () => {
    t = await startTestApi({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:6379',
      JWT_SECRET: 's'.repeat(40),
      DATA_KEY: Buffer.alloc(32, 3).toString('base64'),
      PASSWORD_SCRYPT_COST: '10',
      LOG_LEVEL: 'silent',
    });
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    token = await t.login('yb-610300-leader');
  });
  afterAll(() => t.close());

  it('turns introspection and field suggestions off', async () => {
    const intro = await t.gql('{ __schema { types { name } } }', {}, token);
    expect(intro.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await t.gql('{ me { usernam } }', {}, token);
    expect(typo.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('never leaks SQL or stack traces', async () => {
    await t.services.db.query('ALTER TABLE institution RENAME TO institution_moved');
    try {
      const res = await t.gql('{ institution(code: "H1") { id } }', {}, token);
      expect(res.errors?.[0]).toMatchObject({ message: 'internal error', path: ['institution'] });
      expect(res.errors?.[0]?.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(JSON.stringify(res)).not.toMatch(/relation|institution_moved|at .*\.ts/);
    } finally {
      await t.services.db.query('ALTER TABLE institution_moved RENAME TO institution');
    }
  });
});
