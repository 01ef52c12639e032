/**
 * Who sees and who acts on a supervision item (督办事项; PRODUCT.md §5–§6, docs/WORKFLOWS.md
 * "Supervision items"), as a table: every role × every agency × every relation of the caller's
 * department to the item. The expectations are not listed by hand: expectedItem() below is the
 * spec written as code (never read off src/policy), and each row checks the real API against it.
 *
 *   - An item is seen by its creating department (the supervising leader's) and its assigned
 *     department, by departments of the same kind inside whose jurisdiction either lies, and by
 *     纪委 when either lies inside its jurisdiction. Not by the target's owner as such.
 *   - Its target (clue, case, transfer) shows only to those who see the target itself: the
 *     assigned department may not.
 *   - Progress is reported by case workers (INVESTIGATOR, SUPERVISOR, LEADER) of the assigned
 *     or of the creating department; completing and cancelling are for a LEADER of the creating
 *     department.
 *   - Only LEADERs create items, over a target their department sees.
 *   - ADMINs read no case content. Denials are FORBIDDEN (and audited); unseen ids NOT_FOUND.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  ClueFacts,
  clueOutcome,
  Code,
  COUNTY,
  covers,
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
  same,
  THIRD,
  matrixRows,
  expectCompleteMatrix,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { insertSupervisionItem, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** What is true of an item, independent of who asks. */
interface ItemFacts {
  /** The department of the leader who created it (the supervising department). */
  creator: Dept;
  /** The department that must act. */
  assignee: Dept;
  /** Its target, a clue, with that clue's own facts. */
  target: ClueFacts;
}

/** CLOSE: reports, completes and cancels; REPORT: reports progress; READ: sees it only; NONE: does not see it. */
type ItemOutcome = 'CLOSE' | 'REPORT' | 'READ' | 'NONE';

/** The spec for a supervision item, as code. */
function expectedItem(actor: Actor, item: ItemFacts): ItemOutcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const sees = [item.creator, item.assignee].some(
    (d) => (d.kind === actor.kind || actor.kind === 'DISCIPLINE') && covers(actor.region, d.region),
  );
  if (!sees) return 'NONE';
  if (actor.role === 'LEADER' && same(actor, item.creator)) return 'CLOSE';
  if (isCaseWorker(actor) && (same(actor, item.creator) || same(actor, item.assignee))) return 'REPORT';
  return 'READ';
}

