/**
 * 检查 (PRODUCT.md §9 "Inspections"): planning by a leader or section head of 医保/卫健/纪委, the
 * JOINT and CROSS team rules, the machine PLANNED → IN_PROGRESS → REPORTED → CLOSED fired by
 * the lead department and the team, the findings listed as a problem of source INSPECTION
 * (Problem.inspection), visibility, the timeline and the audit.
 */
import { toGlobalId } from '../../src/core/ids';
import { shanghaiDate } from '../../src/domain/reference/working-days';
import { AsUser, asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures, userIdOf } from '../support/workflow-fixtures';

const INSPECTION = `id code kind status findings plannedFrom plannedTo version allowedEvents
  institution { code } leadDepartment { id kind } team { username } teamDepartments { kind region { code } }
  problems { id source institution { code } responsibleDepartment { kind region { code } } supervisingDepartment { id } inspection { id } }`;
const CREATE = `mutation($i: CreateInspectionInput!) { createInspection(input: $i) { ${INSPECTION} } }`;
const MOVE = `mutation($id: ID!, $e: String!, $f: String, $v: Int) {
  transitionInspection(inspectionId: $id, event: $e, findings: $f, expectedVersion: $v) { ${INSPECTION} } }`;
const LIST = `query($c: ID, $f: InspectionFilter) { inspections(campaignId: $c, filter: $f, first: 50) { totalCount edges { node { id code } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on Inspection { id code } } }`;

const today = shanghaiDate(new Date());

