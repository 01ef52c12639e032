/**
 * Who sees and who changes a problem (问题清单) and its rectification measures (PRODUCT.md §9
 * "Problems" and "Access", §6), as a table: every role × agency × relation of the caller's
 * department to the problem. The expectations are the spec written as code (expectedProblem,
 * never read off src/policy):
 *
 *   - The responsible department (整改责任单位), the supervising department, departments of the
 *     same kind above either of them, and 纪委 whose jurisdiction covers the problem's region see
 *     a problem; ADMINs read no case content.
 *   - The responsible department's case workers submit a measure's 整改报告; the supervising
 *     department's case workers add measures, accept or reject reports and schedule a manual
 *     回头看; a LEADER of the supervising department closes the problem (销号).
 *   - createProblem: case workers, supervising it themselves (their own department).
 *   - Denials are FORBIDDEN (and audited); problems not seen are NOT_FOUND.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  Code,
  COUNTY,
  covers,
  departmentGid,
  Dept,
  expectCompleteMatrix,
  FAR,
  isCaseWorker,
  KINDS,
  Kind,
  matrixRows,
  MatrixSession,
  NEIGHBOUR,
  OTHER,
  Outcome,
  same,
  THIRD,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** What is true of a problem, independent of who asks (its region is the responsible department's). */
interface ProblemFacts {
  responsible: Dept;
  supervising: Dept;
}

/** PRODUCT.md §9 "Access" for a problem, as code. */
function expectedProblem(actor: Actor, p: ProblemFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const party = same(actor, p.responsible) || same(actor, p.supervising);
  const above = [p.responsible, p.supervising].some((d) => d.kind === actor.kind && covers(actor.region, d.region));
  const discipline = actor.kind === 'DISCIPLINE' && covers(actor.region, p.responsible.region);
  if (!(party || above || discipline)) return 'NONE';
  return party && isCaseWorker(actor) ? 'CHANGE' : 'READ';
}

const seen = (actor: Actor, p: ProblemFacts) => expectedProblem(actor, p) !== 'NONE';
/** A change the spec gives to `who` of the problem: OK for them, FORBIDDEN for other viewers, NOT_FOUND unseen. */
const changeBy =
  (party: (actor: Actor, p: ProblemFacts) => boolean) =>
  (actor: Actor, p: ProblemFacts): Code =>
    !seen(actor, p) ? 'NOT_FOUND' : party(actor, p) ? 'OK' : 'FORBIDDEN';
const supervisingWorker = (a: Actor, p: ProblemFacts) => same(a, p.supervising) && isCaseWorker(a);
const rectifierWorker = (a: Actor, p: ProblemFacts) => same(a, p.responsible) && isCaseWorker(a);
const supervisingLeader = (a: Actor, p: ProblemFacts) => same(a, p.supervising) && a.role === 'LEADER';

interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): ProblemFacts;
}
const RELATIONS: Relation[] = [
  {
    name: 'supervising department',
    actorRegion: COUNTY,
    facts: (k) => ({ supervising: { kind: k, region: COUNTY }, responsible: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'responsible department (整改责任单位)',
    actorRegion: COUNTY,
    facts: (k) => ({ responsible: { kind: k, region: COUNTY }, supervising: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'same-kind city above the supervising department',
    actorRegion: CITY,
    facts: (k) => ({ supervising: { kind: k, region: COUNTY }, responsible: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'same-kind city above the responsible department',
    actorRegion: CITY,
    facts: (k) => ({ responsible: { kind: k, region: COUNTY }, supervising: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'other county, same kind as the supervising department',
    actorRegion: NEIGHBOUR,
    facts: (k) => ({ supervising: { kind: k, region: COUNTY }, responsible: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'other agency, same county',
    actorRegion: COUNTY,
    facts: (k) => ({
      supervising: { kind: OTHER[k], region: COUNTY },
      responsible: { kind: THIRD[k], region: COUNTY },
    }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({ supervising: { kind: OTHER[k], region: FAR }, responsible: { kind: THIRD[k], region: FAR } }),
  },
];

type MeasureState = 'OPEN' | 'SUBMITTED' | 'ACCEPTED';
interface Shared {
  /** OPEN, with an OPEN and a SUBMITTED measure. */
  open: string;
  openMeasure: string;
  submittedMeasure: string;
  /** OPEN, every measure ACCEPTED: ready for 销号. */
  ready: string;
  /** CLOSED. */
  closed: string;
}
interface Fresh {
  problem(status: 'OPEN' | 'CLOSED', measures: MeasureState[]): Promise<{ id: string; measures: string[] }>;
}
interface ProblemMutation {
  name: string;
  query: string;
  want(actor: Actor, p: ProblemFacts): Code;
  call(shared: Shared, fresh: Fresh | null): Promise<{ vars: Record<string, unknown>; target: string }>;
}

const MUTATIONS: ProblemMutation[] = [
  {
    name: 'addMeasure',
    query: `mutation($id: ID!) { addMeasure(problemId: $id, input: { description: "矩阵措施", deadline: "2099-12-31" }) { id } }`,
    want: changeBy(supervisingWorker),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('OPEN', ['OPEN'])).id : s.open;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'submitMeasure',
    query: `mutation($id: ID!) { submitMeasure(measureId: $id, report: "矩阵整改报告") { id status } }`,
    want: changeBy(rectifierWorker),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('OPEN', ['OPEN'])).measures[0] : s.openMeasure;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'acceptMeasure',
    query: `mutation($id: ID!) { acceptMeasure(measureId: $id) { id status } }`,
    want: changeBy(supervisingWorker),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('OPEN', ['SUBMITTED'])).measures[0] : s.submittedMeasure;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'rejectMeasure',
    query: `mutation($id: ID!) { rejectMeasure(measureId: $id, reason: "矩阵退回") { id status } }`,
    want: changeBy(supervisingWorker),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('OPEN', ['SUBMITTED'])).measures[0] : s.submittedMeasure;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'closeProblem',
    query: `mutation($id: ID!) { closeProblem(problemId: $id) { id status } }`,
    want: changeBy(supervisingLeader),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('OPEN', ['ACCEPTED', 'ACCEPTED'])).id : s.ready;
      return { vars: { id }, target: id };
    },
  },
  {
    name: 'scheduleRecheck',
    query: `mutation($id: ID!) { scheduleRecheck(problemId: $id, dueOn: "2099-06-30") { id } }`,
    want: changeBy(supervisingWorker),
    call: async (s, fresh) => {
      const id = fresh ? (await fresh.problem('CLOSED', ['ACCEPTED'])).id : s.closed;
      return { vars: { id }, target: id };
    },
  },
];

const ROWS = matrixRows(RELATIONS, expectedProblem, MUTATIONS);

describe('problem access matrix (PRODUCT.md §9, §6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const shared = new Map<string, Shared>();
  let seq = 0;

  const deptRow = async (d: Dept): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [d.kind, d.region]))[0]
      .id;

  /** A problem inserted in a state with measures in theirs (no timeline: access, not history, is tested). */
  async function insertProblem(facts: ProblemFacts, status: 'OPEN' | 'CLOSED', measures: MeasureState[]) {
    seq += 1;
    const [p] = await t.services.db.query(
      `INSERT INTO problem (code, source, category, description, responsible_department_id, supervising_department_id,
                            region_code, status, closed_at)
       VALUES ($1, 'AUDIT', '矩阵', '矩阵问题', $2, $3, $4, $5::text, CASE WHEN $5::text = 'CLOSED' THEN now() END) RETURNING id`,
      [
        `WT-MX-${process.pid}-${seq}`,
        await deptRow(facts.responsible),
        await deptRow(facts.supervising),
        facts.responsible.region,
        status,
      ],
    );
    const ids: string[] = [];
    for (const m of measures) {
      const [row] = await t.services.db.query(
        `INSERT INTO rectification_measure (problem_id, description, deadline, status, report)
         VALUES ($1, '矩阵措施', '2099-12-31', $2::text, CASE WHEN $2::text <> 'OPEN' THEN '报告' END) RETURNING id`,
        [p.id, m],
      );
      ids.push(toGlobalId('RectificationMeasure', row.id));
    }
    return { id: toGlobalId('Problem', p.id), measures: ids };
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    await Promise.all(
      RELATIONS.flatMap((relation) =>
        KINDS.map(async (kind) => {
          const facts = relation.facts(kind);
          const open = await insertProblem(facts, 'OPEN', ['OPEN', 'SUBMITTED']);
          shared.set(`${relation.name}|${kind}`, {
            open: open.id,
            openMeasure: open.measures[0],
            submittedMeasure: open.measures[1],
            ready: (await insertProblem(facts, 'OPEN', ['ACCEPTED'])).id,
            closed: (await insertProblem(facts, 'CLOSED', ['ACCEPTED'])).id,
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

        // Reading: problem(id), the list, a measure by node(id:) agree; buttons only for the parties.
        const read = await s.gql(
          actor,
          `query($id: ID!, $m: ID!) { problem(id: $id) { id allowedEvents measures { id allowedEvents } }
             node(id: $m) { id } }`,
          { id: own.open, m: own.submittedMeasure },
        );
        expect(read.errors).toBeUndefined();
        expect({
          problem: read.data.problem !== null,
          measure: read.data.node !== null,
          list: (await s.list(actor, 'problems')).has(own.open),
        }).toEqual({ problem: sees, measure: sees, list: sees });
        if (sees) {
          expect(read.data.problem.allowedEvents).toEqual(supervisingWorker(actor, facts) ? ['ADD_MEASURE'] : []);
          expect(read.data.problem.measures.map((m: { allowedEvents: string[] }) => m.allowedEvents)).toEqual([
            rectifierWorker(actor, facts) ? ['SUBMIT'] : [],
            supervisingWorker(actor, facts) ? ['ACCEPT', 'REJECT'] : [],
          ]);
        }

        // Changing: each mutation, on a fresh problem where it is expected to succeed.
        const fresh: Fresh = { problem: (status, measures) => insertProblem(facts, status, measures) };
        const results = await Promise.all(
          MUTATIONS.map(async (m, i) => {
            const want = row.wants[i].result;
            const { vars, target } = await m.call(own, want === 'OK' ? fresh : null);
            return s.mutate(actor, m.name, m.query, vars, target, want);
          }),
        );
        expect(results).toEqual(row.wants);

        // createProblem: case workers, supervising it themselves.
        const create = await s.gql(
          actor,
          `mutation($r: ID!) { createProblem(input: { source: AUDIT, category: "矩阵", description: "矩阵新建",
             responsibleDepartmentId: $r, measures: [{ description: "措施", deadline: "2099-12-31" }] }) { id } }`,
          { r: await departmentGid(t, facts.responsible) },
        );
        expect(create.errors?.[0]?.extensions?.code ?? 'OK').toBe(isCaseWorker(actor) ? 'OK' : 'FORBIDDEN');

        // Nothing shared changed.
        const versions = await t.services.db.query(
          `SELECT (SELECT status || ' v' || version FROM problem WHERE id = $1) AS open,
                  (SELECT count(*)::int FROM rectification_measure WHERE problem_id = $1) AS measures,
                  (SELECT status FROM rectification_measure WHERE id = $2) AS open_measure,
                  (SELECT status FROM rectification_measure WHERE id = $3) AS submitted_measure,
                  (SELECT status FROM problem WHERE id = $4) AS ready,
                  (SELECT count(*)::int FROM recheck WHERE problem_id = $5) AS rechecks`,
          [rowId(own.open), rowId(own.openMeasure), rowId(own.submittedMeasure), rowId(own.ready), rowId(own.closed)],
        );
        expect(versions).toEqual([
          {
            open: 'OPEN v1',
            measures: 2,
            open_measure: 'OPEN',
            submitted_measure: 'SUBMITTED',
            ready: 'OPEN',
            rechecks: 0,
          },
        ]);
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(100);
    expect(await s.unauditedDenials()).toEqual([]);
  });
});
