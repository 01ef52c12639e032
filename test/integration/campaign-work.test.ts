/**
 * A campaign's inspections, problems and documents (PRODUCT.md §9 "Campaigns", "Inspections",
 * "Documents"): an inspection planned for a campaign (a member, a target institution, not once
 * the campaign is closed) and the problems it finds carry the campaign; a further problem is
 * listed by hand with inspectionId (ADD_PROBLEM); documents and a 通报 of the campaign; both on
 * the campaign's timeline; lists by campaign; the campaign's figures; caseGraph through the
 * campaign.
 */
import { toGlobalId } from '../../src/core/ids';
import { shanghaiDate } from '../../src/domain/reference/working-days';
import { AsUser, asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, insertCase, rowId, seedWorkflowFixtures, userIdOf } from '../support/workflow-fixtures';

const CREATE_CAMPAIGN = `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id code version } }`;
const ADVANCE = `mutation($id: ID!) { advanceCampaign(campaignId: $id) { phase } }`;
const CAMPAIGN = `query($id: ID!) { campaign(id: $id) { allowedEvents timeline { event detail }
  figures { targets targetsCovered inspections documents problemsFound } } }`;
const PLAN = `mutation($i: CreateInspectionInput!) { createInspection(input: $i) {
  id status leadDepartment { id } campaign { id } } }`;
const MOVE = `mutation($id: ID!, $e: String!, $f: String) { transitionInspection(inspectionId: $id, event: $e, findings: $f) {
  status problems { id source campaign { id } inspection { id } } timeline { event } } }`;
const INSPECTIONS = `query($c: ID) { inspections(campaignId: $c, first: 20) { totalCount edges { node { id } } } }`;
const PROBLEM = `mutation($i: CreateProblemInput!) { createProblem(input: $i) {
  id source institution { code } campaign { id } inspection { id } } }`;
const ISSUE = `mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id number kind campaign { id } timeline { event } } }`;
const DOCUMENTS = `query($f: DocumentFilter) { documents(filter: $f, first: 20) { totalCount edges { node { id } } } }`;
const GRAPH = `query($id: ID!) { caseGraph(rootId: $id, depth: 1) { nodes { id type label } edges { from to kind } } }`;

const LEAD = 'yb-610300-leader'; // 宝鸡市医保 leads
const inDays = (days: number) => shanghaiDate(new Date(Date.now() + days * 86_400_000));

