/**
 * Who sees and who acts on a campaign (专项行动, PRODUCT.md §9 "Campaigns" and "Access", §6), as a
 * table: every role × agency × relation of the caller's department to the campaign. The
 * expectations are the spec written as code (expectedCampaign, never read off src/policy):
 *
 *   - A campaign is visible to its participants — users (not ADMIN) of the leading department
 *     and of the participating departments, of any kind and region — and to 纪委 whose
 *     jurisdiction covers the campaign's region. Departments above a participant do not see it
 *     by that alone.
 *   - Its phases are moved (advanceCampaign) by a LEADER of the leading department.
 *   - Collision runs (startCampaignRun) are started by members who may start a collision run
 *     over the campaign's region: 医保 ANALYSTs and LEADERs whose jurisdiction covers it.
 *   - Self-check reports (recordSelfCheck) are recorded by members who are case workers
 *     (INVESTIGATOR, SUPERVISOR, LEADER) of a 医保 department.
 *   - Inspections and documents of the campaign (PLAN_INSPECTION, ISSUE_DOCUMENT) are the
 *     members' (the roles that plan inspections and issue documents: their own matrices; the
 *     membership: campaign-work.test.ts).
 *   - createCampaign: LEADERs, over a region of their jurisdiction.
 *   - Denials are FORBIDDEN (and audited); campaigns not seen are NOT_FOUND.
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
  NEIGHBOUR,
  OTHER,
  Outcome,
  same,
  THIRD,
  who,
} from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** What is true of a campaign, independent of who asks. Its region is COUNTY; its target H610302001. */
interface CampaignFacts {
  lead: Dept;
  participant: Dept;
}
const CAMPAIGN_REGION = COUNTY;

const member = (a: Actor, g: CampaignFacts) => a.role !== 'ADMIN' && (same(a, g.lead) || same(a, g.participant));

/** PRODUCT.md §9 "Access" for a campaign, as code: members act (by their role), 纪委 of the jurisdiction read. */
function expectedCampaign(actor: Actor, g: CampaignFacts): Outcome {
  if (actor.role === 'ADMIN') return 'NONE';
  if (member(actor, g)) return 'CHANGE';
  return actor.kind === 'DISCIPLINE' && covers(actor.region, CAMPAIGN_REGION) ? 'READ' : 'NONE';
}

const seen = (actor: Actor, g: CampaignFacts) => expectedCampaign(actor, g) !== 'NONE';
const changeBy =
  (party: (actor: Actor, g: CampaignFacts) => boolean) =>
  (actor: Actor, g: CampaignFacts): Code =>
    !seen(actor, g) ? 'NOT_FOUND' : party(actor, g) ? 'OK' : 'FORBIDDEN';
const leadLeader = (a: Actor, g: CampaignFacts) => same(a, g.lead) && a.role === 'LEADER';
const runner = (a: Actor, g: CampaignFacts) =>
  member(a, g) &&
  a.kind === 'MEDICAL_INSURANCE' &&
  (a.role === 'ANALYST' || a.role === 'LEADER') &&
  covers(a.region, CAMPAIGN_REGION);
const selfChecker = (a: Actor, g: CampaignFacts) => member(a, g) && a.kind === 'MEDICAL_INSURANCE' && isCaseWorker(a);

interface Relation {
  name: string;
  actorRegion: string;
  facts(k: Kind): CampaignFacts;
}
const RELATIONS: Relation[] = [
  {
    name: 'leading department',
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: k, region: COUNTY }, participant: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'participating department',
    actorRegion: COUNTY,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, participant: { kind: k, region: COUNTY } }),
  },
  {
    name: 'participating department of another city',
    actorRegion: FAR,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, participant: { kind: k, region: FAR } }),
  },
  {
    name: 'same-kind city above the leading department',
    actorRegion: CITY,
    facts: (k) => ({ lead: { kind: k, region: COUNTY }, participant: { kind: OTHER[k], region: COUNTY } }),
  },
  {
    name: 'unrelated (neighbouring county)',
    actorRegion: NEIGHBOUR,
    facts: (k) => ({ lead: { kind: OTHER[k], region: COUNTY }, participant: { kind: THIRD[k], region: COUNTY } }),
  },
];

interface CampaignMutation {
  name: string;
  query: string;
  want(actor: Actor, g: CampaignFacts): Code;
  /** The campaign to act on: a fresh one (in SELF_CHECK) when the change is expected to succeed. */
  vars(campaignId: string): Record<string, unknown>;
}

