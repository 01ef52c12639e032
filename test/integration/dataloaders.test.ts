/**
 * List fields load through per-request dataloaders: a list query runs the same number of SQL
 * queries whatever the number of parents, and each parent reads exactly what it reads when
 * fetched alone — under the same visibility rules.
 */
import { join } from 'node:path';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import {
  departmentIdOf,
  insertCase,
  insertClue,
  insertRectification,
  insertSupervisionItem,
  insertTransfer,
  tokenSource,
  userIdOf,
} from '../support/workflow-fixtures';

const FRAGMENTS: Record<string, string> = {
  Dept: 'on Department { id name region { code } }',
  Usr: 'on User { username department { ...Dept } }',
  Tl: 'on StateChange { event from to note actor { ...Usr } }',
  Hit: `on CollisionHit {
    id hitKey institution { code region { code } } persons { personId region { code } }
    settlements { settlementId person { personId } institution { code } items { lineNo amount } }
    clue { id code } firstRun { id jobs { model slice status } } lastRun { id status } }`,
  Transfer: `on ClueTransfer {
    id status clue { id code status } from { ...Dept } to { ...Dept } requestedBy { ...Usr } allowedEvents timeline { ...Tl } }`,
  Clue: `on Clue {
    id code status institution { code region { code } } persons { personId region { code } } owner { ...Dept }
    copiedTo { ...Dept } transfers { ...Transfer } case { id code } allowedEvents timeline { ...Tl }
    hits(first: 1) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ...Hit } } } }`,
  Case: `on Case {
    id code owner { ...Dept } leadInvestigator { ...Usr } clues { ...Clue }
    sanctions { id kind person { personId } institution { code } decidedBy { username } }
    rectifications { id ownerDepartment { ...Dept } case { id code } }
    relations { kind case { id code } } allowedEvents timeline { ...Tl } }`,
  Item: `on SupervisionItem {
    id clue { ...Clue } case { id code clues { id } } transfer { ...Transfer } assignedTo { ...Dept }
    creatorDepartment { ...Dept } leader { ...Usr } progress { note author { ...Usr } } allowedEvents timeline { ...Tl } }`,
  Run: 'on CollisionRun { id status jobs { model slice status } }',
};

/** A fragment and those it spreads, as GraphQL text. */
function fragments(name: string, seen = new Set<string>()): string {
  if (seen.has(name)) return '';
  seen.add(name);
  const body = FRAGMENTS[name];
  const spread = [...body.matchAll(/\.\.\.(\w+)/g)].map((m) => fragments(m[1], seen)).join('\n');
  return `fragment ${name} ${body}\n${spread}`;
}

/** Each list, the fragment its nodes are read with, and how many nodes one fixture unit adds. */
const LISTS = {
  cases: { fragment: 'Case', perUnit: 1 },
  clues: { fragment: 'Clue', perUnit: 1 },
  transfers: { fragment: 'Transfer', perUnit: 1 },
  supervisionItems: { fragment: 'Item', perUnit: 3 },
  collisionHits: { fragment: 'Hit', perUnit: 2 },
  collisionRuns: { fragment: 'Run', perUnit: 1 },
} as const;
type ListName = keyof typeof LISTS;

const listQuery = (list: ListName) =>
  `query($n: Int!) { ${list}(first: $n) { totalCount edges { node { ...${LISTS[list].fragment} } } } } ${fragments(LISTS[list].fragment)}`;
const nodeQuery = (list: ListName) =>
  `query($id: ID!) { node(id: $id) { ...${LISTS[list].fragment} } } ${fragments(LISTS[list].fragment)}`;

const UNITS = 6;
/** Batches a loader may be split into by timing alone (see below); well under UNITS - 1. */
const WAVE_SLACK = 2;
const YB_WEIBIN = { kind: 'MEDICAL_INSURANCE', region: '610302' };
const WJ_WEIBIN = { kind: 'HEALTH', region: '610302' };
const GA_WEIBIN = { kind: 'PUBLIC_SECURITY', region: '610302' };
const YB_BAOJI = { kind: 'MEDICAL_INSURANCE', region: '610300' };

