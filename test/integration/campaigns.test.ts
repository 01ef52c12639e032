/**
 * 专项行动 and 自查自纠 (PRODUCT.md §9 "Campaigns"): a campaign deployed by a leader with targets by
 * kind and by list, moved through its phases by a leader of the leading department (dates on
 * its timeline), a collision run over its scope window restricted to its targets, clues created
 * from that run carrying the campaign, self-check reports whose problems are SELF_CHECK problems
 * of the campaign, and the campaign's figures.
 */
import { toGlobalId } from '../../src/core/ids';
import { demoCampaign } from '../../src/cli/demo-campaign';
import { attachHitsToClues } from '../../src/domain/collision/collision-run.service';
import { inTransaction } from '../../src/db/transaction';
import { shanghaiDate } from '../../src/domain/reference/working-days';
import { AsUser, asUsers, code, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, insertCase, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

const CAMPAIGN = `id code name regionCode scopeFrom scopeTo phase targetCount version allowedEvents
  leadDepartment { id } participants { id }
  runs { id from to regionCode campaign { id } }
  figures { targets hits clearedRate problemsFound problemsClosed voluntaryRefund patientRefund amountRecovered }
  timeline { event from to }`;
const CREATE = `mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { ${CAMPAIGN} } }`;
const ADVANCE = `mutation($id: ID!, $v: Int) { advanceCampaign(campaignId: $id, expectedVersion: $v) { ${CAMPAIGN} } }`;
const GET = `query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`;
const LIST = `{ campaigns(first: 20) { totalCount edges { node { id code } } } }`;
const RUN = `mutation($id: ID!, $m: [CollisionModel!]) { startCampaignRun(campaignId: $id, models: $m) { id from to regionCode models campaign { id } } }`;
const SELF_CHECK = `mutation($i: RecordSelfCheckInput!) { recordSelfCheck(input: $i) {
  id findings voluntaryRefund patientRefund institution { code } campaign { id }
  problems { id source status institution { code } campaign { id } supervisingDepartment { id } } } }`;
const PROBLEMS = `query($f: ProblemFilter) { problems(filter: $f, first: 50) { totalCount edges { node { id source } } } }`;

const LEAD = 'yb-610300-leader'; // 宝鸡市医保 leads
const dayOffset = (days: number) => shanghaiDate(new Date(Date.now() + days * 86_400_000));

describe('campaigns and self-check reports', () => {
  let t: TestApi;
  let gql: AsUser;
  let ybCity: string;
  let ybCounty: string;
  let wjCity: string;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    ybCity = toGlobalId('Department', await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610300'));
    ybCounty = toGlobalId('Department', await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610302'));
    wjCity = toGlobalId('Department', await departmentIdOf(t.services, 'HEALTH', '610300'));
  });
  afterAll(() => t.close());

  const input = (over: Record<string, unknown> = {}) => ({
    name: '定点医疗机构医保基金使用专项整治',
    regionCode: '610300',
    scopeFrom: '2023-01-01',
    scopeTo: '2025-06-30',
    participantDepartmentIds: [ybCounty, wjCity],
    targetKinds: ['HOSPITAL'],
    ...over,
  });

  it('deploys a campaign: code, participants with the lead, targets by kind in the region, PLANNED', async () => {
    const g = data(await gql(LEAD, CREATE, { i: input() })).createCampaign;
    expect(g.code).toMatch(new RegExp(`^ZX${dayOffset(0).slice(0, 4)}-\\d{4}$`));
    expect(g).toMatchObject({
      phase: 'PLANNED',
      scopeFrom: '2023-01-01',
      scopeTo: '2025-06-30',
      targetCount: 2, // H610302001, H610303001 (the pharmacy is in 咸阳)
      leadDepartment: { id: ybCity },
      allowedEvents: ['ADVANCE', 'START_RUN', 'PLAN_INSPECTION', 'ISSUE_DOCUMENT'],
      timeline: [{ event: 'CREATE', to: 'PLANNED' }],
      figures: { targets: 2, hits: 0, clearedRate: null, problemsFound: 0, voluntaryRefund: '0.00' },
    });
    expect(g.participants.map((d: { id: string }) => d.id).sort()).toEqual([ybCity, ybCounty, wjCity].sort());
  });

  it('refuses targets outside the region, no targets, and non-leaders', async () => {
    expect(
      code(await gql(LEAD, CREATE, { i: input({ targetKinds: null, targetInstitutionCodes: ['Y610402001'] }) })),
    ).toBe('BAD_USER_INPUT');
    expect(code(await gql(LEAD, CREATE, { i: input({ targetKinds: [] }) }))).toBe('BAD_USER_INPUT');
    expect(code(await gql('yb-610300-investigator', CREATE, { i: input() }))).toBe('FORBIDDEN');
    expect(code(await gql('yb-610302-leader', CREATE, { i: input() }))).toBe('FORBIDDEN');
  });

  it('phases move by a leader of the leading department only, one at a time, with dates on the timeline', async () => {
    const g = data(
      await gql(LEAD, CREATE, { i: input({ targetKinds: null, targetInstitutionCodes: ['H610302001'] }) }),
    ).createCampaign;
    expect(g.targetCount).toBe(1);
    expect(code(await gql('yb-610302-leader', ADVANCE, { id: g.id }))).toBe('FORBIDDEN');
    expect(code(await gql('yb-610300-investigator', ADVANCE, { id: g.id }))).toBe('FORBIDDEN');
    expect(code(await gql(LEAD, ADVANCE, { id: g.id, v: g.version + 1 }))).toBe('VERSION_CONFLICT');
    let phase = g;
    for (const next of ['SELF_CHECK', 'INSPECTION', 'CONSOLIDATION', 'CLOSED']) {
      phase = data(await gql(LEAD, ADVANCE, { id: g.id, v: phase.version })).advanceCampaign;
      expect(phase.phase).toBe(next);
    }
    expect(phase.timeline.map((e: { to: string }) => e.to)).toEqual([
      'PLANNED',
      'SELF_CHECK',
      'INSPECTION',
      'CONSOLIDATION',
      'CLOSED',
    ]);
    expect(phase.allowedEvents).toEqual(['ISSUE_DOCUMENT']); // a closing 通报
    expect(code(await gql(LEAD, ADVANCE, { id: g.id }))).toBe('INVALID_TRANSITION');
    expect(code(await gql('yb-610300-analyst', RUN, { id: g.id, m: ['DEATH_AFTER'] }))).toBe('INVALID_TRANSITION');
  });

  it('visible to participants and 纪委 of the jurisdiction, not to others', async () => {
    const g = data(await gql(LEAD, CREATE, { i: input() })).createCampaign;
    for (const user of ['wj-610300-investigator', 'yb-610302-analyst', 'jw-610300-leader', 'jw-610000-supervisor']) {
      expect(data(await gql(user, GET, { id: g.id })).campaign?.id).toBe(g.id);
    }
    for (const user of ['wj-610302-investigator', 'ga-610300-leader', 'jw-610400-leader', 'yb-610300-admin']) {
      expect(data(await gql(user, GET, { id: g.id })).campaign).toBeNull();
    }
    const list = data(await gql('wj-610300-investigator', LIST)).campaigns;
    expect(list.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(g.id);
  });

  it('starts a collision run over the scope window restricted to the targets; its new clues carry the campaign', async () => {
    const g = data(await gql(LEAD, CREATE, { i: input() })).createCampaign;
    // Health participants may not run collisions, nor a county analyst over the city; the city's 医保 analyst may.
    expect(code(await gql('wj-610300-investigator', RUN, { id: g.id, m: ['DEATH_AFTER'] }))).toBe('FORBIDDEN');
    expect(code(await gql('yb-610302-analyst', RUN, { id: g.id, m: ['DEATH_AFTER'] }))).toBe('FORBIDDEN');
    const run = data(await gql('yb-610300-analyst', RUN, { id: g.id, m: ['DEATH_AFTER'] })).startCampaignRun;
    expect(run).toMatchObject({ from: '2023-01-01', to: '2025-06-30', regionCode: '610300', campaign: { id: g.id } });
    const [row] = await t.services.db.query('SELECT institution_codes, campaign_id FROM collision_run WHERE id = $1', [
      rowId(run.id),
    ]);
    expect(row.institution_codes.sort()).toEqual(['H610302001', 'H610303001']);
    // A hit of the run, finalised: the clue it forms carries the campaign.
    await t.services.db.query(
      `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
         detail, first_run_id, last_run_id)
       VALUES ('DEATH_AFTER', 'campaign-test-1', 880.50, 'H610302001', '610302', '{P2}', '{}', '{}', $1, $1)`,
      [rowId(run.id)],
    );
    await inTransaction(t.services.db, (m) => attachHitsToClues(m, rowId(run.id)));
    const [clue] = await t.services.db.query(
      `SELECT c.campaign_id FROM clue c JOIN collision_hit h ON h.clue_id = c.id WHERE h.hit_key = 'campaign-test-1'`,
    );
    expect(clue.campaign_id).toBe(rowId(g.id));
    const CLUES = `query($f: ClueFilter) { clues(filter: $f, first: 20) { totalCount edges { node { campaign { id } } } } }`;
    const listed = data(await gql('jw-610300-leader', CLUES, { f: { campaignId: g.id } })).clues;
    expect(listed).toMatchObject({ totalCount: 1, edges: [{ node: { campaign: { id: g.id } } }] });
    const after = data(await gql(LEAD, GET, { id: g.id })).campaign;
    expect(after.runs.map((r: { id: string }) => r.id)).toEqual([run.id]);
    expect(after.figures).toMatchObject({ hits: 1, clearedRate: 0 });
    expect(after.timeline.map((e: { event: string }) => e.event)).toEqual(['CREATE', 'START_RUN']);

    // Amount recovered: FUND_RECOVERY sanctions of cases filed from its clues + recovered amounts of its closed clues.
    const [{ id: clueId }] = await t.services.db.query('SELECT id FROM clue WHERE campaign_id = $1', [rowId(g.id)]);
    const caseId = await insertCase(t.services, {
      ownerKind: 'MEDICAL_INSURANCE',
      ownerRegion: '610302',
      clueIds: [clueId],
    });
    await t.services.db.query(
      `INSERT INTO sanction (case_id, kind, amount, institution_code) VALUES ($1, 'FUND_RECOVERY', 1000.10, 'H610302001'), ($1, 'WARNING', NULL, 'H610302001')`,
      [caseId],
    );
    await t.services.db.query(`UPDATE clue SET status = 'CLOSED', recovered_amount = 200.05 WHERE id = $1`, [clueId]);
    const recovered = data(await gql(LEAD, GET, { id: g.id })).campaign.figures;
    expect(recovered.amountRecovered).toBe('1200.15');
    // The clue and the run show the campaign; a user who does not see the campaign sees null.
    const CLUE_CAMPAIGN = `query($id: ID!) { node(id: $id) { ... on Clue { campaign { id } } } }`;
    expect(
      data(await gql('jw-610300-leader', CLUE_CAMPAIGN, { id: toGlobalId('Clue', clueId) })).node.campaign,
    ).toEqual({
      id: g.id,
    });
  });

  it('records a self-check report in 自查自纠 with exact refunds and SELF_CHECK problems of the campaign', async () => {
    const g = data(await gql(LEAD, CREATE, { i: input() })).createCampaign;
    const report = (over: Record<string, unknown> = {}) => ({
      campaignId: g.id,
      institutionCode: 'H610302001',
      findings: '自查发现串换项目收费 12 例',
      voluntaryRefund: '123456.78',
      patientRefund: '0.10',
      problems: [
        {
          source: 'SELF_CHECK',
          category: '串换项目',
          description: '将普通针灸串换为电针收费',
          responsibleDepartmentId: wjCity,
          measures: [{ description: '停止串换并退回', deadline: dayOffset(30) }],
        },
      ],
      ...over,
    });
    // PLANNED: not yet.
    expect(code(await gql('yb-610302-investigator', SELF_CHECK, { i: report() }))).toBe('INVALID_TRANSITION');
    data(await gql(LEAD, ADVANCE, { id: g.id }));
    // Not a 医保 case worker; not a participant (NOT_FOUND: the campaign is not visible); not a target.
    expect(code(await gql('wj-610300-investigator', SELF_CHECK, { i: report() }))).toBe('FORBIDDEN');
    expect(code(await gql('yb-610302-analyst', SELF_CHECK, { i: report() }))).toBe('FORBIDDEN');
    expect(code(await gql('yb-610303-investigator', SELF_CHECK, { i: report() }))).toBe('NOT_FOUND');
    expect(
      code(await gql('yb-610302-investigator', SELF_CHECK, { i: report({ institutionCode: 'Y610402001' }) })),
    ).toBe('BAD_USER_INPUT');
    const r = data(await gql('yb-610302-investigator', SELF_CHECK, { i: report() })).recordSelfCheck;
    expect(r).toMatchObject({
      voluntaryRefund: '123456.78',
      patientRefund: '0.10',
      institution: { code: 'H610302001' },
      campaign: { id: g.id },
      problems: [
        {
          source: 'SELF_CHECK',
          status: 'OPEN',
          institution: { code: 'H610302001' },
          campaign: { id: g.id },
          supervisingDepartment: { id: ybCounty },
        },
      ],
    });
    // One report per institution and campaign.
    expect(code(await gql('yb-610302-investigator', SELF_CHECK, { i: report({ problems: null }) }))).toBe(
      'BAD_USER_INPUT',
    );
    data(
      await gql('yb-610302-investigator', SELF_CHECK, {
        i: report({ institutionCode: 'H610303001', voluntaryRefund: '0.22', patientRefund: '100', problems: null }),
      }),
    );
    const figures = data(await gql(LEAD, GET, { id: g.id })).campaign.figures;
    expect(figures).toMatchObject({
      problemsFound: 1,
      problemsClosed: 0,
      voluntaryRefund: '123457.00',
      patientRefund: '100.10',
    });
    const listed = data(await gql('yb-610302-investigator', PROBLEMS, { f: { campaignId: g.id } })).problems;
    expect(listed.totalCount).toBe(1);
    // supervisionStats counts the refunds recorded in the window for institutions of the region.
    const STATS = `query($r: String!, $d: Date!) { supervisionStats(regionCode: $r, from: $d, to: $d) {
      voluntaryRefund patientRefund byDepartment { department { id } voluntaryRefund }
      byCampaign { id figures { voluntaryRefund patientRefund } } } }`;
    const today = dayOffset(0);
    const city = data(await gql(LEAD, STATS, { r: '610300', d: today })).supervisionStats;
    expect(city).toMatchObject({ voluntaryRefund: '123457.00', patientRefund: '100.10' });
    expect(
      city.byDepartment.find((d: { department: { id: string } }) => d.department.id === ybCounty).voluntaryRefund,
    ).toBe('123457.00');
    expect(city.byCampaign.find((c: { id: string }) => c.id === g.id)).toEqual({
      id: g.id,
      figures: { voluntaryRefund: '123457.00', patientRefund: '100.10' },
    });
    const county = data(await gql('yb-610302-leader', STATS, { r: '610302', d: today })).supervisionStats;
    expect(county).toMatchObject({ voluntaryRefund: '123456.78', patientRefund: '0.10' });
    // The city's campaigns do not lie inside the county: none by campaign there.
    expect(county.byCampaign).toEqual([]);
    // SELF_CHECK stays refused by hand.
    expect(
      code(
        await gql('yb-610302-investigator', `mutation($i: CreateProblemInput!) { createProblem(input: $i) { id } }`, {
          i: { ...report().problems[0], institutionCode: 'H610302001' },
        }),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('the demo walks a campaign through its phases: self-check refund, joint inspection, documents, 通报', async () => {
    const typical = await insertCase(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' });
    const lines = await demoCampaign(
      t.services,
      '610302',
      { from: '2025-03-01', to: '2025-03-31' },
      {
        models: ['DEATH_AFTER'],
        waitForRunMs: 0,
        noticeCaseIds: [typical],
      },
    );
    expect(lines).toHaveLength(6);
    expect(lines[3]).toMatch(/joint inspection JC\d{4}-\d{6} .*工作建议函 \S+〔\d{4}〕\d+号/);
    expect(lines[4]).toMatch(/^通报 .*〔\d{4}〕\d+号: 1 case/);
    expect(lines[5]).toMatch(
      /CLOSED .*targets 1 \(covered 1\), .*problems 3 found .*1 inspection\(s\), 2 document\(s\), 主动退回 38650\.40, 退还群众 1260\.00/,
    );
  });

  it('lists self-check reports by campaign, institution, department and date, paged; campaigns by region', async () => {
    const g = data(await gql(LEAD, CREATE, { i: input() })).createCampaign;
    data(await gql(LEAD, ADVANCE, { id: g.id }));
    const record = (institutionCode: string) =>
      gql('yb-610302-investigator', SELF_CHECK, {
        i: { campaignId: g.id, institutionCode, findings: '自查', voluntaryRefund: '1.00', patientRefund: '0' },
      });
    const first = data(await record('H610302001')).recordSelfCheck;
    const second = data(await record('H610303001')).recordSelfCheck;
    const REPORTS = `query($f: SelfCheckReportFilter, $n: Int, $a: String) { selfCheckReports(filter: $f, first: $n, after: $a) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id institution { code } } } } }`;
    const ids = async (who: string, f: Record<string, unknown>) =>
      data(await gql(who, REPORTS, { f })).selfCheckReports.edges.map((e: { node: { id: string } }) => e.node.id);
    // Newest first, one page at a time.
    const page1 = data(await gql(LEAD, REPORTS, { f: { campaignId: g.id }, n: 1 })).selfCheckReports;
    expect(page1).toMatchObject({
      totalCount: 2,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { id: second.id } }],
    });
    const page2 = data(
      await gql(LEAD, REPORTS, { f: { campaignId: g.id }, n: 1, a: page1.pageInfo.endCursor }),
    ).selfCheckReports;
    expect(page2).toMatchObject({ pageInfo: { hasNextPage: false }, edges: [{ node: { id: first.id } }] });
    expect(await ids(LEAD, { campaignId: g.id, institutionCode: 'H610303001' })).toEqual([second.id]);
    expect(await ids(LEAD, { campaignId: g.id, departmentId: ybCounty })).toEqual([second.id, first.id]);
    expect(await ids(LEAD, { campaignId: g.id, departmentId: wjCity })).toEqual([]);
    expect(await ids(LEAD, { campaignId: g.id, recordedFrom: dayOffset(0), recordedTo: dayOffset(0) })).toHaveLength(2);
    expect(await ids(LEAD, { campaignId: g.id, recordedTo: dayOffset(-1) })).toEqual([]);
    expect(code(await gql(LEAD, REPORTS, { f: { recordedFrom: dayOffset(1), recordedTo: dayOffset(0) } }))).toBe(
      'BAD_USER_INPUT',
    );
    // Only the reports of campaigns I see.
    expect(await ids('ga-610300-leader', { campaignId: g.id })).toEqual([]);
    expect(await ids('wj-610300-investigator', { campaignId: g.id })).toHaveLength(2);

    const CAMPAIGNS = `query($r: String) { campaigns(filter: { regionCode: $r }, first: 100) { edges { node { id } } } }`;
    const inRegion = async (r: string) =>
      data(await gql(LEAD, CAMPAIGNS, { r })).campaigns.edges.some((e: { node: { id: string } }) => e.node.id === g.id);
    expect(await inRegion('610000')).toBe(true);
    expect(await inRegion('610300')).toBe(true);
    expect(await inRegion('610302')).toBe(false);
    // A malformed region is refused, as by every list's region filter (src/core/filters.ts).
    expect(code(await gql(LEAD, CAMPAIGNS, { r: '61-03' }))).toBe('BAD_USER_INPUT');
  });

  it('every campaign mutation is audited', async () => {
    const rows: { action: string }[] = await t.services.db.query(
      `SELECT DISTINCT action FROM audit_log WHERE action = ANY($1::text[]) ORDER BY action`,
      [
        [
          'mutation.createCampaign',
          'mutation.advanceCampaign',
          'mutation.startCampaignRun',
          'mutation.recordSelfCheck',
        ],
      ],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'mutation.advanceCampaign',
      'mutation.createCampaign',
      'mutation.recordSelfCheck',
      'mutation.startCampaignRun',
    ]);
  });
});
