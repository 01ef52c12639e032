/**
 * The filters of the collision lists and the rule library (PRODUCT.md §7; docs/READING.md
 * "Filters"): collisionRuns (new: status, model, region, window, request dates), collisionHits
 * (new: amount range, person, clue, formed a clue or not, dates) and rules (new: in-force range,
 * retired). Each filter, alone and combined, is checked across pages (first: 2) against the
 * fixtures' facts filtered in TypeScript, in the list's stable order.
 */
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TestApi } from '../support/harness';
import { AsUser, asUsers, code, data } from '../support/client';
import { insertClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

/** 医保 analysts of the province read every run and hit of the province. */
const READER = 'yb-610000-analyst';
const day = (n: number) => `2026-04-${String(n + 1).padStart(2, '0')}`;
const at = (d: string) => `${d}T09:00:00+08:00`;

interface RunFact {
  id: string;
  day: string;
  status: string;
  models: string[];
  region: string | null;
  from: string;
  to: string;
}
interface HitFact {
  id: string;
  day: string;
  model: string;
  amount: number;
  institution: string;
  region: string;
  persons: string[];
  clueId: string | null;
  runId: string;
}
interface RuleFact {
  id: string;
  ruleId: string;
  from: string;
  to: string | null;
}

describe('filters of the collision lists and the rule library', () => {
  let t: TestApi;
  let gql: AsUser;
  const runs: RunFact[] = [];
  const hits: HitFact[] = [];
  const rules: RuleFact[] = [];

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    const db = t.services.db;
    const regions = [null, '610300', '610302', '610400'];
    const modelSets = [['OVER_PRICE'], ['BED_HANGING', 'OVER_PRICE'], ['DEATH_AFTER'], ['BED_HANGING']];
    for (let n = 0; n < 8; n++) {
      const fact = {
        day: day(n),
        status: ['SUCCEEDED', 'FAILED', 'RUNNING'][n % 3],
        models: modelSets[n % 4],
        region: regions[(n + 1) % 4],
        from: `2026-0${1 + (n % 3)}-01`,
        to: `2026-0${1 + (n % 3)}-28`,
      };
      const [row] = await db.query(
        `INSERT INTO collision_run (models, from_date, to_date, region_code, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [fact.models, fact.from, fact.to, fact.region, fact.status, at(fact.day)],
      );
      runs.push({ id: row.id, ...fact });
    }
    const institutions = [
      { code: 'H610302001', region: '610302' },
      { code: 'H610303001', region: '610303' },
      { code: 'Y610402001', region: '610402' },
    ];
    for (let n = 0; n < 10; n++) {
      const inst = institutions[n % 3];
      const clueId =
        n % 3 === 0 ? await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: inst.region }) : null;
      const fact = {
        day: day(n),
        model: n % 2 === 0 ? 'OVER_PRICE' : 'BED_HANGING',
        amount: n * 700 + 0.75,
        institution: inst.code,
        region: inst.region,
        persons: n % 4 === 0 ? ['P1', 'P2'] : n % 4 === 1 ? ['P2'] : ['P3'],
        clueId,
        runId: runs[n % 2].id,
      };
      const [row] = await db.query(
        `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids, settlement_ids,
                                    first_run_id, last_run_id, clue_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $7, $8, $9) RETURNING id`,
        [
          fact.model,
          `F-${n}`,
          fact.amount.toFixed(2),
          fact.institution,
          fact.region,
          fact.persons,
          fact.runId,
          clueId,
          at(fact.day),
        ],
      );
      hits.push({ id: row.id, ...fact });
    }
    for (let n = 0; n < 6; n++) {
      const fact = {
        ruleId: `F-RULE-${n}`,
        from: `2025-0${1 + n}-01`,
        to: n % 2 === 1 ? `2025-0${3 + n}-15` : null,
      };
      const [row] = await db.query(
        `INSERT INTO rule (rule_id, rule_class, item_code, region_code, effective_from, effective_to, gender, description)
         VALUES ($1, 'SEX', $2, '610300', $3, $4, 'F', '筛选规则') RETURNING id`,
        [fact.ruleId, `ITEM-${n}`, fact.from, fact.to],
      );
      rules.push({ id: row.id, ...fact });
    }
  });
  afterAll(() => t.close());

  async function listAll(field: string, filterType: string, f: Record<string, unknown>) {
    const ids: string[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const res: any = data(
        await gql(
          READER,
          `query($f: ${filterType}, $after: String) { ${field}(filter: $f, first: 2, after: $after) {
             totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
          { f, after },
        ),
      );
      totals.add(res[field].totalCount);
      ids.push(...res[field].edges.map((e: { node: { id: string } }) => e.node.id));
      if (!res[field].pageInfo.hasNextPage) break;
      after = res[field].pageInfo.endCursor;
    }
    return { ids, totals: [...totals] };
  }

  async function check<T extends { id: string }>(
    field: string,
    filterType: string,
    toId: (row: T) => string,
    order: (a: T, b: T) => number,
    universe: T[],
    cases: [Record<string, unknown>, (row: T) => boolean][],
  ) {
    for (const [f, keep] of cases) {
      const selected = universe.filter(keep);
      expect({ f, some: selected.length > 0, notAll: selected.length < universe.length }).toEqual({
        f,
        some: true,
        notAll: true,
      });
      const want = [...selected].sort(order).map(toId);
      expect({ f, ...(await listAll(field, filterType, f)) }).toEqual({ f, ids: want, totals: [want.length] });
    }
  }
  const newestFirst = (a: { day: string }, b: { day: string }) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0);

  it('collisionRuns: status, model, region, window overlap, request dates, combined', async () => {
    const overlaps = (r: RunFact, from: string, to: string) => r.to >= from && r.from <= to;
    await check(
      'collisionRuns',
      'CollisionRunFilter',
      (r: RunFact) => toGlobalId('CollisionRun', r.id),
      newestFirst,
      runs,
      [
        [{ status: ['FAILED', 'RUNNING'] }, (r) => r.status !== 'SUCCEEDED'],
        [{ model: 'BED_HANGING' }, (r) => r.models.includes('BED_HANGING')],
        [{ regionCode: '610300' }, (r) => r.region !== null && r.region.startsWith('6103')],
        [{ periodFrom: '2026-02-10', periodTo: '2026-02-20' }, (r) => overlaps(r, '2026-02-10', '2026-02-20')],
        [{ periodTo: '2026-01-31' }, (r) => r.from <= '2026-01-31'],
        [{ createdFrom: day(2), createdTo: day(5) }, (r) => r.day >= day(2) && r.day <= day(5)],
        [
          { model: 'OVER_PRICE', status: ['SUCCEEDED', 'RUNNING'], createdTo: day(6) },
          (r) => r.models.includes('OVER_PRICE') && r.status !== 'FAILED' && r.day <= day(6),
        ],
      ],
    );
    expect(
      code(
        await gql(
          READER,
          '{ collisionRuns(filter: { periodFrom: "2026-03-01", periodTo: "2026-02-01" }) { totalCount } }',
        ),
      ),
    ).toBe('BAD_USER_INPUT');
  });

  it('collisionHits: amount range, person, clue, formed a clue, dates, with the existing model/run/institution/region, combined', async () => {
    const withClue = hits.find((h) => h.clueId)!;
    await check(
      'collisionHits',
      'CollisionHitFilter',
      (h: HitFact) => toGlobalId('CollisionHit', h.id),
      newestFirst,
      hits,
      [
        [{ minAmount: '2800.75' }, (h) => h.amount >= 2800.75],
        [{ maxAmount: '2800.75' }, (h) => h.amount <= 2800.75],
        [{ minAmount: '700', maxAmount: '4000' }, (h) => h.amount >= 700 && h.amount <= 4000],
        [{ personId: 'P2' }, (h) => h.persons.includes('P2')],
        [{ clueId: toGlobalId('Clue', withClue.clueId!) }, (h) => h.clueId === withClue.clueId],
        [{ hasClue: true }, (h) => h.clueId !== null],
        [{ hasClue: false }, (h) => h.clueId === null],
        [{ createdFrom: day(3), createdTo: day(6) }, (h) => h.day >= day(3) && h.day <= day(6)],
        [
          { model: 'OVER_PRICE', regionCode: '610300', personId: 'P2', minAmount: '1' },
          (h) => h.model === 'OVER_PRICE' && h.region.startsWith('6103') && h.persons.includes('P2') && h.amount >= 1,
        ],
        [
          { runId: toGlobalId('CollisionRun', runs[1].id), hasClue: false, createdTo: day(8) },
          (h) => h.runId === runs[1].id && h.clueId === null && h.day <= day(8),
        ],
      ],
    );
  });

  it('rules: in-force range and retired, with the existing filters, in rule id order', async () => {
    const byRuleId = (a: RuleFact, b: RuleFact) => (a.ruleId < b.ruleId ? -1 : 1);
    const inForce = (r: RuleFact, from: string, to: string) => r.from <= to && (r.to === null || r.to >= from);
    await check('rules', 'RuleFilter', (r: RuleFact) => toGlobalId('Rule', r.id), byRuleId, rules, [
      [{ retired: true }, (r) => r.to !== null],
      [{ retired: false }, (r) => r.to === null],
      [{ inForceFrom: '2025-06-01' }, (r) => r.to === null || r.to >= '2025-06-01'],
      [{ inForceTo: '2025-03-31' }, (r) => r.from <= '2025-03-31'],
      [{ inForceFrom: '2025-04-20', inForceTo: '2025-05-10' }, (r) => inForce(r, '2025-04-20', '2025-05-10')],
      [{ retired: true, search: 'F-RULE-5' }, (r) => r.to !== null && r.ruleId === 'F-RULE-5'],
    ]);
  });
});
