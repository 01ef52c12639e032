/**
 * Who sees and who changes a clue (PRODUCT.md §6), as a table: every role × every agency ×
 * every relation of the caller's department to the clue. The expectations are not listed by
 * hand: expected() below is §6 written as code, and each row checks the real API against it.
 *
 *   - A department sees the clues it owns, those of departments of the same kind inside its
 *     jurisdiction, those it sent or received by transfer, and those copied to it.
 *   - 纪委 (DISCIPLINE) reads everything inside its jurisdiction (read-only unless it owns it).
 *   - Police see nothing that was not routed or transferred to them (no rule of their own).
 *   - Only the owning department's INVESTIGATOR, SUPERVISOR or LEADER change a clue.
 *   - ADMINs read no case content.
 *   - Denials are FORBIDDEN (and audited); what the caller cannot see is NOT_FOUND.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CASE_WORKERS,
  CITY,
  clueOutcome,
  ClueFacts as Facts,
  COUNTY,
  FAR,
  insertClueWithFacts,
  KINDS,
  Kind,
  NEIGHBOUR,
  OTHER,
  Role,
  ROLES,
  same,
  username,
  expectCompleteMatrix,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';
import { AsUser, asUsers } from '../support/client';

/** PRODUCT.md §6, as code (test/support/access-matrix.ts, shared with the case, transfer and supervision matrices). */
const expected = clueOutcome;

/** The caller's department's relation to the clue: where the caller sits, and the clue's facts. */
interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): Facts;
}
const RELATIONS: Relation[] = [
  {
    name: 'owner county',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'same-kind city above the owner',
    actorRegion: CITY,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'other county, same kind',
    actorRegion: NEIGHBOUR,
    facts: (k) => ({ owner: { kind: k, region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'transfer receiver (pending)',
    actorRegion: COUNTY,
    facts: (k) => ({
      owner: { kind: OTHER[k], region: COUNTY },
      clueRegion: COUNTY,
      transfer: { from: { kind: OTHER[k], region: COUNTY }, to: { kind: k, region: COUNTY }, status: 'PENDING' },
    }),
  },
  {
    name: 'transfer sender after acceptance',
    actorRegion: COUNTY,
    facts: (k) => ({
      owner: { kind: OTHER[k], region: COUNTY },
      clueRegion: COUNTY,
      transfer: { from: { kind: k, region: COUNTY }, to: { kind: OTHER[k], region: COUNTY }, status: 'ACCEPTED' },
    }),
  },
  {
    // Copied from another city, so that nothing but the copy links the caller to it.
    name: 'copied to (抄送)',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: OTHER[k], region: FAR }, clueRegion: FAR, copiedTo: { kind: k, region: COUNTY } }),
  },
  {
    name: 'other agency, same county',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: OTHER[k], region: COUNTY }, clueRegion: COUNTY }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({ owner: { kind: OTHER[k], region: FAR }, clueRegion: FAR }),
  },
];

/** Each clue mutation, the state in which its owner may fire it, and how to call it. */
const MUTATIONS = [
  {
    name: 'startVerification',
    state: 'ASSIGNED',
    query: `mutation($id: ID!) { startVerification(clueId: $id) { id status } }`,
    vars: { to: false },
  },
  {
    name: 'concludeVerification',
    state: 'VERIFYING',
    query: `mutation($id: ID!) { concludeVerification(clueId: $id, substantiated: true, findings: "属实") { id status } }`,
    vars: { to: false },
  },
  {
    name: 'closeClue',
    state: 'UNSUBSTANTIATED',
    query: `mutation($id: ID!) { closeClue(clueId: $id, disposition: "了结") { id status } }`,
    vars: { to: false },
  },
  {
    name: 'requestTransfer',
    state: 'ASSIGNED',
    query: `mutation($id: ID!, $to: ID!) { requestTransfer(input: { clueId: $id, toDepartmentId: $to, reason: "移送" }) { id status } }`,
    vars: { to: true },
  },
] as const;
type State = (typeof MUTATIONS)[number]['state'];
const STATES: State[] = ['ASSIGNED', 'VERIFYING', 'UNSUBSTANTIATED'];

const ROWS = RELATIONS.flatMap((relation) =>
  KINDS.flatMap((kind) =>
    ROLES.map((role) => {
      const actor: Actor = { kind, region: relation.actorRegion, role };
      return { relation, actor, facts: relation.facts(kind), outcome: expected(actor, relation.facts(kind)) };
    }),
  ),
);

