/**
 * Managing the rule library through GraphQL (RULES.md "Managing rules"), with the access rules
 * written from the spec (never read off src/policy):
 *   - ADMIN, or an ANALYST or LEADER of a 医保 department, manage rules scoped to their own
 *     region or below; everyone else is FORBIDDEN (and the denial audited).
 *   - Those who read hits (医保 and 纪委) and rule managers (ADMIN) read the rules that apply in
 *     their jurisdiction (scoped inside it or above it); others see none.
 * Then: versions (the old one readable with its validity), audit before/after, retire,
 * collisionHits(filter: {ruleId}), CollisionHit.rule and ruleStats.
 */
import { toGlobalId } from '../../src/core/ids';
import { RULE_MODEL_CODES } from '../../src/collision/registry';
import { runModel } from '../../src/collision/run-model';
import { recordRunRules } from '../../src/domain/rule/rule.repository';
import { Actor, covers, KINDS, MatrixSession, ROLES } from '../support/access-matrix';
import { startTestApi, TestApi } from '../support/harness';
import { seedWorkflowFixtures } from '../support/workflow-fixtures';

let t: TestApi;
let session: MatrixSession;
const REGIONS = ['610000', '610300', '610302', '610402'];
const RULE_REGION = '610302';

const CREATE = `mutation($i: RuleInput!) { createRule(input: $i) { id ruleId version regionCode } }`;
const READ = `query($r: String!) { rule(ruleId: $r) { id ruleId } }`;
const input = (ruleId: string, extra: Record<string, unknown> = {}) => ({
  ruleId,
  ruleClass: 'SEX',
  itemCode: 'EX1',
  regionCode: RULE_REGION,
  effectiveFrom: '2025-01-01',
  gender: 'F',
  description: '妇科检查限女性',
  ...extra,
});

const managesRules = (a: Actor): boolean =>
  a.role === 'ADMIN' || (a.kind === 'MEDICAL_INSURANCE' && (a.role === 'ANALYST' || a.role === 'LEADER'));
const readsRules = (a: Actor): boolean =>
  a.role === 'ADMIN' || a.kind === 'MEDICAL_INSURANCE' || a.kind === 'DISCIPLINE';
const overlaps = (actorRegion: string, ruleRegion: string): boolean =>
  covers(actorRegion, ruleRegion) || covers(ruleRegion, actorRegion);

const ACTORS: Actor[] = REGIONS.flatMap((region) =>
  KINDS.flatMap((kind) => ROLES.map((role) => ({ kind, region, role }))),
);
/** The rule the first actor allowed to create one created. */
const FIRST_MANAGED = `M-${ACTORS.findIndex((a) => managesRules(a) && covers(a.region, RULE_REGION))}`;
const ADMIN_ANALYST: Actor = { kind: 'MEDICAL_INSURANCE', region: '610300', role: 'ANALYST' };

beforeAll(async () => {
  t = await startTestApi();
  await seedWorkflowFixtures(t.services);
  session = new MatrixSession(t);
  await t.services.db.query("SELECT ensure_month_partitions('2025-01-01', '2025-06-30')");
}, 120_000);
afterAll(() => t?.close());

describe('rule library: who manages and who reads (RULES.md)', () => {
  it('createRule: ADMIN, or 医保 ANALYST/LEADER, for a rule in their region or below', async () => {
    const results = [];
    for (const [i, actor] of ACTORS.entries()) {
      const want = managesRules(actor) && covers(actor.region, RULE_REGION) ? 'OK' : 'FORBIDDEN';
      const ruleId = `M-${i}`;
      const r = await session.mutate(actor, 'createRule', CREATE, { i: input(ruleId) }, ruleId, want);
      results.push({ actor: `${actor.kind} ${actor.region} ${actor.role}`, got: r.result, want });
    }
    expect(results.filter((r) => r.got !== r.want)).toEqual([]);
    expect(results.filter((r) => r.want === 'OK').length).toBeGreaterThan(3);
  }, 120_000);

  it('rule(ruleId) and rules: readers of hits and ADMINs, where the rule applies in their jurisdiction', async () => {
    const results = [];
    for (const actor of ACTORS) {
      const want = readsRules(actor) && overlaps(actor.region, RULE_REGION);
      const res = await session.gql(actor, READ, { r: FIRST_MANAGED });
      expect(res.errors).toBeUndefined();
      const listed = await session.list(actor, 'rules');
      results.push({
        actor: `${actor.kind} ${actor.region} ${actor.role}`,
        got: [!!res.data.rule, listed.size > 0],
        want: [want, want],
      });
    }
    expect(results.filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.want))).toEqual([]);
  }, 120_000);

  it('denials are audited', async () => {
    expect(await session.unauditedDenials()).toEqual([]);
  });
});

