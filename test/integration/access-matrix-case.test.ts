/**
 * Who sees and who changes a case (PRODUCT.md §6, docs/WORKFLOWS.md "Cases" and "Access"), as
 * a table: every role × every agency × every relation of the caller's department to the case.
 * The expectations are not listed by hand: expectedCase() below is the spec written as code
 * (never read off src/policy), and each row checks the real API against it.
 *
 *   - A department sees the cases it owns and those of departments of the same kind inside its
 *     jurisdiction; 纪委 reads every case inside its jurisdiction (read-only unless it owns it).
 *   - Cases are transferred and copied through their clues: whoever sees one of a case's clues
 *     (the clue's sender or receiver, the department it was copied to, …) reads the case.
 *   - Only the owning department's INVESTIGATOR, SUPERVISOR or LEADER change a case
 *     (transitions, sanctions, rectification items, links); openCase needs the clue's owner.
 *   - A rectification item is also visible to the department that must rectify, and is
 *     completed by a case worker of that department or of the case's owner.
 *   - Only LEADERs create supervision items, over a case their department sees.
 *   - ADMINs read no case content. Denials are FORBIDDEN (and audited); unseen ids NOT_FOUND.
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
  covers,
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
  Role,
  same,
  matrixRows,
  expectCompleteMatrix,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { insertCase, insertRectification, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** What is true of a case, independent of who asks. */
interface CaseFacts {
  owner: Dept;
  caseRegion: string;
  /** The clue it was filed from (CASE_OPENED), with that clue's own facts. */
  clue: ClueFacts;
  /** The department that must carry out its rectification item (整改责任单位). */
  rectifier: Dept;
}

/** PRODUCT.md §6 for a case, as code. */
function expectedCase(actor: Actor, c: CaseFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const owns = same(actor, c.owner);
  const sameKindBelow = c.owner.kind === actor.kind && covers(actor.region, c.owner.region);
  const disciplineReads = actor.kind === 'DISCIPLINE' && covers(actor.region, c.caseRegion);
  const throughItsClue = clueOutcome(actor, c.clue) !== 'NONE';
  if (!(owns || sameKindBelow || disciplineReads || throughItsClue)) return 'NONE';
  return owns && isCaseWorker(actor) ? 'CHANGE' : 'READ';
}

/** A rectification item: seen with its case or by the rectifying department; done by its or the owner's case workers. */
function expectedRectification(actor: Actor, c: CaseFacts): Code {
  if (actor.role === 'ADMIN') return 'NOT_FOUND';
  const rectifies = same(actor, c.rectifier);
  if (!rectifies && expectedCase(actor, c) === 'NONE') return 'NOT_FOUND';
  return isCaseWorker(actor) && (rectifies || same(actor, c.owner)) ? 'OK' : 'FORBIDDEN';
}

/** Nobody of the matrix sits in or above 渭城区: the default rectifying department. */
const NOBODY: Dept = { kind: 'HEALTH', region: ELSEWHERE };
const plain = (owner: Dept, region = owner.region): CaseFacts => ({
  owner,
  caseRegion: region,
  clue: { owner, clueRegion: region },
  rectifier: NOBODY,
});

/** The caller's department's relation to the case: where the caller sits, and the case's facts. */
interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): CaseFacts;
}
const RELATIONS: Relation[] = [
  { name: 'owner county', actorRegion: COUNTY, facts: (k) => plain({ kind: k, region: COUNTY }) },
  { name: 'same-kind city above the owner', actorRegion: CITY, facts: (k) => plain({ kind: k, region: COUNTY }) },
  { name: 'other county, same kind', actorRegion: NEIGHBOUR, facts: (k) => plain({ kind: k, region: COUNTY }) },
  {
    name: 'sent the clue by transfer (the receiver filed the case)',
    actorRegion: COUNTY,
    facts: (k) => ({
      ...plain({ kind: OTHER[k], region: COUNTY }),
      clue: {
        owner: { kind: OTHER[k], region: COUNTY },
        clueRegion: COUNTY,
        transfer: { from: { kind: k, region: COUNTY }, to: { kind: OTHER[k], region: COUNTY }, status: 'ACCEPTED' },
      },
    }),
  },
  {
    // From another city, so that nothing but the copy links the caller to it.
    name: 'its clue copied to (抄送)',
    actorRegion: COUNTY,
    facts: (k) => ({
      ...plain({ kind: OTHER[k], region: FAR }),
      clue: { owner: { kind: OTHER[k], region: FAR }, clueRegion: FAR, copiedTo: { kind: k, region: COUNTY } },
    }),
  },
  {
    // 指定管辖 moved the case to the neighbour county; the caller still owns the clue it filed.
    name: 'filed it, then 指定管辖 moved it away',
    actorRegion: COUNTY,
    facts: (k) => ({
      owner: { kind: k, region: NEIGHBOUR },
      caseRegion: COUNTY,
      clue: { owner: { kind: k, region: COUNTY }, clueRegion: COUNTY },
      rectifier: NOBODY,
    }),
  },
  {
    name: 'rectifying department (整改责任单位), case elsewhere',
    actorRegion: COUNTY,
    facts: (k) => ({ ...plain({ kind: OTHER[k], region: FAR }), rectifier: { kind: k, region: COUNTY } }),
  },
  { name: 'other agency, same county', actorRegion: COUNTY, facts: (k) => plain({ kind: OTHER[k], region: COUNTY }) },
  { name: 'unrelated (other city)', actorRegion: COUNTY, facts: (k) => plain({ kind: OTHER[k], region: FAR }) },
];

