import { startTestApi, TestApi } from '../support/harness';
import { seedWorkflowFixtures } from '../support/workflow-fixtures';

/**
 * What the GraphQL fuzzer (bench/fuzz/graphql.ts, issue 16 item 5) found: requests that got a
 * 500 or an INTERNAL_SERVER_ERROR although the fault was the client's. Each is now a 4xx with
 * a code saying why (issue 16, item 6).
 */
describe('hostile requests', () => {
  let t: TestApi;
  let token: string;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = await t.login('yb-610302-investigator');
  });
  afterAll(() => t.close());

  async function post(body: unknown) {
    const response = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    return {
      status: response.status,
      code: json.errors?.[0]?.extensions?.code,
      codes: [...new Set(json.errors?.map((e) => e.extensions?.code))],
      message: json.errors?.[0]?.message ?? '',
    };
  }

  it('a syntax error is 400 GRAPHQL_PARSE_FAILED, not a 500', async () => {
    const res = await post({ query: 'mutation Fuzz { reco' });
    expect(res).toMatchObject({ status: 400, code: 'GRAPHQL_PARSE_FAILED' });
    expect(res.message).toMatch(/Syntax Error/);
  });

  it('a document over the token limit is 400 GRAPHQL_PARSE_FAILED', async () => {
    const query = `{ ${Array.from({ length: 1100 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const res = await post({ query });
    expect(res).toMatchObject({ status: 400, code: 'GRAPHQL_PARSE_FAILED' });
    expect(res.message).toMatch(/more th\w+ 2000 tokens/);
  });

  it('a deeply nested list literal is refused by the token limit, not by a stack overflow', async () => {
    const depth = 20_000;
    const res = await post({
      query: `{ clues(filter: { status: ${'['.repeat(depth)}NEW${']'.repeat(depth)} }) { totalCount } }`,
    });
    expect(res).toMatchObject({ status: 400, code: 'GRAPHQL_PARSE_FAILED' });
  });

  it('a subscription sent over HTTP is 400 BAD_REQUEST (subscriptions are served over WebSocket)', async () => {
    const res = await post({ query: 'subscription { notificationAdded { id } }' });
    expect(res).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(res.message).toMatch(/WebSocket/);
  });

  it('a NUL character in a string variable is 400 BAD_USER_INPUT, not a database error', async () => {
    const res = await post({
      query: 'query($c: String!){ institution(code: $c) { code } }',
      variables: { c: 'a\u0000b' },
    });
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(res.message).toMatch(/U\+0000/);
  });

  it('a NUL character in a string literal is 400 BAD_USER_INPUT', async () => {
    const res = await post({ query: '{ institution(code: "a\\u0000b") { code } }' });
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
  });

  it('an unpaired surrogate in a variable is 400 BAD_USER_INPUT, not a database error (the audit entry)', async () => {
    // Raw JSON: JSON.stringify would keep the escape too, but this is what a client sends.
    const body =
      '{"query":"mutation($i: RegisterClueInput!){ registerClue(input: $i) { id } }",' +
      '"variables":{"i":{"title":"x\\ud800y","description":"d","source":"PETITION"}}}';
    const response = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    const json = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect({ status: response.status, code: json.errors[0].extensions.code }).toEqual({
      status: 400,
      code: 'BAD_USER_INPUT',
    });
    expect(json.errors[0].message).toMatch(/unpaired surrogate/);
  });

  it('fragments that expand past the node limit are QUERY_TOO_COMPLEX, not an internal error', async () => {
    const n = 15;
    const fragments = Array.from(
      { length: n },
      (_, i) => `fragment L${i} on Query { ${i + 1 < n ? `...L${i + 1} ...L${i + 1}` : '__typename'} }`,
    );
    const res = await post({ query: `query { ...L0 }\n${fragments.join('\n')}` });
    expect(res).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX' });
  });

  it('a query over the cost limit is 400 QUERY_TOO_COMPLEX, not a 500', async () => {
    const res = await post({
      query: '{ clues(first: 100) { edges { node { hits(first: 100) { edges { node { id } } } } } } }',
    });
    expect(res).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX' });
  });

  it('a variable with over 50 bad elements is 400 BAD_USER_INPUT (graphql-js stops at 50 errors)', async () => {
    const res = await post({
      query: 'query($s: [ClueStatus!]){ clues(filter: { status: $s }) { totalCount } }',
      variables: { s: Array.from({ length: 60 }, () => 'NOPE') },
    });
    expect(res).toMatchObject({ status: 400, codes: ['BAD_USER_INPUT'] });
  });

  it('a persisted query whose hash does not match is 400 BAD_REQUEST', async () => {
    const res = await post({
      query: '{ __typename }',
      extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } },
    });
    expect(res).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });
});
