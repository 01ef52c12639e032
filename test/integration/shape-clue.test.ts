/**
 * What the shape refactor of clues, collision and routing added: hits joining an open clue are
 * the clue machine's HITS_ADDED event (versioned, on the timeline, audited), a copy to 纪委 is
 * its COPY event, clues of the collision and registered clues get their codes from the one
 * insertion, and only provincial administrators edit routing rules (the policy's decision).
 */
import { toGlobalId } from '../../src/core/ids';
import { attachHitsToClues } from '../../src/domain/collision/collision-run.service';
import { TIME_ZONE } from '../../src/core/constants';
import { startTestApi, TestApi } from '../support/harness';
import { routedClue, seedWorkflowFixtures, tokenSource } from '../support/workflow-fixtures';

describe('shape: clues from hits, machine events of routing, routing-rule permission', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  const gql = async (username: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql(query, variables, await token(username));

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = tokenSource(t.services);
  });
  afterAll(() => t.close());

  /** A finished run with the given hits (model OVER_PRICE), attached to clues as finalisation does. */
  async function runWithHits(hits: { key: string; institution: string; region: string; amount: string }[]) {
    const [run] = await t.services.db.query(
      `INSERT INTO collision_run (models, from_date, to_date, status, parameters)
       VALUES ('{OVER_PRICE}', '2025-03-01', '2025-03-31', 'RUNNING', '{}') RETURNING id`,
    );
    await t.services.db.query(
      `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids,
                                  settlement_ids, detail, first_run_id, last_run_id)
       SELECT 'OVER_PRICE', x.key, x.amount, x.institution, x.region, '{P2}', '{}', '{}', $1, $1
       FROM unnest($2::text[], $3::numeric[], $4::text[], $5::text[]) AS x(key, amount, institution, region)`,
      [
        run.id,
        hits.map((h) => h.key),
        hits.map((h) => h.amount),
        hits.map((h) => h.institution),
        hits.map((h) => h.region),
      ],
    );
    const created = await t.services.db.transaction((m) => attachHitsToClues(m, run.id));
    return { runId: run.id as string, created };
  }

  const clueOfHit = async (key: string) =>
    (
      await t.services.db.query(
        `SELECT c.id, c.code, c.status, c.version, c.amount_involved::text AS amount FROM clue c
         JOIN collision_hit h ON h.clue_id = c.id WHERE h.hit_key = $1`,
        [key],
      )
    )[0];

  const timelineOf = (clueId: string) =>
    t.services.db.query(
      `SELECT event, from_state, to_state, detail FROM state_change WHERE entity_type = 'Clue' AND entity_id = $1 ORDER BY id`,
      [clueId],
    );

  it('hits joining an open clue are its HITS_ADDED event: state kept, version bumped, on the timeline, audited', async () => {
    const first = await runWithHits([
      { key: 'shape-a1', institution: 'H610302001', region: '610302', amount: '100.00' },
      { key: 'shape-a2', institution: 'H610302001', region: '610302', amount: '50.00' },
    ]);
    expect(first.created).toBe(1);
    const clue = await clueOfHit('shape-a1');
    expect(clue).toMatchObject({ status: 'NEW', version: 1, amount: '150.00' });
    expect(await timelineOf(clue.id)).toEqual([
      { event: 'REGISTER', from_state: null, to_state: 'NEW', detail: { runId: first.runId, hits: 2 } },
    ]);

    const second = await runWithHits([
      { key: 'shape-a3', institution: 'H610302001', region: '610302', amount: '25.00' },
    ]);
    expect(second.created).toBe(0);
    expect(await clueOfHit('shape-a3')).toMatchObject({ id: clue.id, status: 'NEW', version: 2, amount: '175.00' });
    expect((await timelineOf(clue.id)).slice(1)).toEqual([
      { event: 'HITS_ADDED', from_state: 'NEW', to_state: 'NEW', detail: { runId: second.runId, hits: 1 } },
    ]);
    const [audit] = await t.services.db.query(
      `SELECT detail FROM audit_log WHERE action = 'Clue.HITS_ADDED' AND detail->>'runId' = $1`,
      [second.runId],
    );
    expect(audit.detail.ids).toEqual([toGlobalId('Clue', clue.id)]);
  });

  it('hits of a clue no longer open start a new clue instead (the states HITS_ADDED fires from)', async () => {
    await runWithHits([{ key: 'shape-b1', institution: 'H610303001', region: '610303', amount: '10.00' }]);
    const closed = await clueOfHit('shape-b1');
    await t.services.db.query(`UPDATE clue SET status = 'CLOSED' WHERE id = $1`, [closed.id]);
    const next = await runWithHits([{ key: 'shape-b2', institution: 'H610303001', region: '610303', amount: '20.00' }]);
    expect(next.created).toBe(1);
    const fresh = await clueOfHit('shape-b2');
    expect(fresh.id).not.toBe(closed.id);
    expect((await timelineOf(closed.id)).map((e: { event: string }) => e.event)).toEqual(['REGISTER']);
  });

  it('a collision clue and a registered clue get their codes from the one insertion (one sequence, one format)', async () => {
    const run = await runWithHits([{ key: 'shape-c1', institution: 'Y610402001', region: '610402', amount: '1.00' }]);
    expect(run.created).toBe(1);
    const collisionCode: string = (await clueOfHit('shape-c1')).code;
    const res = await gql(
      'yb-610302-investigator',
      `mutation { registerClue(input: { title: "信访: 挂床", source: PETITION, description: "举报" }) { code } }`,
    );
    expect(res.errors).toBeUndefined();
    const registeredCode: string = res.data.registerClue.code;
    const [{ year }] = await t.services.db.query(`SELECT to_char(now() AT TIME ZONE $1, 'YYYY') AS year`, [TIME_ZONE]);
    const format = new RegExp(`^XS${year}-\\d{6}$`);
    expect(collisionCode).toMatch(format);
    expect(registeredCode).toMatch(format);
    expect(Number(registeredCode.slice(-6))).toBeGreaterThan(Number(collisionCode.slice(-6)));
    const [outbox] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM outbox WHERE topic = 'route-clue' AND payload->>'clueId' = $1`,
      [(await clueOfHit('shape-c1')).id],
    );
    expect(outbox.n).toBe(1);
  });

  it('a copy to 纪委 is the clue machine COPY event after ROUTE: state kept, versioned', async () => {
    const id = await routedClue(t.services, { model: 'BED_HANGING', amountInvolved: '150000.00' });
    const timeline = await timelineOf(id);
    expect(
      timeline.map((e: { event: string; from_state: string; to_state: string }) => [e.event, e.from_state, e.to_state]),
    ).toEqual([
      ['REGISTER', null, 'NEW'],
      ['ROUTE', 'NEW', 'ASSIGNED'],
      ['COPY', 'ASSIGNED', 'ASSIGNED'],
    ]);
    const [row] = await t.services.db.query('SELECT version FROM clue WHERE id = $1', [id]);
    expect(row.version).toBe(3);
  });

  it('routing rules are edited by provincial administrators only', async () => {
    const rules = await gql('yb-610000-admin', '{ routingRules { id name enabled } }');
    const rule = rules.data.routingRules[3];
    const EDIT = 'mutation($id: ID!, $n: String) { updateRoutingRule(id: $id, name: $n) { id name } }';
    for (const username of ['yb-610302-investigator', 'yb-610000-leader', 'yb-610302-admin']) {
      const denied = await gql(username, EDIT, { id: rule.id, n: 'x' });
      expect([username, denied.errors?.[0]?.extensions?.code]).toEqual([username, 'FORBIDDEN']);
    }
    const edited = await gql('yb-610000-admin', EDIT, { id: rule.id, n: rule.name });
    expect(edited.errors).toBeUndefined();
    expect(edited.data.updateRoutingRule).toEqual({ id: rule.id, name: rule.name });
    const node = await gql('yb-610000-admin', 'query($id: ID!) { node(id: $id) { id ... on RoutingRule { name } } }', {
      id: rule.id,
    });
    expect(node.data.node).toEqual({ id: rule.id, name: rule.name });
  });
});