/** The shared entities of one (relation, kind), all global ids; none of them ever changes. */
interface Shared {
  /** A SUBSTANTIATED clue with the case's clue facts, to file a case from. */
  clue: string;
  FILED: string;
  INVESTIGATING: string;
  REVIEWING: string;
  RECTIFYING: string;
  /** An OPEN rectification item of the RECTIFYING case, for the rectifier. */
  item: string;
}
type CaseState = 'FILED' | 'INVESTIGATING' | 'REVIEWING' | 'RECTIFYING';

interface Call {
  vars: Record<string, unknown>;
  target: string;
}
/**
 * Each mutation: how §6 answers it, and how to call it — on the shared entity, or on a fresh
 * one (`fresh`) when it is expected to succeed (or `alwaysFresh`), so that no row depends on
 * another.
 */
interface CaseMutation {
  name: string;
  /** The Mutation field, when `name` is not it. */
  field?: string;
  /** On a fresh entity whatever the expectation: a wrong success would move the shared one away. */
  alwaysFresh?: boolean;
  query: string;
  want(actor: Actor, facts: CaseFacts): Code;
  call(shared: Shared, fresh: FreshBuilder | null, ctx: { dept: string }): Promise<Call>;
}
interface FreshBuilder {
  clue(): Promise<string>;
  case(state: CaseState): Promise<string>;
  item(): Promise<string>;
}
const caseWant = (actor: Actor, facts: CaseFacts) => codeFor(expectedCase(actor, facts));
const MUTATIONS: CaseMutation[] = [
  {
    name: 'openCase',
    query: `mutation($id: ID!) { openCase(input: { clueIds: [$id], title: "矩阵立案" }) { id } }`,
    want: (actor, facts) => codeFor(clueOutcome(actor, facts.clue)),
    call: async (s, fresh) => {
      const id = fresh ? await fresh.clue() : s.clue;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'transitionCase',
    query: `mutation($id: ID!) { transitionCase(caseId: $id, event: START_INVESTIGATION) { id status } }`,
    want: caseWant,
    call: async (s, fresh) => {
      const id = fresh ? await fresh.case('FILED') : s.FILED;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'addSanction',
    query: `mutation($id: ID!) { addSanction(input: { caseId: $id, kind: INTERVIEW, institutionCode: "H610302001" }) { id } }`,
    want: caseWant,
    call: async (s, fresh) => {
      const id = fresh ? await fresh.case('INVESTIGATING') : s.INVESTIGATING;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'addRectification',
    query: `mutation($id: ID!, $dept: ID!) {
      addRectification(input: { caseId: $id, description: "矩阵整改", ownerDepartmentId: $dept, deadline: "2099-12-31" }) { id } }`,
    want: caseWant,
    call: async (s, fresh, { dept }) => {
      const id = fresh ? await fresh.case('REVIEWING') : s.REVIEWING;
      return { vars: { id, dept }, target: id };
    },
  },
  {
    name: 'completeRectification',
    query: `mutation($id: ID!) { completeRectification(id: $id, note: "已整改") { id status } }`,
    want: expectedRectification,
    call: async (s, fresh) => {
      const id = fresh ? await fresh.item() : s.item;
      return { vars: { id }, target: id };
    },
  },
  {
    // The caller must own the first case and see the second (both have the row's facts).
    name: 'linkCases',
    query: `mutation($id: ID!, $other: ID!) { linkCases(caseId: $id, otherCaseId: $other, kind: RELATED) { id } }`,
    want: caseWant,
    call: async (s, fresh) => {
      const id = fresh ? await fresh.case('FILED') : s.FILED;
      return { vars: { id, other: s.INVESTIGATING }, target: id };
    },
  },
  {
    name: 'createSupervisionItem',
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: LISTED_SUPERVISION, title: "矩阵督办", caseId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (actor, facts) => createSupervisionCode(actor, expectedCase(actor, facts) !== 'NONE'),
    call: async (s, fresh, { dept }) => {
      const id = fresh ? await fresh.case('FILED') : s.FILED;
      return { vars: { id, dept }, target: id };
    },
  },
  {
    name: 'createSupervisionItem 指定管辖',
    field: 'createSupervisionItem',
    alwaysFresh: true,
    query: `mutation($id: ID!, $dept: ID!) {
      createSupervisionItem(input: { kind: DESIGNATED_JURISDICTION, title: "矩阵指定管辖", caseId: $id, assignedToDepartmentId: $dept,
                                     deadline: "2099-12-31T00:00:00Z" }) { id } }`,
    want: (actor, facts) => designateCode(actor, facts.owner, expectedCase(actor, facts) !== 'NONE'),
    call: async (s, fresh, { dept }) => {
      const id = fresh ? await fresh.case('FILED') : s.FILED;
      return { vars: { id, dept }, target: id };
    },
  },
];

const ROWS = matrixRows(RELATIONS, expectedCase, MUTATIONS);

describe('case access matrix (PRODUCT.md §6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const shared = new Map<string, Shared>();

  const buildClue = async (facts: CaseFacts, state: string) => (await insertClueWithFacts(t, facts.clue, state)).clueId;
  /** A case with the given facts in the given state, filed from its own CASE_OPENED clue; row id. */
  const buildCase = async (facts: CaseFacts, status: CaseState) =>
    insertCase(t.services, {
      ownerKind: facts.owner.kind,
      ownerRegion: facts.owner.region,
      regionCode: facts.caseRegion,
      status,
      clueIds: [await buildClue(facts, 'CASE_OPENED')],
    });
  const freshBuilder = (facts: CaseFacts, own: Shared): FreshBuilder => ({
    clue: async () => toGlobalId('Clue', await buildClue(facts, 'SUBSTANTIATED')),
    case: async (state) => toGlobalId('Case', await buildCase(facts, state)),
    item: async () =>
      toGlobalId('RectificationItem', await insertRectification(t.services, rowId(own.RECTIFYING), facts.rectifier)),
  });

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    await Promise.all(
      RELATIONS.flatMap((relation) =>
        KINDS.map(async (kind) => {
          const facts = relation.facts(kind);
          const cases = {} as Record<CaseState, string>;
          for (const state of ['FILED', 'INVESTIGATING', 'REVIEWING', 'RECTIFYING'] as CaseState[]) {
            cases[state] = toGlobalId('Case', await buildCase(facts, state));
          }
          const item = await insertRectification(t.services, rowId(cases.RECTIFYING), facts.rectifier);
          shared.set(`${relation.name}|${kind}`, {
            ...cases,
            clue: toGlobalId('Clue', await buildClue(facts, 'SUBSTANTIATED')),
            item: toGlobalId('RectificationItem', item),
          });
        }),
      ),
    );
  });
  afterAll(() => t?.close());

  it('the table covers every role, agency and relation, and has every outcome and answer', () => {
    expectCompleteMatrix(ROWS, RELATIONS, MUTATIONS);
    expect([...new Set(ROWS.map((r) => r.outcome))].sort()).toEqual(['CHANGE', 'NONE', 'READ']);
  });

  describe.each(RELATIONS.map((r) => [r.name, r] as const))('%s', (_name, relation) => {
    it.each(ROWS.filter((r) => r.relation === relation).map((r) => [who(r.actor), r.outcome, r] as const))(
      '%s → %s',
      async (_who, outcome, row) => {
        const { actor, facts } = row;
        const own = shared.get(`${relation.name}|${actor.kind}`)!;
        const sees = outcome !== 'NONE';

        // Reading: case(id) and the cases list agree; read-only callers get no button.
        const read = await s.gql(actor, `query($id: ID!) { case(id: $id) { id allowedEvents } }`, { id: own.FILED });
        expect(read.errors).toBeUndefined();
        expect({ case: read.data.case !== null, list: (await s.list(actor, 'cases')).has(own.FILED) }).toEqual({
          case: sees,
          list: sees,
        });
        if (sees) expect(read.data.case.allowedEvents).toEqual(outcome === 'CHANGE' ? ['START_INVESTIGATION'] : []);

        // The rectification item: visible with the case or to the rectifier; its case only with the case.
        const item = await s.gql(
          actor,
          `query($id: ID!) { node(id: $id) { ... on RectificationItem { id case { id } } } }`,
          {
            id: own.item,
          },
        );
        expect(item.errors).toBeUndefined();
        const seesItem = expectedRectification(actor, facts) !== 'NOT_FOUND';
        expect({ item: item.data.node !== null, case: item.data.node?.case != null }).toEqual({
          item: seesItem,
          case: seesItem && sees,
        });

        // Changing: each mutation, on a fresh entity where it is expected to succeed.
        const dept = await departmentGid(t, NOBODY);
        const results = await Promise.all(
          MUTATIONS.map(async (m, i) => {
            const want = row.wants[i].result;
            const fresh = want === 'OK' || m.alwaysFresh ? freshBuilder(facts, own) : null;
            const { vars, target } = await m.call(own, fresh, { dept });
            return s.mutate(actor, m.field ?? m.name, m.query, vars, target, want, m.name);
          }),
        );
        expect(results).toEqual(row.wants);

        // Nothing shared changed.
        const [state] = await t.services.db.query(
          `SELECT (SELECT status FROM clue WHERE id = $1) AS clue,
                (SELECT status || ' v' || version FROM "case" WHERE id = $2) AS filed,
                (SELECT count(*)::int FROM sanction WHERE case_id = $3) AS sanctions,
                (SELECT count(*)::int FROM rectification_measure rm JOIN problem p ON p.id = rm.problem_id
                 WHERE p.source = 'CASE' AND p.case_id = $4) AS rectifications,
                (SELECT status FROM rectification_measure WHERE id = $5) AS item,
                (SELECT count(*)::int FROM case_relation WHERE case_id = $2) AS links,
                (SELECT count(*)::int FROM supervision_item WHERE case_id = $2) AS supervision`,
          [rowId(own.clue), rowId(own.FILED), rowId(own.INVESTIGATING), rowId(own.REVIEWING), rowId(own.item)],
        );
        expect(state).toEqual({
          clue: 'SUBSTANTIATED',
          filed: 'FILED v1',
          sanctions: 0,
          rectifications: 0,
          item: 'OPEN',
          links: 0,
          supervision: 0,
        });
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(200);
    expect(await s.unauditedDenials()).toEqual([]);
  });

  it('police see no case that did not reach them (owned by 公安, or a clue transferred to or copied to them)', async () => {
    for (const role of ['INVESTIGATOR', 'LEADER', 'ANALYST'] as Role[]) {
      for (const region of [COUNTY, CITY, NEIGHBOUR]) {
        const police: Actor = { kind: 'PUBLIC_SECURITY', region, role };
        const ids = [...(await s.list(police, 'cases'))].map(rowId);
        const unexplained = await t.services.db.query(
          `SELECT k.id FROM "case" k WHERE k.id = ANY($1::uuid[])
             AND NOT EXISTS (SELECT 1 FROM department d WHERE d.id = k.owner_department_id AND d.kind = 'PUBLIC_SECURITY')
             AND NOT EXISTS (SELECT 1 FROM case_clue kc JOIN clue c ON c.id = kc.clue_id
                             LEFT JOIN clue_transfer ct ON ct.clue_id = c.id LEFT JOIN clue_copy cc ON cc.clue_id = c.id
                             JOIN department d ON d.id IN (c.owner_department_id, ct.from_department_id, ct.to_department_id, cc.department_id)
                             WHERE kc.case_id = k.id AND d.kind = 'PUBLIC_SECURITY')`,
          [ids],
        );
        expect({ role, region, unexplained }).toEqual({ role, region, unexplained: [] });
      }
    }
  });

  it('ADMINs read no case content: empty lists', async () => {
    for (const kind of KINDS) {
      for (const region of ['610000', CITY, COUNTY]) {
        const admin: Actor = { kind, region, role: 'ADMIN' };
        const res = await s.gql(
          admin,
          '{ cases(first: 100) { totalCount } supervisionItems(first: 100) { totalCount } }',
        );
        expect({ kind, region, res: res.data }).toEqual({
          kind,
          region,
          res: { cases: { totalCount: 0 }, supervisionItems: { totalCount: 0 } },
        });
      }
    }
  });
});