describe('versions, audit, retire, hits and statistics', () => {
  const gql = (query: string, variables: Record<string, unknown> = {}) => session.gql(ADMIN_ANALYST, query, variables);

  it('validates as rules.csv does, and refuses a taken rule id', async () => {
    let res = await gql(CREATE, { i: input('V-1', { minAge: 3 }) });
    expect(res.errors?.[0]?.message).toBe('min_age must be empty for a SEX rule');
    res = await gql(CREATE, { i: input('V-2', { ruleClass: 'EXCLUSIVE', gender: null, otherItemCode: 'EX1' }) });
    expect(res.errors?.[0]?.message).toBe('other_item_code equals item_code');
    res = await gql(CREATE, { i: input('V-3', { regionCode: '619900' }) });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await gql(CREATE, { i: input('V-4') })).errors).toBeUndefined();
    expect((await gql(CREATE, { i: input('V-4') })).errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('updateRule writes a new version; the old one stays readable; both audited with before/after', async () => {
    const update = `mutation($i: RuleInput!, $v: Int) { updateRule(input: $i, expectedVersion: $v) { id version gender effectiveFrom } }`;
    const [old] = (await t.services.db.query(`SELECT id FROM rule WHERE rule_id = 'V-4' AND version = 1`)) as {
      id: string;
    }[];
    const res = await gql(update, { i: input('V-4', { gender: 'M', effectiveFrom: '2025-02-01' }), v: 1 });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateRule).toMatchObject({ version: 2, gender: 'M', effectiveFrom: '2025-02-01' });
    const stale = await gql(update, { i: input('V-4'), v: 1 });
    expect(stale.errors?.[0]?.extensions?.code).toBe('VERSION_CONFLICT');
    const node = await gql(`query($id: ID!) { node(id: $id) { ... on Rule { version gender effectiveFrom } } }`, {
      id: toGlobalId('Rule', old.id),
    });
    expect(node.data.node).toEqual({ version: 1, gender: 'F', effectiveFrom: '2025-01-01' });
    const current = await gql(READ.replace('{ id ruleId }', '{ version gender }'), { r: 'V-4' });
    expect(current.data.rule).toEqual({ version: 2, gender: 'M' });
    const audit = await t.services.db.query(
      `SELECT action, detail FROM audit_log WHERE action LIKE 'Rule.%' AND detail->>'ruleId' = 'V-4' ORDER BY id`,
    );
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['Rule.CREATE', 'Rule.UPDATE']);
    expect(audit[1].detail.before).toMatchObject({ gender: 'F', version: 1 });
    expect(audit[1].detail.after).toMatchObject({ gender: 'M', version: 2, effectiveFrom: '2025-02-01' });
  });

  it('retireRule ends the rule in a new version', async () => {
    const res = await gql(
      `mutation { retireRule(ruleId: "V-4", effectiveTo: "2025-06-30") { version effectiveTo gender } }`,
    );
    expect(res.data.retireRule).toEqual({ version: 3, effectiveTo: '2025-06-30', gender: 'M' });
    const early = await gql(`mutation { retireRule(ruleId: "V-4", effectiveTo: "2024-01-01") { version } }`);
    expect(early.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const filtered = await gql(`{ rules(filter: {activeOn: "2025-07-01", search: "V-4"}) { totalCount } }`);
    expect(filtered.data.rules.totalCount).toBe(0);
  });

  it('collisionHits(filter: {ruleId}), CollisionHit.rule and ruleStats', async () => {
    const db = t.services.db;
    await db.query(`UPDATE person SET gender = 'M', birth_date = '1980-01-01' WHERE person_id = 'P2'`);
    await db.query(`INSERT INTO settlement_key (settlement_id, settled_on) VALUES ('ST1', '2025-03-05')`);
    await db.query(
      `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, settled_at, settled_on, diagnosis_code,
                               total_amount, fund_amount, self_amount)
       VALUES ('ST1', 'P2', 'H610302001', 'OUTPATIENT', '2025-03-05T10:00:00+08:00', '2025-03-05', 'J06.9', 30, 20, 10)`,
    );
    await db.query(
      `INSERT INTO settlement_item (settlement_id, line_no, settled_on, item_code, item_kind, item_name, quantity, unit_price, amount, charged_on)
       VALUES ('ST1', 1, '2025-03-05', 'EX1', 'EXAM', 'EX1', 1, 30, 30, '2025-03-05')`,
    );
    const [run] = await db.query(
      `INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, '2025-03-01', '2025-03-31') RETURNING id`,
      [RULE_MODEL_CODES],
    );
    await db.transaction((m) => recordRunRules(m, run.id, RULE_MODEL_CODES));
    await runModel(db, { runId: run.id, model: 'RULE_SEX', from: '2025-03-01', to: '2025-03-31', params: {} });
    const hits = await gql(
      `{ collisionHits(filter: {ruleId: "${FIRST_MANAGED}"}) {
           totalCount edges { node { hitKey model amountInvolved rule { ruleId version description } } } } }`,
    );
    expect(hits.errors).toBeUndefined();
    expect(hits.data.collisionHits.totalCount).toBe(1);
    expect(hits.data.collisionHits.edges[0].node).toMatchObject({
      model: 'RULE_SEX',
      amountInvolved: '30.00',
      rule: { version: 1, description: '妇科检查限女性' },
    });
    const stats = await gql(
      `{ ruleStats(regionCode: "610300", from: "2025-03-01", to: "2025-03-31") { rule { ruleId } hits amount institutions } }`,
    );
    expect(stats.errors).toBeUndefined();
    const withHits = stats.data.ruleStats.filter((s: { hits: number }) => s.hits > 0);
    expect(withHits).toHaveLength(
      (await db.query(`SELECT count(*)::int AS n FROM collision_hit WHERE model = 'RULE_SEX'`))[0].n,
    );
    expect(withHits[0]).toMatchObject({ hits: 1, amount: '30.00', institutions: 1 });
    // A 卫健 analyst reads statistics but no rules: an empty list.
    const health = await session.gql(
      { kind: 'HEALTH', region: '610300', role: 'ANALYST' },
      `{ ruleStats(regionCode: "610300", from: "2025-03-01", to: "2025-03-31") { hits } }`,
    );
    expect(health.data.ruleStats).toEqual([]);
    const investigator = await session.gql(
      { kind: 'MEDICAL_INSURANCE', region: '610300', role: 'INVESTIGATOR' },
      `{ ruleStats(regionCode: "610300", from: "2025-03-01", to: "2025-03-31") { hits } }`,
    );
    expect(investigator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
