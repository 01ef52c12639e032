/**
 * Who sees and who acts on a clue transfer (线索移送; PRODUCT.md §5–§6, docs/WORKFLOWS.md
 * "Transfer states"), as a table: every role × every agency × every relation of the caller's
 * department to the transfer, in both states that have events (PENDING, ACCEPTED). The
 * expectations are not listed by hand: expectedTransfer() below is the spec written as code
 * (never read off src/policy), and each row checks the real API against it.
 *
 *   - A transfer is seen with its clue, and the clue by §6: its owner (the sender while the
 *     transfer is pending, the receiver once it is accepted), departments of the same kind
 *     inside whose jurisdiction the owner lies, the sender and the receiver, the departments
 *     the clue was copied to, 纪委 inside its jurisdiction. Police have no rule of their own.
 *   - Every event (accept, return, feedback, extending the feedback deadline) is for the
 *     receiver's INVESTIGATOR, SUPERVISOR or LEADER; the sender and every other reader are
 *     FORBIDDEN (and audited), whoever does not see the clue NOT_FOUND.
 *   - Only LEADERs create supervision items, over a transfer their department sees.
 *   - ADMINs read no case content.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  ClueFacts,
  clueOutcome,
  Code,
  codeFor,
  COUNTY,
  createSupervisionCode,
  departmentGid,
  designateCode,
  Dept,
  ELSEWHERE,
  FAR,
  insertClueWithFacts,
  isCaseWorker,
  KINDS,
  Kind,
  MatrixSession,
  NEIGHBOUR,
  OTHER,
  Outcome,
  same,
  THIRD,
  matrixRows,
  expectCompleteMatrix,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

type TransferState = 'PENDING' | 'ACCEPTED';
const STATES: TransferState[] = ['PENDING', 'ACCEPTED'];

/** What is true of a transfer, independent of who asks (and of its state). */
interface TransferFacts {
  from: Dept;
  to: Dept;
  clueRegion: string;
  copiedTo?: Dept;
}

/** The clue's facts in a state of its transfer: accepting makes the receiver the owner. */
const clueAt = (t: TransferFacts, state: TransferState): ClueFacts => ({
  owner: state === 'PENDING' ? t.from : t.to,
  clueRegion: t.clueRegion,
  transfer: { from: t.from, to: t.to, status: state },
  copiedTo: t.copiedTo,
});

/** The spec for a transfer, as code: seen with its clue, acted on by the receiver's case workers. */
function expectedTransfer(actor: Actor, t: TransferFacts, state: TransferState): Outcome {
  if (clueOutcome(actor, clueAt(t, state)) === 'NONE') return 'NONE';
  return same(actor, t.to) && isCaseWorker(actor) ? 'CHANGE' : 'READ';
}