/** The caller's department's relation to the item: where the caller sits, and the item's facts. */
interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): ItemFacts;
}
/** `k` supervises, `OTHER[k]` acts, on a clue `k` transferred to it. */
const supervising = (k: Kind): ItemFacts => ({
  creator: { kind: k, region: COUNTY },
  assignee: { kind: OTHER[k], region: COUNTY },
  target: {
    owner: { kind: OTHER[k], region: COUNTY },
    clueRegion: COUNTY,
    transfer: { from: { kind: k, region: COUNTY }, to: { kind: OTHER[k], region: COUNTY }, status: 'ACCEPTED' },
  },
});
/** `OTHER[k]` supervises, `k` acts, on a clue `OTHER[k]` transferred to it. */
const supervised = (k: Kind): ItemFacts => ({
  creator: { kind: OTHER[k], region: COUNTY },
  assignee: { kind: k, region: COUNTY },
  target: {
    owner: { kind: k, region: COUNTY },
    clueRegion: COUNTY,
    transfer: { from: { kind: OTHER[k], region: COUNTY }, to: { kind: k, region: COUNTY }, status: 'ACCEPTED' },
  },
});
const RELATIONS: Relation[] = [
  { name: 'creator (the supervising leader’s department)', actorRegion: COUNTY, facts: supervising },
  { name: 'assignee (the department that must act)', actorRegion: COUNTY, facts: supervised },
  {
    // Assigned to act on a clue of another city that it does not see.
    name: 'assignee that cannot see the target',
    actorRegion: COUNTY,
    facts: (k) => ({
      creator: { kind: OTHER[k], region: FAR },
      assignee: { kind: k, region: COUNTY },
      target: { owner: { kind: OTHER[k], region: FAR }, clueRegion: FAR },
    }),
  },
  { name: 'same-kind city above the creator', actorRegion: CITY, facts: supervising },
  { name: 'same-kind city above the assignee', actorRegion: CITY, facts: supervised },
  { name: 'other county, same kind', actorRegion: NEIGHBOUR, facts: supervising },
  {
    // Another agency's city supervises its county over the caller's clue.
    name: 'owner of the target, neither creator nor assignee',
    actorRegion: COUNTY,
    facts: (k) => ({
      creator: { kind: OTHER[k], region: CITY },
      assignee: { kind: OTHER[k], region: COUNTY },
      target: { owner: { kind: k, region: COUNTY }, clueRegion: COUNTY },
    }),
  },
  {
    name: 'between two other agencies, same county',
    actorRegion: COUNTY,
    facts: (k) => ({
      creator: { kind: OTHER[k], region: COUNTY },
      assignee: { kind: THIRD[k], region: COUNTY },
      target: { owner: { kind: THIRD[k], region: COUNTY }, clueRegion: COUNTY },
    }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({
      creator: { kind: OTHER[k], region: FAR },
      assignee: { kind: THIRD[k], region: FAR },
      target: { owner: { kind: THIRD[k], region: FAR }, clueRegion: FAR },
    }),
  },
];

const progressCode = (o: ItemOutcome): Code => (o === 'NONE' ? 'NOT_FOUND' : o === 'READ' ? 'FORBIDDEN' : 'OK');
const closeCode = (o: ItemOutcome): Code => (o === 'NONE' ? 'NOT_FOUND' : o === 'CLOSE' ? 'OK' : 'FORBIDDEN');

/** Each mutation, how the spec answers it, and how to call it (on the item, or over its target clue). */
const MUTATIONS: {
  name: string;
  /** The Mutation field, when `name` is not it. */
  field?: string;
  /** On a fresh target whatever the expectation: a wrong success would move the shared one away. */
  alwaysFresh?: boolean;
  on: 'item' | 'target';
  query: string;
  want(actor: Actor, facts: ItemFacts): Code;
}[] = [
  {
    name: 'reportSupervisionProgress',
    on: 'item',
    query: `mutation($id: ID!) { reportSupervisionProgress(id: $id, note: "已约谈院方") { id } }`,
    want: (a, f) => progressCode(expectedItem(a, f)),
  },
  {
    name: 'completeSupervisionItem',
    on: 'item',
    query: `mutation($id: ID!) { completeSupervisionItem(id: $id) { id status } }`,
    want: (a, f) => closeCode(expectedItem(a, f)),
  },
  {
    name: 'cancelSupervisionItem',
    on: 'item',
    query: `mutation($id: ID!) { cancelSupervisionItem(id: $id, reason: "已另案处理") { id status } }`,
    want: (a, f) => closeCode(expectedItem(a, f)),
  },
  {
    name: 'createSupervisionItem',
    on: 'target',
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: LISTED_SUPERVISION, title: "矩阵督办", clueId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (a, f) => createSupervisionCode(a, clueOutcome(a, f.target) !== 'NONE'),
  },
  {
    name: 'createSupervisionItem 指定管辖',
    field: 'createSupervisionItem',
    alwaysFresh: true,
    on: 'target',
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: DESIGNATED_JURISDICTION, title: "矩阵指定管辖", clueId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (a, f) => designateCode(a, f.target.owner, clueOutcome(a, f.target) !== 'NONE'),
  },
];

const ROWS = matrixRows(RELATIONS, expectedItem, MUTATIONS);

describe('supervision item access matrix (PRODUCT.md §5–§6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  /** The OPEN item of each (relation, kind) and its target clue (global ids); neither ever changes. */
  const shared = new Map<string, { item: string; clue: string }>();

  const buildItem = async (facts: ItemFacts, clue: string): Promise<string> =>
    toGlobalId(
      'SupervisionItem',
      await insertSupervisionItem(t.services, {
        creator: facts.creator,
        assignee: facts.assignee,
        clueId: rowId(clue),
      }),
    );

  /** A VERIFYING clue with the target's facts (a state 指定管辖 applies to). */
  const buildTarget = async (facts: ItemFacts): Promise<string> =>
    toGlobalId('Clue', (await insertClueWithFacts(t, facts.target, 'VERIFYING')).clueId);

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    await Promise.all(
      RELATIONS.flatMap((relation) =>
        KINDS.map(async (kind) => {
          const facts = relation.facts(kind);
          const clue = await buildTarget(facts);
          shared.set(`${relation.name}|${kind}`, { clue, item: await buildItem(facts, clue) });
        }),
      ),
    );
  });
  afterAll(() => t?.close());

  it('the table covers every role, agency and relation, and has every outcome and answer', () => {
    expectCompleteMatrix(ROWS, RELATIONS, MUTATIONS);
    expect([...new Set(ROWS.map((r) => r.outcome))].sort()).toEqual(['CLOSE', 'NONE', 'READ', 'REPORT']);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r.outcome, r] as const))(
      '%s → %s',
      async (_who, outcome, row) => {
        const { actor, facts } = row;
        const own = shared.get(`${relation.name}|${actor.kind}`)!;
        const sees = outcome !== 'NONE';

        // Reading: node(id) and the supervisionItems list agree; the target only for who sees it; buttons for the creator's leaders.
        const read = await s.gql(
          actor,
          `query($id: ID!) { node(id: $id) { ... on SupervisionItem { id allowedEvents clue { id } } } }`,
          { id: own.item },
        );
        expect(read.errors).toBeUndefined();
        expect({
          node: read.data.node !== null,
          list: (await s.list(actor, 'supervisionItems')).has(own.item),
        }).toEqual({
          node: sees,
          list: sees,
        });
        if (sees) {
          expect({ target: read.data.node.clue !== null, events: read.data.node.allowedEvents.sort() }).toEqual({
            target: clueOutcome(actor, facts.target) !== 'NONE',
            events: { CLOSE: ['CANCEL', 'COMPLETE', 'REPORT_PROGRESS'], REPORT: ['REPORT_PROGRESS'], READ: [], NONE: [] }[outcome],
          });
        }

        // Acting: on a fresh item (over the same target), or a fresh target, where the mutation is expected to succeed.
        const dept = await departmentGid(t, { kind: 'HEALTH', region: ELSEWHERE });
        const results = await Promise.all(
          MUTATIONS.map(async (m, i) => {
            const want = row.wants[i].result;
            const fresh = want === 'OK' || m.alwaysFresh;
            const id = !fresh
              ? own[m.on === 'target' ? 'clue' : 'item']
              : m.on === 'target'
                ? await buildTarget(facts)
                : await buildItem(facts, own.clue);
            return s.mutate(actor, m.field ?? m.name, m.query, { id, dept }, id, want, m.name);
          }),
        );
        expect(results).toEqual(row.wants);

        // Nothing shared changed (a LISTED_SUPERVISION item leaves its target alone).
        const [state] = await t.services.db.query(
          `SELECT (SELECT status || ' v' || version FROM supervision_item WHERE id = $1) AS item,
                (SELECT count(*)::int FROM supervision_progress WHERE item_id = $1) AS progress,
                (SELECT status || ' v' || version FROM clue WHERE id = $2) AS target`,
          [rowId(own.item), rowId(own.clue)],
        );
        expect(state).toEqual({ item: 'OPEN v1', progress: 0, target: 'VERIFYING v1' });
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(200);
    expect(await s.unauditedDenials()).toEqual([]);
  });

  it('police see no item that was neither created by nor assigned to a 公安 department', async () => {
    for (const role of ['INVESTIGATOR', 'LEADER', 'ANALYST'] as const) {
      for (const region of [COUNTY, CITY, NEIGHBOUR]) {
        const police: Actor = { kind: 'PUBLIC_SECURITY', region, role };
        const ids = [...(await s.list(police, 'supervisionItems'))].map(rowId);
        const unexplained = await t.services.db.query(
          `SELECT s.id FROM supervision_item s WHERE s.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM department d WHERE d.kind = 'PUBLIC_SECURITY'
                             AND d.id IN (s.creator_department_id, s.assigned_to_department_id))`,
          [ids],
        );
        expect({ role, region, unexplained }).toEqual({ role, region, unexplained: [] });
      }
    }
  });
});
