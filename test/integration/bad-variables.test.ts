import { startTestApi, TestApi } from '../support/harness';
import { seedWorkflowFixtures } from '../support/workflow-fixtures';

/**
 * A variable of the wrong type is the client's error (GraphQL over HTTP): 400 with
 * BAD_USER_INPUT and the coercion message — never a 500 "internal error", whichever check
 * meets the variables first (issue 16, item 0: the cost limit used to coerce them itself).
 */
describe('bad variables', () => {
  let t: TestApi;
  let token: string;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = await t.login('yb-610302-investigator');
  });
  afterAll(() => t.close());

  async function post(query: string, variables: Record<string, unknown>) {
    const response = await fetch(t.api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    return {
      status: response.status,
      code: body.errors?.[0]?.extensions?.code,
      message: body.errors?.[0]?.message ?? '',
    };
  }

  it('an enum value the server does not know', async () => {
    const res = await post('query($m: CollisionModel){ collisionHits(filter: {model: $m}) { totalCount } }', {
      m: 'RULE_COLOR',
    });
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(res.message).toMatch(/\$m.*RULE_COLOR/);
  });

  it('a string for an Int', async () => {
    const res = await post('query($n: Int){ clues(first: $n) { totalCount } }', { n: 'abc' });
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(res.message).toMatch(/\$n.*Int/);
  });

  it('a missing required variable', async () => {
    const res = await post('query($id: ID!){ node(id: $id) { id } }', {});
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(res.message).toMatch(/\$id.*required/);
  });

  it('an unknown field of an input object', async () => {
    const res = await post('query($f: ClueFilter){ clues(filter: $f) { totalCount } }', { f: { colour: 'red' } });
    expect(res).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    expect(res.message).toMatch(/colour/);
  });

  it('valid variables are still costed: an over-limit page size is refused as too complex', async () => {
    const res = await post(
      'query($n: Int){ clues(first: $n) { edges { node { hits(first: 100) { edges { node { id } } } } } } }',
      { n: 100 },
    );
    expect(res.code).toBe('QUERY_TOO_COMPLEX');
  });
});