/** The caller's department's relation to the transfer: where the caller sits, and the facts. */
interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): TransferFacts;
}
const incoming = (k: Kind): TransferFacts => ({
  from: { kind: OTHER[k], region: COUNTY },
  to: { kind: k, region: COUNTY },
  clueRegion: COUNTY,
});
const outgoing = (k: Kind): TransferFacts => ({
  from: { kind: k, region: COUNTY },
  to: { kind: OTHER[k], region: COUNTY },
  clueRegion: COUNTY,
});
const RELATIONS: Relation[] = [
  { name: 'receiver', actorRegion: COUNTY, facts: incoming },
  { name: 'sender', actorRegion: COUNTY, facts: outgoing },
  { name: 'same-kind city above the receiver', actorRegion: CITY, facts: incoming },
  { name: 'same-kind city above the sender', actorRegion: CITY, facts: outgoing },
  { name: 'other county, same kind as the receiver', actorRegion: NEIGHBOUR, facts: incoming },
  {
    // Between two departments of another city, so that nothing but the copy links the caller to it.
    name: 'its clue copied to (抄送)',
    actorRegion: COUNTY,
    facts: (k) => ({
      from: { kind: OTHER[k], region: FAR },
      to: { kind: THIRD[k], region: FAR },
      clueRegion: FAR,
      copiedTo: { kind: k, region: COUNTY },
    }),
  },
  {
    name: 'between two other agencies, same county',
    actorRegion: COUNTY,
    facts: (k) => ({
      from: { kind: OTHER[k], region: COUNTY },
      to: { kind: THIRD[k], region: COUNTY },
      clueRegion: COUNTY,
    }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({ from: { kind: OTHER[k], region: FAR }, to: { kind: THIRD[k], region: FAR }, clueRegion: FAR }),
  },
];

/** Each mutation, the state its receiver may fire it in, how §6 answers it, and how to call it. */
const MUTATIONS: {
  name: string;
  /** The Mutation field, when `name` is not it. */
  field?: string;
  /** On a fresh transfer whatever the expectation: a wrong success would move the shared one away. */
  alwaysFresh?: boolean;
  state: TransferState;
  query: string;
  want(actor: Actor, facts: TransferFacts): Code;
}[] = [
  {
    name: 'acceptTransfer',
    state: 'PENDING',
    query: `mutation($id: ID!) { acceptTransfer(transferId: $id) { id status } }`,
    want: (a, f) => codeFor(expectedTransfer(a, f, 'PENDING')),
  },
  {
    name: 'returnTransfer',
    state: 'PENDING',
    query: `mutation($id: ID!) { returnTransfer(transferId: $id, reason: "不属本部门管辖") { id status } }`,
    want: (a, f) => codeFor(expectedTransfer(a, f, 'PENDING')),
  },
  {
    name: 'submitTransferFeedback',
    state: 'ACCEPTED',
    query: `mutation($id: ID!) { submitTransferFeedback(transferId: $id, feedback: "已立案侦查") { id status } }`,
    want: (a, f) => codeFor(expectedTransfer(a, f, 'ACCEPTED')),
  },
  {
    name: 'extendTransferFeedback',
    state: 'ACCEPTED',
    query: `mutation($id: ID!) { extendTransferFeedback(transferId: $id, months: 3, reason: "案情复杂") { id status } }`,
    want: (a, f) => codeFor(expectedTransfer(a, f, 'ACCEPTED')),
  },
  {
    name: 'createSupervisionItem',
    state: 'PENDING',
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: LISTED_SUPERVISION, title: "矩阵督办", transferId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (a, f) => createSupervisionCode(a, expectedTransfer(a, f, 'PENDING') !== 'NONE'),
  },
  {
    // Moves the pending transfer to another receiver; the sender owns the clue until it is accepted.
    name: 'createSupervisionItem 指定管辖',
    field: 'createSupervisionItem',
    alwaysFresh: true,
    state: 'PENDING',
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: DESIGNATED_JURISDICTION, title: "矩阵指定管辖", transferId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (a, f) => designateCode(a, f.from, expectedTransfer(a, f, 'PENDING') !== 'NONE'),
  },
];

const ROWS = matrixRows(
  RELATIONS,
  (actor, facts) =>
    Object.fromEntries(STATES.map((state) => [state, expectedTransfer(actor, facts, state)])) as Record<
      TransferState,
      Outcome
    >,
  MUTATIONS,
);

/** The buttons §5 gives the receiver's case workers in each state; readers get none. */
const RECEIVER_EVENTS: Record<TransferState, string[]> = { PENDING: ['ACCEPT', 'RETURN'], ACCEPTED: ['EXTEND_FEEDBACK', 'GIVE_FEEDBACK'] };

describe('transfer access matrix (PRODUCT.md §5–§6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  /** The transfers of each (relation, kind) in each state (global ids); none of them ever changes. */
  const shared = new Map<string, Record<TransferState, string>>();

  const build = async (facts: TransferFacts, state: TransferState): Promise<string> =>
    toGlobalId('ClueTransfer', (await insertClueWithFacts(t, clueAt(facts, state), 'ASSIGNED')).transferId!);

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    await Promise.all(
      RELATIONS.flatMap((relation) =>
        KINDS.map(async (kind) => {
          const facts = relation.facts(kind);
          shared.set(`${relation.name}|${kind}`, {
            PENDING: await build(facts, 'PENDING'),
            ACCEPTED: await build(facts, 'ACCEPTED'),
          });
        }),
      ),
    );
  });
  afterAll(() => t?.close());

  it('the table covers every role, agency and relation, and has every outcome and answer', () => {
    expectCompleteMatrix(ROWS, RELATIONS, MUTATIONS);
    for (const state of STATES) {
      expect({ state, outcomes: [...new Set(ROWS.map((r) => r.outcome[state]))].sort() }).toEqual({
        state,
        outcomes: ['CHANGE', 'NONE', 'READ'],
      });
    }
    // Visibility moves with ownership: some rows see the pending transfer but not the accepted one, and the reverse.
    expect(ROWS.some((r) => r.outcome.PENDING === 'NONE' && r.outcome.ACCEPTED !== 'NONE')).toBe(true);
    expect(ROWS.some((r) => r.outcome.PENDING !== 'NONE' && r.outcome.ACCEPTED === 'NONE')).toBe(true);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(
      ROWS.filter((r) => r.relation === relation).map(
        (r) => [who(r.actor), r.outcome.PENDING, r.outcome.ACCEPTED, r] as const,
      ),
    )('%s → pending %s, accepted %s', async (_who, _pending, _accepted, row) => {
      const { actor, facts } = row;
      const own = shared.get(`${relation.name}|${actor.kind}`)!;

      // Reading, in both states: node(id) and the transfers list agree; readers get no button.
      for (const state of STATES) {
        const outcome = row.outcome[state];
        const sees = outcome !== 'NONE';
        const read = await s.gql(
          actor,
          `query($id: ID!) { node(id: $id) { ... on ClueTransfer { id allowedEvents clue { id } } } }`,
          {
            id: own[state],
          },
        );
        expect(read.errors).toBeUndefined();
        expect({
          state,
          node: read.data.node !== null,
          list: (await s.list(actor, 'transfers')).has(own[state]),
        }).toEqual({
          state,
          node: sees,
          list: sees,
        });
        if (sees) {
          expect({ state, events: read.data.node.allowedEvents.sort() }).toEqual({
            state,
            events: outcome === 'CHANGE' ? RECEIVER_EVENTS[state] : [],
          });
        }
      }

      // Acting: each mutation from the state its receiver may fire it in, on a fresh transfer where it is expected to succeed.
      const dept = await departmentGid(t, { kind: 'HEALTH', region: ELSEWHERE });
      const results = await Promise.all(
        MUTATIONS.map(async (m, i) => {
          const want = row.wants[i].result;
          const id = want === 'OK' || m.alwaysFresh ? await build(facts, m.state) : own[m.state];
          return s.mutate(actor, m.field ?? m.name, m.query, { id, dept }, id, want, m.name);
        }),
      );
      expect(results).toEqual(row.wants);

      // Nothing shared changed.
      const [state] = await t.services.db.query(
        `SELECT (SELECT t.status || ' v' || t.version || ' ' || c.status FROM clue_transfer t JOIN clue c ON c.id = t.clue_id
                 WHERE t.id = $1) AS pending,
                (SELECT t.status || ' v' || t.version || ' ' || c.status || ' ' || coalesce(t.feedback, '-')
                 FROM clue_transfer t JOIN clue c ON c.id = t.clue_id WHERE t.id = $2) AS accepted,
                (SELECT count(*)::int FROM supervision_item WHERE transfer_id = $1) AS supervision`,
        [rowId(own.PENDING), rowId(own.ACCEPTED)],
      );
      expect(state).toEqual({
        pending: 'PENDING v1 TRANSFER_PENDING',
        accepted: 'ACCEPTED v1 ASSIGNED -',
        supervision: 0,
      });
    });
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and transfer', async () => {
    expect(s.denials).toBeGreaterThan(150);
    expect(await s.unauditedDenials()).toEqual([]);
  });

  it('police see no transfer that does not involve a 公安 department in their jurisdiction (or a copy to them)', async () => {
    for (const role of ['INVESTIGATOR', 'LEADER', 'ANALYST'] as const) {
      for (const region of [COUNTY, CITY, NEIGHBOUR]) {
        const police: Actor = { kind: 'PUBLIC_SECURITY', region, role };
        const ids = [...(await s.list(police, 'transfers'))].map(rowId);
        const unexplained = await t.services.db.query(
          `SELECT t.id FROM clue_transfer t JOIN clue c ON c.id = t.clue_id WHERE t.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM department d WHERE d.kind = 'PUBLIC_SECURITY'
                             AND d.id IN (c.owner_department_id, t.from_department_id, t.to_department_id))
             AND NOT EXISTS (SELECT 1 FROM clue_copy cc JOIN department d ON d.id = cc.department_id
                             WHERE cc.clue_id = c.id AND d.kind = 'PUBLIC_SECURITY')`,
          [ids],
        );
        expect({ role, region, unexplained }).toEqual({ role, region, unexplained: [] });
      }
    }
  });
});