describe('access matrix (PRODUCT.md §6)', () => {
  let t: TestApi;
  let asUser: AsUser;
  /** The clues of each (relation, kind), one per state the mutations start from. */
  const clues = new Map<string, Record<State, string>>();
  const visibleLists = new Map<string, Promise<Set<string>>>();
  const forbidden: { username: string; field: string; clueId: string }[] = [];

  const gql = (a: Actor, query: string, variables: Record<string, unknown> = {}) =>
    asUser(username(a), query, variables);

  /** Builds a clue with the given facts in the given state (the state before the transfer, for a pending one). */
  const build = async (facts: Facts, state: State): Promise<string> =>
    toGlobalId('Clue', (await insertClueWithFacts(t, facts, state)).clueId);

  /** Every clue id the actor's clues list returns (all pages). */
  function visibleList(a: Actor): Promise<Set<string>> {
    const key = username(a);
    if (!visibleLists.has(key)) {
      visibleLists.set(
        key,
        (async () => {
          const ids = new Set<string>();
          let after: string | null = null;
          for (;;) {
            const res = await gql(
              a,
              `query($after: String) { clues(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
              { after },
            );
            expect(res.errors).toBeUndefined();
            for (const e of res.data.clues.edges) ids.add(e.node.id);
            if (!res.data.clues.pageInfo.hasNextPage) return ids;
            after = res.data.clues.pageInfo.endCursor;
          }
        })(),
      );
    }
    return visibleLists.get(key)!;
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    asUser = asUsers(t);
    for (const relation of RELATIONS) {
      for (const kind of KINDS) {
        const byState = {} as Record<State, string>;
        for (const state of STATES) byState[state] = await build(relation.facts(kind), state);
        clues.set(`${relation.name}|${kind}`, byState);
      }
    }
  });
  afterAll(() => t.close());

  it('the table covers every role, agency and relation, and has every outcome', () => {
    expectCompleteMatrix(ROWS, RELATIONS);
    const outcomes = new Set(ROWS.map((r) => r.outcome));
    expect([...outcomes].sort()).toEqual(['CHANGE', 'NONE', 'READ']);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r.outcome, r] as const))(
      '%s → %s',
      async (_who, outcome, row) => {
        const { actor, facts } = row;
        const byState = clues.get(`${relation.name}|${actor.kind}`)!;
        const sees = outcome !== 'NONE';

        // Reading: clue(id) and the clues list agree.
        const read = await gql(actor, `query($id: ID!) { clue(id: $id) { id allowedEvents } }`, {
          id: byState.ASSIGNED,
        });
        expect(read.errors).toBeUndefined();
        expect({ clue: read.data.clue !== null, list: (await visibleList(actor)).has(byState.ASSIGNED) }).toEqual({
          clue: sees,
          list: sees,
        });
        // Read-only callers get no button, except the pending transfer's receiver: accept or return.
        const receiver =
          facts.transfer?.status === 'PENDING' && same(actor, facts.transfer.to) && CASE_WORKERS.includes(actor.role);
        if (outcome === 'READ')
          expect(read.data.clue.allowedEvents.sort()).toEqual(
            receiver ? ['TRANSFER_ACCEPTED', 'TRANSFER_RETURNED'] : [],
          );

        // Changing: each mutation from the state in which the owner may fire it.
        const target = toGlobalId('Department', await departmentIdOf(t.services, 'HEALTH', NEIGHBOUR));
        const want = outcome === 'CHANGE' ? 'OK' : outcome === 'READ' ? 'FORBIDDEN' : 'NOT_FOUND';
        const results = await Promise.all(
          MUTATIONS.map(async (m) => {
            const clueId = outcome === 'CHANGE' ? await build(facts, m.state) : byState[m.state];
            const res = await gql(actor, m.query, { id: clueId, ...(m.vars.to ? { to: target } : {}) });
            const got = res.errors ? res.errors[0].extensions?.code : 'OK';
            if (got === 'FORBIDDEN') forbidden.push({ username: username(actor), field: `Mutation.${m.name}`, clueId });
            return { mutation: m.name, result: got, message: got === want ? undefined : res.errors?.[0]?.message };
          }),
        );
        expect(results).toEqual(MUTATIONS.map((m) => ({ mutation: m.name, result: want, message: undefined })));
        if (outcome !== 'CHANGE') {
          const [row] = await t.services.db.query('SELECT status FROM clue WHERE id = $1', [rowId(byState.ASSIGNED)]);
          expect(row.status).toBe(facts.transfer?.status === 'PENDING' ? 'TRANSFER_PENDING' : 'ASSIGNED');
        }
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and clue', async () => {
    expect(forbidden.length).toBeGreaterThan(100);
    const denied: { username: string; field: string; clue_id: string }[] = await t.services.db.query(
      `SELECT u.username, a.detail->>'field' AS field, coalesce(a.detail->'args'->>'clueId', a.detail->'args'->'input'->>'clueId') AS clue_id
       FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE a.action = 'denied'`,
    );
    const audited = new Set(denied.map((d) => `${d.username}|${d.field}|${d.clue_id}`));
    const missing = forbidden.filter((f) => !audited.has(`${f.username}|${f.field}|${f.clueId}`));
    expect(missing).toEqual([]);
  });

  it('police see nothing that was not routed or transferred to them', async () => {
    for (const role of ['INVESTIGATOR', 'LEADER', 'ANALYST'] as Role[]) {
      for (const region of [COUNTY, CITY, NEIGHBOUR]) {
        const police: Actor = { kind: 'PUBLIC_SECURITY', region, role };
        const ids = [...(await visibleList(police))].map(rowId);
        const unexplained = await t.services.db.query(
          `SELECT c.id FROM clue c WHERE c.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM department d WHERE d.id = c.owner_department_id AND d.kind = 'PUBLIC_SECURITY')
             AND NOT EXISTS (SELECT 1 FROM clue_transfer ct JOIN department d ON d.id IN (ct.from_department_id, ct.to_department_id)
                             WHERE ct.clue_id = c.id AND d.kind = 'PUBLIC_SECURITY' AND d.region_code = $2)
             AND NOT EXISTS (SELECT 1 FROM clue_copy cc JOIN department d ON d.id = cc.department_id
                             WHERE cc.clue_id = c.id AND d.kind = 'PUBLIC_SECURITY' AND d.region_code = $2)`,
          [ids, region],
        );
        expect({ role, region, unexplained }).toEqual({ role, region, unexplained: [] });
      }
    }
  });

  it('ADMINs read no clue content: empty lists, null nodes', async () => {
    for (const kind of KINDS) {
      for (const region of ['610000', CITY, COUNTY]) {
        const admin: Actor = { kind, region, role: 'ADMIN' };
        const res = await gql(admin, '{ clues(first: 100) { totalCount } transfers(first: 100) { totalCount } }');
        expect({ admin: username(admin), res: res.data }).toEqual({
          admin: username(admin),
          res: { clues: { totalCount: 0 }, transfers: { totalCount: 0 } },
        });
      }
    }
  });
});