describe('inspections', () => {
  let t: TestApi;
  let gql: AsUser;
  const user = async (name: string) => toGlobalId('User', await userIdOf(t.services, name));

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
  });
  afterAll(() => t.close());

  const input = async (over: Record<string, unknown> = {}, team = ['yb-610302-investigator']) => ({
    kind: 'ROUTINE',
    institutionCode: 'H610302001',
    teamUserIds: await Promise.all(team.map(user)),
    plannedFrom: today,
    plannedTo: today,
    ...over,
  });

  it('plans a routine inspection: code, lead department, team, notice to the team, PLANNED', async () => {
    const i = data(await gql('yb-610302-leader', CREATE, { i: await input() })).createInspection;
    expect(i.code).toMatch(new RegExp(`^JC${today.slice(0, 4)}-\\d{6}$`));
    expect(i).toMatchObject({ kind: 'ROUTINE', status: 'PLANNED', findings: null, version: 1 });
    expect(i.leadDepartment.kind).toBe('MEDICAL_INSURANCE');
    expect(i.team).toEqual([{ username: 'yb-610302-investigator' }]);
    expect(i.allowedEvents).toEqual(['START']);
    const notes = data(
      await gql('yb-610302-investigator', `{ notifications(first: 50) { edges { node { kind targetId } } } }`),
    ).notifications.edges.map((e: { node: { kind: string; targetId: string } }) => e.node);
    expect(notes).toContainEqual({ kind: 'INSPECTION_ASSIGNED', targetId: i.id });
  });

  it('is planned by leaders and section heads of 医保, 卫健, 纪委 only', async () => {
    for (const who of ['yb-610302-investigator', 'yb-610302-analyst', 'ga-610302-leader']) {
      expect(code(await gql(who, CREATE, { i: await input() }))).toBe('FORBIDDEN');
    }
    for (const who of ['wj-610302-supervisor', 'jw-610300-leader']) {
      expect(data(await gql(who, CREATE, { i: await input() })).createInspection.status).toBe('PLANNED');
    }
    // Outside the planner's jurisdiction.
    expect(code(await gql('yb-610303-leader', CREATE, { i: await input() }))).toBe('FORBIDDEN');
  });

  it('validates JOINT (≥ 2 agency kinds) and CROSS (every inspector from another city of the province)', async () => {
    expect(code(await gql('yb-610302-leader', CREATE, { i: await input({ kind: 'JOINT' }) }))).toBe('BAD_USER_INPUT');
    const joint = data(
      await gql('yb-610302-leader', CREATE, {
        i: await input({ kind: 'JOINT' }, [
          'yb-610302-investigator',
          'wj-610302-investigator',
          'ga-610302-investigator',
        ]),
      }),
    ).createInspection;
    expect(joint.teamDepartments.map((d: { kind: string }) => d.kind).sort()).toEqual([
      'HEALTH',
      'MEDICAL_INSURANCE',
      'PUBLIC_SECURITY',
    ]);
    // A 宝鸡 inspector inspecting a 宝鸡 institution is not a cross inspection.
    expect(
      code(
        await gql('yb-610000-leader', CREATE, {
          i: await input({ kind: 'CROSS' }, ['yb-610402-investigator', 'yb-610303-investigator']),
        }),
      ),
    ).toBe('BAD_USER_INPUT');
    const cross = data(
      await gql('yb-610000-leader', CREATE, {
        i: await input({ kind: 'CROSS' }, ['yb-610402-investigator', 'yb-610100-investigator']),
      }),
    ).createInspection;
    expect(cross.kind).toBe('CROSS');
    // A 咸阳 leader organises a cross inspection in 宝鸡 (same province).
    expect(
      data(await gql('yb-610400-leader', CREATE, { i: await input({ kind: 'CROSS' }, ['yb-610402-investigator']) }))
        .createInspection.kind,
    ).toBe('CROSS');
    expect(code(await gql('yb-610302-leader', CREATE, { i: await input({ plannedTo: '2000-01-01' }) }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await gql('yb-610302-leader', CREATE, { i: await input({}, ['yb-610302-analyst']) }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('runs the machine: team member starts and reports (findings required) → a problem of source INSPECTION; the lead department closes', async () => {
    const i = data(
      await gql('yb-610302-leader', CREATE, {
        i: await input({ kind: 'JOINT' }, ['wj-610302-investigator', 'ga-610302-investigator']),
      }),
    ).createInspection;
    // Not a party: another county's 医保.
    expect(code(await gql('yb-610303-investigator', MOVE, { id: i.id, e: 'START' }))).toBe('NOT_FOUND');
    expect(code(await gql('yb-610302-investigator', MOVE, { id: i.id, e: 'CLOSE' }))).toBe('INVALID_TRANSITION');
    const started = data(
      await gql('ga-610302-investigator', MOVE, { id: i.id, e: 'START', v: 1 }),
    ).transitionInspection;
    expect(started).toMatchObject({ status: 'IN_PROGRESS', version: 2 });
    expect(code(await gql('ga-610302-investigator', MOVE, { id: i.id, e: 'REPORT', v: 1 }))).toBe('VERSION_CONFLICT');
    expect(code(await gql('ga-610302-investigator', MOVE, { id: i.id, e: 'REPORT' }))).toBe('INVALID_TRANSITION');
    expect(code(await gql('ga-610302-investigator', MOVE, { id: i.id, e: 'FLY' }))).toBe('BAD_USER_INPUT');
    const reported = data(
      await gql('wj-610302-investigator', MOVE, { id: i.id, e: 'REPORT', f: '串换药品、超标准收费' }),
    ).transitionInspection;
    expect(reported.status).toBe('REPORTED');
    expect(reported.findings).toBe('串换药品、超标准收费');
    expect(reported.problems).toHaveLength(1);
    expect(reported.problems[0]).toMatchObject({
      source: 'INSPECTION',
      institution: { code: 'H610302001' },
      responsibleDepartment: { kind: 'HEALTH', region: { code: '610302' } },
      supervisingDepartment: { id: i.leadDepartment.id },
      inspection: { id: i.id },
    });
    // CLOSE is the lead department's: a team member of another department may not.
    expect(code(await gql('ga-610302-investigator', MOVE, { id: i.id, e: 'CLOSE' }))).toBe('FORBIDDEN');
    const closed = data(await gql('yb-610302-investigator', MOVE, { id: i.id, e: 'CLOSE' })).transitionInspection;
    expect(closed).toMatchObject({ status: 'CLOSED', allowedEvents: [] });

    const [timeline] = await t.services.db.query(
      `SELECT array_agg(event ORDER BY id) AS events FROM state_change WHERE entity_type = 'Inspection' AND entity_id = $1`,
      [rowId(i.id)],
    );
    expect(timeline.events).toEqual(['PLAN', 'START', 'REPORT', 'CLOSE']);
    const [audit] = await t.services.db.query(
      `SELECT array_agg(action ORDER BY id) AS actions FROM audit_log WHERE target_id = $1`,
      [i.id],
    );
    expect(audit.actions).toEqual(
      expect.arrayContaining(['Inspection.PLAN', 'Inspection.START', 'Inspection.REPORT', 'Inspection.CLOSE']),
    );
  });

  it('lists and reads by visibility: lead, team departments, same kind above, 纪委 of the jurisdiction; filters', async () => {
    const i = data(
      await gql('yb-610302-leader', CREATE, { i: await input({ kind: 'FLIGHT' }, ['wj-610302-investigator']) }),
    ).createInspection;
    const sees = async (who: string) =>
      data(await gql(who, LIST, { f: { kind: 'FLIGHT' } })).inspections.edges.some(
        (e: { node: { id: string } }) => e.node.id === i.id,
      );
    for (const who of [
      'yb-610302-investigator',
      'wj-610302-supervisor',
      'yb-610300-analyst',
      'jw-610300-investigator',
    ]) {
      expect(await sees(who)).toBe(true);
    }
    for (const who of ['yb-610303-leader', 'ga-610302-leader', 'jw-610400-leader', 'yb-610302-admin']) {
      expect(await sees(who)).toBe(false);
    }
    expect(data(await gql('wj-610302-investigator', NODE, { id: i.id })).node).toEqual({ id: i.id, code: i.code });
    expect(data(await gql('ga-610302-leader', NODE, { id: i.id })).node).toBeNull();
    const planned = data(
      await gql('yb-610302-leader', LIST, { f: { status: ['PLANNED'], institutionCode: 'H610302001' } }),
    ).inspections;
    expect(planned.totalCount).toBeGreaterThan(0);
    expect(code(await gql('yb-610302-leader', LIST, { c: toGlobalId('Problem', i.id) }))).toBe('BAD_USER_INPUT');
  });

  it('caseGraph reaches an inspection from its institution, and its institution and lead department from it', async () => {
    const i = data(await gql('yb-610302-leader', CREATE, { i: await input() })).createInspection;
    const GRAPH = `query($id: ID!) { caseGraph(rootId: $id, depth: 1) { nodes { id type } edges { from to kind } } }`;
    const g = data(await gql('yb-610302-investigator', GRAPH, { id: i.id })).caseGraph;
    expect(g.edges).toEqual(
      expect.arrayContaining([
        { from: i.id, to: toGlobalId('Institution', 'H610302001'), kind: 'INSPECTED' },
        { from: i.id, to: i.leadDepartment.id, kind: 'LEAD' },
      ]),
    );
    const fromInstitution = data(
      await gql('yb-610302-investigator', GRAPH, { id: toGlobalId('Institution', 'H610302001') }),
    ).caseGraph;
    expect(fromInstitution.nodes).toContainEqual({ id: i.id, type: 'Inspection' });
    // The city 医保 above the lead department sees it; 公安 (not in the team) does not.
    const other = data(
      await gql('yb-610300-investigator', GRAPH, { id: toGlobalId('Institution', 'H610302001') }),
    ).caseGraph;
    expect(other.nodes).toContainEqual({ id: i.id, type: 'Inspection' });
    const ga = await gql('ga-610302-leader', GRAPH, { id: i.id });
    expect(code(ga)).toBe('NOT_FOUND');
  });
});