const MUTATIONS: CampaignMutation[] = [
  {
    name: 'advanceCampaign',
    query: `mutation($id: ID!) { advanceCampaign(campaignId: $id) { id phase } }`,
    want: changeBy(leadLeader),
    vars: (id) => ({ id }),
  },
  {
    name: 'startCampaignRun',
    query: `mutation($id: ID!) { startCampaignRun(campaignId: $id, models: [DEATH_AFTER]) { id } }`,
    want: changeBy(runner),
    vars: (id) => ({ id }),
  },
  {
    name: 'recordSelfCheck',
    query: `mutation($id: ID!) { recordSelfCheck(input: { campaignId: $id, institutionCode: "H610302001",
      findings: "矩阵自查", voluntaryRefund: "1.00", patientRefund: "0.50" }) { id } }`,
    want: changeBy(selfChecker),
    vars: (id) => ({ id }),
  },
];

const ROWS = matrixRows(RELATIONS, expectedCampaign, MUTATIONS);

describe('campaign access matrix (PRODUCT.md §9, §6)', () => {
  let t: TestApi;
  let s: MatrixSession;
  const shared = new Map<string, string>();
  let seq = 0;

  const deptRow = async (d: Dept): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [d.kind, d.region]))[0]
      .id;

  /** A campaign inserted in SELF_CHECK with its two departments and one target (no timeline: access is tested). */
  async function insertCampaign(facts: CampaignFacts): Promise<string> {
    const n = ++seq;
    const lead = await deptRow(facts.lead);
    const [g] = await t.services.db.query(
      `INSERT INTO campaign (code, name, lead_department_id, region_code, scope_from, scope_to, status)
       VALUES ($1, '矩阵专项', $2, $3, '2024-01-01', '2024-12-31', 'SELF_CHECK') RETURNING id`,
      [`ZX-MX-${process.pid}-${n}`, lead, CAMPAIGN_REGION],
    );
    await t.services.db.query(
      `INSERT INTO campaign_participant (campaign_id, department_id) VALUES ($1, $2), ($1, $3)`,
      [g.id, lead, await deptRow(facts.participant)],
    );
    await t.services.db.query(`INSERT INTO campaign_target (campaign_id, institution_code) VALUES ($1, 'H610302001')`, [
      g.id,
    ]);
    return toGlobalId('Campaign', g.id);
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    s = new MatrixSession(t);
    for (const relation of RELATIONS) {
      for (const kind of KINDS) shared.set(`${relation.name}|${kind}`, await insertCampaign(relation.facts(kind)));
    }
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

        // Reading: campaign(id), node(id) and the list agree; the buttons are the actor's events.
        const read = await s.gql(
          actor,
          `query($id: ID!) { campaign(id: $id) { id allowedEvents } node(id: $id) { id } }`,
          {
            id: own,
          },
        );
        expect(read.errors).toBeUndefined();
        expect({
          campaign: read.data.campaign !== null,
          node: read.data.node !== null,
          list: (await s.list(actor, 'campaigns')).has(own),
        }).toEqual({ campaign: sees, node: sees, list: sees });
        if (sees) {
          const events = [
            ...(leadLeader(actor, facts) ? ['ADVANCE'] : []),
            ...(member(actor, facts) ? ['START_RUN', 'RECORD_SELF_CHECK', 'PLAN_INSPECTION', 'ISSUE_DOCUMENT'] : []),
          ];
          expect(read.data.campaign.allowedEvents).toEqual(events);
        }

        // Acting: each mutation, on a fresh campaign where it is expected to succeed.
        const results = await Promise.all(
          MUTATIONS.map(async (m, i) => {
            const want = row.wants[i].result;
            const id = want === 'OK' ? await insertCampaign(facts) : own;
            return s.mutate(actor, m.name, m.query, m.vars(id), id, want);
          }),
        );
        expect(results).toEqual(row.wants);

        // createCampaign: LEADERs over their own region.
        const create = await s.gql(
          actor,
          `mutation($r: String!) { createCampaign(input: { name: "矩阵新建", regionCode: $r, scopeFrom: "2024-01-01",
             scopeTo: "2024-06-30", participantDepartmentIds: [], targetKinds: [HOSPITAL, PHARMACY] }) { id } }`,
          { r: actor.region },
        );
        expect(create.errors?.[0]?.extensions?.code ?? 'OK').toBe(actor.role === 'LEADER' ? 'OK' : 'FORBIDDEN');

        // Nothing shared changed.
        const [state] = await t.services.db.query(
          `SELECT status || ' v' || version AS campaign,
                  (SELECT count(*)::int FROM self_check_report WHERE campaign_id = $1) AS reports,
                  (SELECT count(*)::int FROM collision_run WHERE campaign_id = $1) AS runs
           FROM campaign WHERE id = $1`,
          [rowId(own)],
        );
        expect(state).toEqual({ campaign: 'SELF_CHECK v1', reports: 0, runs: 0 });
      },
    );
  });

  it('every FORBIDDEN above was audited as a denial of that user, field and target', async () => {
    expect(s.denials).toBeGreaterThan(50);
    expect(await s.unauditedDenials()).toEqual([]);
  });
});