describe('list fields load through dataloaders', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  let relatedCaseId: string;

  /** SQL statements the server runs while answering one request. */
  async function countQueries<T>(request: () => Promise<T>): Promise<{ result: T; queries: number }> {
    const spy = jest.spyOn(t.services.db.logger, 'logQuery');
    try {
      const result = await request();
      return { result, queries: spy.mock.calls.length };
    } finally {
      spy.mockRestore();
    }
  }

  async function list(user: string, name: ListName, n: number) {
    const bearer = await token(user);
    const res = await countQueries(() => t.gql(listQuery(name), { n }, bearer));
    expect(res.result.errors).toBeUndefined();
    const nodes = res.result.data[name].edges.map((e: { node: { id: string } }) => e.node);
    return { nodes, queries: res.queries };
  }

  async function timeline(entityType: string, entityId: string, events: string[], actor: string) {
    const actorId = await userIdOf(t.services, actor);
    for (const event of events) {
      await t.services.db.query(
        `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, note)
         VALUES ($1, $2, $3, 'A', 'B', $4, $5)`,
        [entityType, entityId, actorId, event, `${event} of ${entityId}`],
      );
    }
  }

  /**
   * One unit of the same shape each time: a case of 医保渭滨 filed from a clue it owns (with
   * persons, a copy, a pending transfer to the police, two collision hits) and a clue of 卫健渭滨
   * it cannot see; sanctions, a rectification, a link to an older case; supervision items over
   * the clue, the case and the transfer, each with a progress report; timelines throughout.
   */
  async function addUnit(i: number): Promise<void> {
    const db = t.services.db;
    const investigator = await userIdOf(t.services, 'yb-610302-investigator');
    const own = await insertClue(t.services, {
      ownerKind: YB_WEIBIN.kind,
      ownerRegion: YB_WEIBIN.region,
      title: `本单位线索${i}`,
    });
    const health = await insertClue(t.services, {
      ownerKind: WJ_WEIBIN.kind,
      ownerRegion: WJ_WEIBIN.region,
      title: `卫健线索${i}`,
    });
    await db.query(`UPDATE clue SET institution_code = 'H610302001' WHERE id = ANY($1::uuid[])`, [[own, health]]);
    await db.query(
      `INSERT INTO clue_person (clue_id, person_id, role) VALUES ($1, 'P001', 'SUBJECT'), ($1, 'P002', 'EVIDENCE')`,
      [own],
    );
    await db.query(`INSERT INTO clue_copy (clue_id, department_id, reason) VALUES ($1, $2, '抄送纪委')`, [
      own,
      await departmentIdOf(t.services, 'DISCIPLINE', '610300'),
    ]);
    await timeline('Clue', own, ['ROUTE', 'START_VERIFICATION'], 'yb-610302-investigator');
    const transfer = await insertTransfer(t.services, own, YB_WEIBIN, GA_WEIBIN, 'PENDING');
    await timeline('ClueTransfer', transfer, ['REQUEST'], 'yb-610302-investigator');

    const [run] = await db.query(
      `INSERT INTO collision_run (models, from_date, to_date, status) VALUES ('{OVER_PRICE}', '2025-03-01', '2025-03-31', 'SUCCEEDED') RETURNING id`,
    );
    await db.query(
      `INSERT INTO collision_run_job (run_id, model, slice_key, status) VALUES ($1, 'OVER_PRICE', '2025-03', 'SUCCEEDED'), ($1, 'OVER_PRICE', '', 'SUCCEEDED')`,
      [run.id],
    );
    for (const [k, settlements] of [
      ['a', ['S001', 'S002']],
      ['b', ['S002']],
    ] as const) {
      await db.query(
        `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
                                    first_run_id, last_run_id, clue_id)
         VALUES ('OVER_PRICE', $1, 100, 'H610302001', '610302', '{P001,P002}', $2, $3, $3, $4)`,
        [`unit${i}-${k}`, settlements, run.id, own],
      );
    }

    const kase = await insertCase(t.services, {
      ownerKind: YB_WEIBIN.kind,
      ownerRegion: YB_WEIBIN.region,
      clueIds: [own, health],
    });
    await db.query('UPDATE "case" SET lead_investigator_id = $2 WHERE id = $1', [kase, investigator]);
    await db.query(
      `INSERT INTO sanction (case_id, kind, person_id, institution_code, amount, decided_by) VALUES
         ($1, 'FUND_RECOVERY', NULL, 'H610302001', 500, $2), ($1, 'ADMINISTRATIVE_PENALTY', 'P001', NULL, 200, $2)`,
      [kase, investigator],
    );
    await insertRectification(t.services, kase, WJ_WEIBIN);
    await db.query(`INSERT INTO case_relation (case_id, other_case_id, kind) VALUES ($1, $2, 'RELATED')`, [
      kase,
      relatedCaseId,
    ]);
    await timeline('Case', kase, ['FILE'], 'yb-610302-investigator');

    for (const target of [{ clueId: own }, { caseId: kase }, { transferId: transfer }]) {
      const item = await insertSupervisionItem(t.services, { creator: YB_BAOJI, assignee: YB_WEIBIN, ...target });
      await db.query(`INSERT INTO supervision_progress (item_id, author_id, note) VALUES ($1, $2, '已开展核查')`, [
        item,
        investigator,
      ]);
      await timeline('SupervisionItem', item, ['CREATE'], 'yb-610300-leader');
    }
  }

  beforeAll(async () => {
    t = await startTestApi({ GRAPHQL_MAX_DEPTH: '20', GRAPHQL_MAX_COST: '1000000', GRAPHQL_MAX_TOKENS: '10000' });
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    await ingestBatch(t.services, join(__dirname, '..', 'fixtures', 'ingest', 'valid'));
    token = tokenSource(t.services);
    // The oldest case: every unit's case links to it, and no list below reaches it.
    relatedCaseId = await insertCase(t.services, {
      ownerKind: YB_WEIBIN.kind,
      ownerRegion: YB_WEIBIN.region,
      title: '关联案件',
    });
    for (let i = 1; i <= UNITS; i += 1) await addUnit(i);
  }, 120_000);
  afterAll(() => t.close());

  const CASE_READER = 'yb-610302-investigator';
  const HEALTH_READER = 'wj-610302-investigator';

  it.each([
    ...(Object.keys(LISTS) as ListName[]).map((name) => [CASE_READER, name] as const),
    [HEALTH_READER, 'cases'] as const,
    [HEALTH_READER, 'clues'] as const,
  ])('as %s, %s: no more queries for six units than for one, and each node as when read alone', async (user, name) => {
    const { perUnit } = LISTS[name];
    const one = await list(user, name, perUnit);
    const all = await list(user, name, UNITS * perUnit);
    expect(one.nodes).toHaveLength(perUnit);
    expect(all.nodes).toHaveLength(UNITS * perUnit);
    // A per-parent query would add at least UNITS - 1 statements. DataLoader sends one batch per
    // tick, and when sibling fields reach the same loader in different ticks (the database answers
    // the batches before them in varying order) that loader runs once more: the count may vary by
    // a statement or two from run to run, never by the number of parents.
    expect(all.queries).toBeLessThanOrEqual(one.queries + WAVE_SLACK);
    for (const node of all.nodes) {
      const alone = await t.gql(nodeQuery(name), { id: node.id }, await token(user));
      expect(alone.errors).toBeUndefined();
      expect(alone.data.node).toEqual(node);
    }
  });

  it('batched fields keep the visibility rules: each reader sees only its own clues of a shared case', async () => {
    const asOwner = await list(CASE_READER, 'cases', UNITS);
    const asHealth = await list(HEALTH_READER, 'cases', UNITS);
    expect(asHealth.nodes.map((c: { id: string }) => c.id)).toEqual(asOwner.nodes.map((c: { id: string }) => c.id));
    for (const kase of asOwner.nodes) {
      expect(kase.clues).toHaveLength(1);
      expect(kase.clues[0].hits.totalCount).toBe(2);
      expect(kase.clues[0].transfers).toHaveLength(1);
      expect(kase.relations).toEqual([{ kind: 'RELATED', case: expect.objectContaining({ id: expect.any(String) }) }]);
    }
    for (const kase of asHealth.nodes) {
      expect(kase.clues).toHaveLength(1);
      expect(kase.clues[0]).toMatchObject({ hits: { totalCount: 0, edges: [] }, transfers: [], case: { id: kase.id } });
      // The linked case has no clue of 卫健 and is not 卫健's: not visible, so not listed.
      expect(kase.relations).toEqual([]);
    }
    const ownerClues = new Set(asOwner.nodes.flatMap((c: { clues: { id: string }[] }) => c.clues.map((x) => x.id)));
    const healthClues = asHealth.nodes.flatMap((c: { clues: { id: string }[] }) => c.clues.map((x) => x.id));
    expect(healthClues.filter((id: string) => ownerClues.has(id))).toEqual([]);
  });

  it('each mutation of a document reads its result after its own change, not from what an earlier one loaded', async () => {
    const clue = toGlobalId(
      'Clue',
      await insertClue(t.services, { ownerKind: YB_WEIBIN.kind, ownerRegion: YB_WEIBIN.region }),
    );
    const res = await t.gql(
      `mutation($id: ID!) {
        start: startVerification(clueId: $id) { status timeline { event } }
        conclude: concludeVerification(clueId: $id, substantiated: true, findings: "属实") { status timeline { event } }
      }`,
      { id: clue },
      await token(CASE_READER),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      start: { status: 'VERIFYING', timeline: [{ event: 'START_VERIFICATION' }] },
      conclude: {
        status: 'SUBSTANTIATED',
        timeline: [{ event: 'START_VERIFICATION' }, { event: 'CONCLUDE_SUBSTANTIATED' }],
      },
    });
  });

  it('Clue.hits: the batched first page has the cursors that page on, one clue at a time', async () => {
    const HITS = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Clue {
      hits(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { hitKey } } } } } }`;
    const clues = (await list(CASE_READER, 'cases', UNITS)).nodes.flatMap((c: { clues: unknown[] }) => c.clues);
    expect(clues).toHaveLength(UNITS);
    for (const clue of clues) {
      const read = async (variables: Record<string, unknown>) => {
        const res = await t.gql(HITS, { id: clue.id, ...variables }, await token(CASE_READER));
        expect(res.errors).toBeUndefined();
        return res.data.node.hits;
      };
      const both = await read({});
      expect(both.totalCount).toBe(2);
      expect(clue.hits).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
      expect(clue.hits.edges[0]).toMatchObject({
        cursor: both.edges[0].cursor,
        node: { hitKey: both.edges[0].node.hitKey },
      });
      const second = await read({ first: 1, after: clue.hits.pageInfo.endCursor });
      expect(second).toEqual({
        totalCount: 2,
        pageInfo: { hasNextPage: false, hasPreviousPage: true, endCursor: both.edges[1].cursor },
        edges: [both.edges[1]],
      });
    }
  });
});