describe("a campaign's inspections, problems and documents", () => {
  let t: TestApi;
  let gql: AsUser;
  let ybCity: string;
  let ybCounty: string;
  let wjCounty: string;
  let campaignId: string;
  let inspectionId: string;
  const user = async (name: string) => toGlobalId('User', await userIdOf(t.services, name));

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    const dept = async (kind: string, region: string) =>
      toGlobalId('Department', await departmentIdOf(t.services, kind, region));
    ybCity = await dept('MEDICAL_INSURANCE', '610300');
    ybCounty = await dept('MEDICAL_INSURANCE', '610302');
    wjCounty = await dept('HEALTH', '610302');
    const g = data(
      await gql(LEAD, CREATE_CAMPAIGN, {
        i: {
          name: '医保基金管理突出问题专项整治',
          regionCode: '610300',
          scopeFrom: '2023-01-01',
          scopeTo: '2025-06-30',
          participantDepartmentIds: [ybCounty, wjCounty],
          targetInstitutionCodes: ['H610302001'],
        },
      }),
    ).createCampaign;
    campaignId = g.id;
  });
  afterAll(() => t.close());

  const plan = async (who: string, over: Record<string, unknown> = {}) =>
    gql(who, PLAN, {
      i: {
        kind: 'JOINT',
        institutionCode: 'H610302001',
        campaignId,
        teamUserIds: [await user('yb-610302-investigator'), await user('wj-610302-investigator')],
        plannedFrom: inDays(0),
        plannedTo: inDays(5),
        ...over,
      },
    });

  it('plans a joint inspection of a target for the campaign: a member, on the campaign timeline', async () => {
    // Not a target; 纪委 of the jurisdiction sees the campaign but is not a member; not a campaign id.
    expect(code(await plan(LEAD, { institutionCode: 'H610303001' }))).toBe('BAD_USER_INPUT');
    expect(code(await plan('jw-610300-leader'))).toBe('FORBIDDEN'); // sees the campaign, not a member
    expect(code(await plan(LEAD, { campaignId: toGlobalId('Case', rowId(campaignId)) }))).toBe('BAD_USER_INPUT');
    const i = data(await plan(LEAD)).createInspection;
    expect(i).toMatchObject({ status: 'PLANNED', leadDepartment: { id: ybCity }, campaign: { id: campaignId } });
    inspectionId = i.id;
    const listed = data(await gql('wj-610302-investigator', INSPECTIONS, { c: campaignId })).inspections;
    expect(listed).toMatchObject({ totalCount: 1, edges: [{ node: { id: i.id } }] });
    expect(
      data(await gql(LEAD, INSPECTIONS, { c: toGlobalId('Campaign', rowId(ybCity)) })).inspections.totalCount,
    ).toBe(0);
    const g = data(await gql(LEAD, CAMPAIGN, { id: campaignId })).campaign;
    expect(g.timeline.at(-1)).toMatchObject({ event: 'PLAN_INSPECTION', detail: { inspectionId: i.id } });
    expect(g.allowedEvents).toEqual(expect.arrayContaining(['PLAN_INSPECTION', 'ISSUE_DOCUMENT']));
  });

  it('the findings and a further problem listed with inspectionId carry the campaign', async () => {
    data(await gql('yb-610302-investigator', MOVE, { id: inspectionId, e: 'START' }));
    const reported = data(
      await gql('wj-610302-investigator', MOVE, { id: inspectionId, e: 'REPORT', f: '分解住院、串换项目' }),
    ).transitionInspection;
    expect(reported.problems).toEqual([
      expect.objectContaining({ source: 'INSPECTION', campaign: { id: campaignId }, inspection: { id: inspectionId } }),
    ]);
    // ADD_PROBLEM is createProblem's, not transitionInspection's.
    expect(code(await gql(LEAD, MOVE, { id: inspectionId, e: 'ADD_PROBLEM' }))).toBe('BAD_USER_INPUT');
    const problem = (over: Record<string, unknown> = {}) => ({
      source: 'INSPECTION',
      inspectionId,
      category: '超标准收费',
      description: '护理费按一级护理收取而医嘱为二级',
      responsibleDepartmentId: wjCounty,
      measures: [{ description: '退回多收费用', deadline: inDays(30) }],
      ...over,
    });
    expect(code(await gql('wj-610302-investigator', PROBLEM, { i: problem({ source: 'CASE' }) }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await gql('wj-610302-investigator', PROBLEM, { i: problem({ institutionCode: 'H610303001' }) }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(code(await gql('yb-610303-investigator', PROBLEM, { i: problem() }))).toBe('NOT_FOUND');
    expect(code(await gql('wj-610302-investigator', PROBLEM, { i: problem({ inspectionId: undefined }) }))).toBe(
      'BAD_USER_INPUT',
    );
    const created = data(await gql('wj-610302-investigator', PROBLEM, { i: problem() })).createProblem;
    expect(created).toMatchObject({
      source: 'INSPECTION',
      institution: { code: 'H610302001' },
      campaign: { id: campaignId },
      inspection: { id: inspectionId },
    });
    const { timeline } = data(
      await gql(LEAD, `query($id: ID!) { node(id: $id) { ... on Inspection { timeline { event } } } }`, {
        id: inspectionId,
      }),
    ).node;
    expect(timeline.map((e: { event: string }) => e.event)).toEqual(['PLAN', 'START', 'REPORT', 'ADD_PROBLEM']);
    // Once closed, no further problem.
    data(await gql(LEAD, MOVE, { id: inspectionId, e: 'CLOSE' }));
    expect(code(await gql('wj-610302-investigator', PROBLEM, { i: problem() }))).toBe('INVALID_TRANSITION');
  });

  it("issues the campaign's documents and a 通报, lists them by campaign", async () => {
    const suggestion = data(
      await gql(LEAD, ISSUE, {
        i: {
          kind: 'WORK_SUGGESTION',
          title: '关于专项整治发现问题的工作建议函',
          body: '请组织整改……',
          recipientDepartmentIds: [wjCounty],
          campaignId,
          measures: [{ description: '规范护理等级收费', deadline: inDays(30) }],
        },
      }),
    ).issueDocument;
    expect(suggestion.campaign).toEqual({ id: campaignId });
    // Its measures are a problem of the recipient, of the campaign.
    const [measured] = await t.services.db.query(
      `SELECT p.campaign_id FROM problem p JOIN document_problem dp ON dp.problem_id = p.id WHERE dp.document_id = $1`,
      [rowId(suggestion.id)],
    );
    expect(measured.campaign_id).toBe(rowId(campaignId));
    // 纪委 of the jurisdiction sees the campaign but is not a member.
    expect(
      code(
        await gql('jw-610300-leader', ISSUE, {
          i: { kind: 'WORK_SUGGESTION', title: 'x', body: 'y', recipientDepartmentIds: [ybCity], campaignId },
        }),
      ),
    ).toBe('FORBIDDEN');
    const caseId = await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610300' });
    // Closed campaigns still publish their 通报, but plan no inspection.
    for (let i = 0; i < 4; i++) data(await gql(LEAD, ADVANCE, { id: campaignId }));
    expect(code(await plan(LEAD))).toBe('INVALID_TRANSITION');
    const notice = data(
      await gql(LEAD, ISSUE, {
        i: {
          kind: 'PUBLIC_NOTICE',
          title: '关于专项整治典型案例的通报',
          body: '现将典型案例通报如下',
          recipientDepartmentIds: [],
          caseIds: [toGlobalId('Case', caseId)],
          campaignId,
        },
      }),
    ).issueDocument;
    expect(notice).toMatchObject({
      kind: 'PUBLIC_NOTICE',
      campaign: { id: campaignId },
      timeline: [{ event: 'ISSUE' }],
    });
    const listed = data(await gql(LEAD, DOCUMENTS, { f: { campaignId } })).documents;
    expect(listed.totalCount).toBe(2);
    expect(listed.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual(
      [suggestion.id, notice.id].sort(),
    );
    const g = data(await gql(LEAD, CAMPAIGN, { id: campaignId })).campaign;
    expect(g.timeline.filter((e: { event: string }) => e.event === 'ISSUE_DOCUMENT')).toHaveLength(2);
    expect(g.allowedEvents).toEqual(['ISSUE_DOCUMENT']);
  });

  it("the campaign's figures count covered targets, inspections, documents and every problem", async () => {
    const g = data(await gql(LEAD, CAMPAIGN, { id: campaignId })).campaign;
    expect(g.figures).toEqual({ targets: 1, targetsCovered: 1, inspections: 1, documents: 2, problemsFound: 3 });
    // The campaign's events are audited on the campaign, beside the mutations' own entries.
    const [audit] = await t.services.db.query(
      `SELECT array_agg(action ORDER BY id) AS actions FROM audit_log WHERE target_id = $1`,
      [campaignId],
    );
    expect(audit.actions).toEqual(
      expect.arrayContaining(['Campaign.PLAN_INSPECTION', 'Campaign.ISSUE_DOCUMENT', 'Campaign.ADVANCE']),
    );
  });

  it('caseGraph reaches the campaign and, from it, its inspections, documents, targets and lead department', async () => {
    const graph = data(await gql(LEAD, GRAPH, { id: campaignId })).caseGraph;
    const documents = data(await gql(LEAD, DOCUMENTS, { f: { campaignId } })).documents.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(graph.nodes).toContainEqual(
      expect.objectContaining({ id: campaignId, type: 'Campaign', label: expect.stringContaining('专项整治') }),
    );
    expect(graph.edges).toEqual(
      expect.arrayContaining([
        { from: inspectionId, to: campaignId, kind: 'CAMPAIGN' },
        ...documents.map((d: string) => ({ from: d, to: campaignId, kind: 'CAMPAIGN' })),
        { from: campaignId, to: toGlobalId('Institution', 'H610302001'), kind: 'TARGET' },
        { from: campaignId, to: ybCity, kind: 'LEAD' },
      ]),
    );
    const fromInspection = data(await gql(LEAD, GRAPH, { id: inspectionId })).caseGraph;
    expect(fromInspection.nodes).toContainEqual(expect.objectContaining({ id: campaignId, type: 'Campaign' }));
    // A user who does not see the campaign does not reach it.
    // (the province's 医保 sees the inspection, as the same kind above its lead department).
    const above = data(await gql('yb-610000-leader', GRAPH, { id: inspectionId })).caseGraph;
    expect(above.nodes.map((n: { type: string }) => n.type)).not.toContain('Campaign');
    expect(above.nodes).toContainEqual(expect.objectContaining({ id: inspectionId }));
  });
});
