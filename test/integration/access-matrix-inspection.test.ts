/**
 * Who sees and who changes an inspection (检查), as a table: every role × agency × relation of
 * the caller's department to the inspection. The expectations are the spec and the decisions
 * of docs/OUTCOMES.md "Inspections and documents" written as code (never read off src/policy):
 *
 *   - Seen by the lead department, the departments of its team members, departments of the
 *     same kind above the lead department, and 纪委 whose jurisdiction covers the institution;
 *     ADMINs read no case content.
 *   - START and REPORT: the lead department's case workers and the team's members; CLOSE: the
 *     lead department's case workers; ADD_PROBLEM (createProblem with inspectionId, supervised by
 *     the caller's department): as REPORT.
 *   - createInspection: LEADERs and SUPERVISORs of 医保, 卫健 and 纪委.
 *   - Denials are FORBIDDEN (and audited); inspections not seen are NOT_FOUND.
 */
import { toGlobalId } from '../../src/core/ids';
import {
  Actor,
  CITY,
  Code,
  COUNTY,
  covers,
  Dept,
  expectCompleteMatrix,
  FAR,
  isCaseWorker,
  KINDS,
  Kind,
  matrixRows,
  MatrixSession,
  OTHER,
  Outcome,
  same,
  THIRD,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** The lead department and the department of the one team member (its INVESTIGATOR); the institution lies in the lead's region. */
interface InspectionFacts {
  lead: Dept;
  member: Dept;
}

const INSTITUTION: Record<string, string> = { [COUNTY]: 'H610302001', [FAR]: 'Y610402001' };

const teamMember = (a: Actor, f: InspectionFacts) => same(a, f.member) && a.role === 'INVESTIGATOR';
const leadWorker = (a: Actor, f: InspectionFacts) => same(a, f.lead) && isCaseWorker(a);

function expectedInspection(actor: Actor, f: InspectionFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  const party = same(actor, f.lead) || same(actor, f.member);
  const above = f.lead.kind === actor.kind && covers(actor.region, f.lead.region);
  const discipline = actor.kind === 'DISCIPLINE' && covers(actor.region, f.lead.region);
  if (!(party || above || discipline)) return 'NONE';
  return leadWorker(actor, f) || teamMember(actor, f) ? 'CHANGE' : 'READ';
}

const seen = (a: Actor, f: InspectionFacts) => expectedInspection(a, f) !== 'NONE';
const changeBy =
  (party: (a: Actor, f: InspectionFacts) => boolean) =>
  (a: Actor, f: InspectionFacts): Code =>
    !seen(a, f) ? 'NOT_FOUND' : party(a, f) ? 'OK' : 'FORBIDDEN';

interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): InspectionFacts;
}
const RELATIONS: Relation[] = [
  {
    name: 'lead department',
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: k, region: COUNTY }, member: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: "a team member's department",
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, member: { kind: k, region: COUNTY } }),
  },
  {
    name: 'same-kind city above the lead department',
    actorRegion: CITY,
    facts: (k) => ({ lead: { kind: k, region: COUNTY }, member: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: "same-kind city above a team member's department",
    actorRegion: CITY,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, member: { kind: k, region: COUNTY } }),
  },
  {
    name: 'other agency, same county',
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, member: { kind: THIRD[k], region: COUNTY } }),
  },
  {
    name: 'unrelated (other city)',
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: OTHER[k], region: FAR }, member: { kind: THIRD[k], region: FAR } }),
  },
];

interface InspectionMutation {
  name: string;
  status: 'PLANNED' | 'IN_PROGRESS' | 'REPORTED';
  event: string;
  findings?: string;
  want(a: Actor, f: InspectionFacts): Code;
}
const MUTATIONS: InspectionMutation[] = [
  { name: 'START', status: 'PLANNED', event: 'START', want: changeBy((a, f) => leadWorker(a, f) || teamMember(a, f)) },
  {
    name: 'REPORT',
    status: 'IN_PROGRESS',
    event: 'REPORT',
    findings: '矩阵检查发现',
    want: changeBy((a, f) => leadWorker(a, f) || teamMember(a, f)),
  },
  { name: 'CLOSE', status: 'REPORTED', event: 'CLOSE', want: changeBy(leadWorker) },
  {
    name: 'ADD_PROBLEM',
    status: 'IN_PROGRESS',
    event: 'ADD_PROBLEM',
    want: changeBy((a, f) => leadWorker(a, f) || teamMember(a, f)),
  },
];
const ADD_PROBLEM = `mutation($id: ID!, $d: ID!) { createProblem(input: { source: INSPECTION, inspectionId: $id,
  category: "矩阵", description: "矩阵检查发现", responsibleDepartmentId: $d,
  measures: [{ description: "整改", deadline: "2099-01-01" }] }) { id } }`;
const MOVE = `mutation($id: ID!, $e: String!, $f: String) { transitionInspection(inspectionId: $id, event: $e, findings: $f) { id status } }`;

const ROWS = matrixRows(RELATIONS, expectedInspection, MUTATIONS);

describe('inspection access matrix (PRODUCT.md §9, §6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const shared = new Map<string, string>();
  let seq = 0;

  const deptRow = async (d: Dept): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [d.kind, d.region]))[0]
      .id;

  /** An inspection inserted in a state (no timeline: access, not history, is tested). */
  async function insertInspection(f: InspectionFacts, status: string): Promise<string> {
    seq += 1;
    const n = seq;
    const memberDept = await deptRow(f.member);
    const [row] = await t.services.db.query(
      `INSERT INTO inspection (code, kind, institution_code, region_code, lead_department_id, planned_from, planned_to, status)
       VALUES ($1, 'ROUTINE', $2, $3, $4, current_date, current_date, $5) RETURNING id`,
      [`JC-MX-${process.pid}-${n}`, INSTITUTION[f.lead.region], f.lead.region, await deptRow(f.lead), status],
    );
    await t.services.db.query(
      `INSERT INTO inspection_member (inspection_id, user_id, department_id)
       SELECT $1, u.id, u.department_id FROM app_user u WHERE u.department_id = $2 AND u.roles = '{INVESTIGATOR}'`,
      [row.id, memberDept],
    );
    return toGlobalId('Inspection', row.id);
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    await Promise.all(
      RELATIONS.flatMap((relation) =>
        KINDS.map(async (kind) =>
          shared.set(`${relation.name}|${kind}`, await insertInspection(relation.facts(kind), 'PLANNED')),
        ),
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

        const read = await s.gql(
          actor,
          `query($id: ID!) { node(id: $id) { ... on Inspection { id allowedEvents } } }`,
          {
            id: own,
          },
        );
        expect(read.errors).toBeUndefined();
        expect({ node: read.data.node !== null, list: (await s.list(actor, 'inspections')).has(own) }).toEqual({
          node: sees,
          list: sees,
        });
        if (sees) {
          expect(read.data.node.allowedEvents).toEqual(
            leadWorker(actor, facts) || teamMember(actor, facts) ? ['START'] : [],
          );
        }

        const results = await Promise.all(
          MUTATIONS.map(async (m, i) => {
            const want = row.wants[i].result;
            // A fresh inspection in the event's state where it should succeed; the shared PLANNED one otherwise.
            const id = want === 'OK' ? await insertInspection(facts, m.status) : own;
            if (m.event === 'ADD_PROBLEM') {
              const d = toGlobalId('Department', await deptRow({ kind: actor.kind, region: actor.region }));
              return s.mutate(actor, 'createProblem', ADD_PROBLEM, { id, d }, id, want, m.name);
            }
            return s.mutate(actor, 'transitionInspection', MOVE, { id, e: m.event, f: m.findings }, id, want, m.name);
          }),
        );
        expect(results).toEqual(row.wants);

        const create = await s.gql(
          actor,
          `mutation($u: ID!) { createInspection(input: { kind: ROUTINE, institutionCode: "H610302001", teamUserIds: [$u],
             plannedFrom: "2099-01-01", plannedTo: "2099-01-02" }) { id } }`,
          {
            u: toGlobalId(
              'User',
              (await t.services.db.query(`SELECT id FROM app_user WHERE username = 'yb-610302-investigator'`))[0].id,
            ),
          },
        );
        const mayPlan = ['LEADER', 'SUPERVISOR'].includes(actor.role) && actor.kind !== 'PUBLIC_SECURITY';
        expect(create.errors?.[0]?.extensions?.code ?? 'OK').toBe(mayPlan ? 'OK' : 'FORBIDDEN');

        const [still] = await t.services.db.query('SELECT status, version FROM inspection WHERE id = $1', [rowId(own)]);
        expect(still).toEqual({ status: 'PLANNED', version: 1 });
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(50);
    expect(await s.unauditedDenials()).toEqual([]);
  });
});
