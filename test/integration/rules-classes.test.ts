/**
 * The seven rule classes (RULES.md) on a small hand-built fixture: positives and traps of each
 * class — the first and last day of a rule, a birthday on the day of care, a 29 February birth,
 * two rules on one item, an exclusive pair on different days, a YEAR cap across two
 * institutions, a city rule that must not fire in another city — with exact keys and amounts.
 */
import { ALL_MODEL_CODES, MODEL_CODES, RULE_MODEL_CODES } from '../../src/collision/registry';
import { runModel } from '../../src/collision/run-model';
import { seedRegions } from '../../src/domain/reference/seed.service';
import { recordRunRules, runRuleVersions } from '../../src/domain/rule/rule.repository';
import { createTestEnv, TestEnv } from '../support/harness';

let env: TestEnv;
const q = (sql: string, params: unknown[] = []) => env.services.db.query(sql, params);

async function institution(code: string, region: string, level: string): Promise<void> {
  await q(
    `INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES ($1::text, $1::text, 'HOSPITAL', $2, 'PUBLIC', $3)`,
    [code, level, region],
  );
}
async function person(id: string, gender: string, birth: string): Promise<void> {
  await q(
    `INSERT INTO person (person_id, name, gender, birth_date, region_code, is_public_official) VALUES ($1::text, $1::text, $2, $3, '610302', false)`,
    [id, gender, birth],
  );
}
/** One settlement with its lines: [item, quantity, unit price, charged_on]. */
async function settlement(
  id: string,
  personId: string,
  inst: string,
  on: string,
  lines: [string, string, string, string?][],
  opts: { type?: string; dx?: string | null; admit?: string } = {},
): Promise<void> {
  const type = opts.type ?? 'OUTPATIENT';
  await q(`INSERT INTO settlement_key (settlement_id, settled_on) VALUES ($1, $2)`, [id, on]);
  await q(
    `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, admit_date, discharge_date, settled_at,
                             settled_on, diagnosis_code, total_amount, fund_amount, self_amount)
     VALUES ($1, $2, $3, $4, $5, $6, ($7::date + time '10:00') AT TIME ZONE 'Asia/Shanghai', $7, $8, 100, 90, 10)`,
    [
      id,
      personId,
      inst,
      type,
      type === 'INPATIENT' ? (opts.admit ?? on) : null,
      type === 'INPATIENT' ? on : null,
      on,
      opts.dx === undefined ? (type === 'PHARMACY' ? null : 'J18.9') : opts.dx,
    ],
  );
  let no = 0;
  for (const [item, qty, price, charged] of lines) {
    no++;
    await q(
      `INSERT INTO settlement_item (settlement_id, line_no, settled_on, item_code, item_kind, item_name, quantity, unit_price, amount, charged_on)
       VALUES ($1, $2, $3, $4::text, 'TREATMENT', $4::text, $5::numeric, $6::numeric, round($5::numeric * $6::numeric, 2), $7)`,
      [id, no, on, item, qty, price, charged ?? on],
    );
  }
}
async function rule(
  id: string,
  ruleClass: string,
  item: string,
  region: string,
  from: string,
  to: string | null,
  columns: Record<string, unknown>,
): Promise<void> {
  const names = Object.keys(columns);
  await q(
    `INSERT INTO rule (rule_id, rule_class, item_code, region_code, effective_from, effective_to, description${names.map((n) => `, ${n}`).join('')})
     VALUES ($1, $2, $3, $4, $5, $6, $7${names.map((_, i) => `, $${i + 8}`).join('')})`,
    [id, ruleClass, item, region, from, to, `规则 ${id}`, ...Object.values(columns)],
  );
}

const MARCH = { from: '2025-03-01', to: '2025-03-31' };

async function runAll(slice?: (model: string) => string[]): Promise<Record<string, [string, string, string][]>> {
  await q('TRUNCATE collision_hit, collision_run_rule, collision_run_job, collision_run CASCADE');
  const [run] = await q(`INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, $2, $3) RETURNING id`, [
    RULE_MODEL_CODES,
    MARCH.from,
    MARCH.to,
  ]);
  await env.services.db.transaction((m) => recordRunRules(m, run.id, RULE_MODEL_CODES));
  for (const model of RULE_MODEL_CODES) {
    for (const s of slice ? slice(model) : ['']) {
      await runModel(env.services.db, { runId: run.id, model, ...MARCH, params: {}, slice: s });
    }
  }
  const rows = await q(
    `SELECT model, hit_key, amount_involved::text, institution_code, detail FROM collision_hit ORDER BY model, hit_key COLLATE "C"`,
  );
  const result: Record<string, [string, string, string][]> = {};
  for (const r of rows) (result[r.model] ??= []).push([r.hit_key, r.amount_involved, r.institution_code]);
  return result;
}

beforeAll(async () => {
  env = await createTestEnv();
  await seedRegions(env.services);
  await q("SELECT ensure_month_partitions('2025-01-01', '2025-06-30')");
  await institution('H1', '610302', 'SECONDARY');
  await institution('H2', '610303', 'PRIMARY');
  await institution('H4', '610102', 'PRIMARY');
  await person('PM', 'M', '1980-03-15');
  await person('PF', 'F', '2015-03-10');
  await person('PL', 'F', '2012-02-29');

  // SEX: EX1 only for women, 03-05..03-20 (province); AGE: EX1 up to 30 (two rules on one item).
  await rule('SEX-1', 'SEX', 'EX1', '610000', '2025-03-05', '2025-03-20', { gender: 'F' });
  await rule('AGE-3', 'AGE', 'EX1', '610000', '2025-01-01', null, { max_age: 30 });
  await settlement('S01', 'PM', 'H1', '2025-03-04', [['EX1', '1', '10.00']]); // trap: the day before SEX-1 (AGE-3 fires)
  await settlement('S02', 'PM', 'H1', '2025-03-05', [['EX1', '1', '11.00']]); // SEX-1 first day + AGE-3
  await settlement('S03', 'PM', 'H1', '2025-03-20', [['EX1', '2', '6.00']]); // SEX-1 last day + AGE-3
  await settlement('S04', 'PM', 'H1', '2025-03-21', [['EX1', '1', '10.00']]); // trap: the day after (AGE-3 fires)
  await settlement('S05', 'PF', 'H1', '2025-03-10', [['EX1', '1', '10.00']]); // trap: a woman aged 10
  // AGE: DR1 up to 12 in 宝鸡 (city rule), DR2 from 10 (province).
  await rule('AGE-1', 'AGE', 'DR1', '610300', '2025-01-01', null, { max_age: 12 });
  await rule('AGE-2', 'AGE', 'DR2', '610000', '2025-01-01', null, { min_age: 10 });
  await settlement('S06', 'PL', 'H1', '2025-03-01', [['DR1', '1', '5.00']]); // born 29 Feb 2012: 13 on 1 March
  await settlement('S07', 'PL', 'H1', '2025-03-31', [['DR1', '1', '5.00', '2025-02-28']]); // 12 on 28 Feb: trap
  await settlement('S08', 'PL', 'H4', '2025-03-02', [['DR1', '1', '5.00']]); // trap: city rule, other city
  await settlement('S09', 'PF', 'H1', '2025-03-09', [['DR2', '1', '7.00']]); // 9 the day before her birthday
  await settlement('S10', 'PF', 'H1', '2025-03-10', [['DR2', '1', '7.00']]); // trap: 10 on her birthday
  // VISIT_TYPE: TR1 inpatient only.
  await rule('VIS-1', 'VISIT_TYPE', 'TR1', '610000', '2025-01-01', null, { visit_types: ['INPATIENT'] });
  await settlement('S11', 'PM', 'H1', '2025-03-11', [['TR1', '1', '8.00']]);
  await settlement('S12', 'PM', 'H1', '2025-03-12', [['TR1', '1', '8.00']], { type: 'INPATIENT', admit: '2025-03-10' }); // trap
  // LEVEL: EX2 from SECONDARY in 宝鸡.
  await rule('LVL-1', 'LEVEL', 'EX2', '610300', '2025-01-01', null, { min_level: 'SECONDARY' });
  await settlement('S13', 'PM', 'H2', '2025-03-13', [['EX2', '1', '9.00']]);
  await settlement('S14', 'PM', 'H1', '2025-03-13', [['EX2', '1', '9.00']]); // trap: SECONDARY
  await settlement('S15', 'PM', 'H4', '2025-03-13', [['EX2', '1', '9.00']]); // trap: PRIMARY in 西安
  // DIAGNOSIS: DR3 for E11/E10.
  await rule('DX-1', 'DIAGNOSIS', 'DR3', '610000', '2025-01-01', null, { diagnosis_prefixes: ['E11', 'E10'] });
  await settlement('S16', 'PM', 'H1', '2025-03-14', [['DR3', '1', '3.00']]); // J18.9
  await settlement('S17', 'PM', 'H1', '2025-03-14', [['DR3', '1', '3.00']], { dx: 'E11.9' }); // trap
  await settlement('S18', 'PM', 'H1', '2025-03-14', [['DR3', '2', '3.00']], { type: 'PHARMACY' }); // no diagnosis
  // EXCLUSIVE: LB1 with LB2 on the same day.
  await rule('EXC-1', 'EXCLUSIVE', 'LB1', '610000', '2025-01-01', null, { other_item_code: 'LB2' });
  await settlement('S19', 'PM', 'H1', '2025-03-15', [
    ['LB1', '1', '20.00'],
    ['LB2', '1', '30.00'],
    ['LB2', '1', '5.00'],
  ]);
  await settlement(
    'S20',
    'PM',
    'H1',
    '2025-03-16',
    [
      ['LB1', '1', '20.00', '2025-03-15'],
      ['LB2', '1', '30.00', '2025-03-16'],
    ],
    { type: 'INPATIENT', admit: '2025-03-15' },
  ); // trap: different days
  // FREQUENCY: DAY, SETTLEMENT, YEAR.
  await rule('FRQ-D', 'FREQUENCY', 'TR2', '610000', '2025-01-01', null, { max_units: 2, period: 'DAY' });
  await rule('FRQ-S', 'FREQUENCY', 'TR3', '610000', '2025-01-01', null, { max_units: 1, period: 'SETTLEMENT' });
  await rule('FRQ-Y', 'FREQUENCY', 'TR4', '610000', '2025-01-01', null, { max_units: 5, period: 'YEAR' });
  await settlement('S21', 'PM', 'H1', '2025-03-17', [['TR2', '3', '10.00']]);
  await settlement('S22', 'PF', 'H1', '2025-03-17', [['TR2', '2', '10.00']]); // trap: exactly the cap
  await settlement(
    'S23',
    'PM',
    'H1',
    '2025-03-18',
    [
      ['TR3', '1', '4.00', '2025-03-17'],
      ['TR3', '1', '5.00', '2025-03-18'],
    ],
    { type: 'INPATIENT', admit: '2025-03-17' },
  );
  await settlement('S24', 'PF', 'H1', '2025-03-02', [['TR4', '3', '10.00']]);
  await settlement('S25', 'PF', 'H2', '2025-03-03', [['TR4', '4', '12.00']]);
  await settlement('S26', 'PM', 'H1', '2025-03-03', [['TR4', '3', '10.00']]);
  await settlement('S27', 'PM', 'H4', '2025-03-04', [['TR4', '2', '10.00']]); // trap: exactly 5 in the year
  // A rule not yet effective and a retired (non-current) version.
  await rule('SEX-9', 'SEX', 'TR2', '610000', '2025-04-01', null, { gender: 'F' });
});
afterAll(() => env?.close());

const EXPECTED = {
  RULE_SEX: [
    ['SEX-1|S02|1', '11.00', 'H1'],
    ['SEX-1|S03|1', '12.00', 'H1'],
  ],
  RULE_AGE: [
    ['AGE-1|S06|1', '5.00', 'H1'],
    ['AGE-2|S09|1', '7.00', 'H1'],
    ['AGE-3|S01|1', '10.00', 'H1'],
    ['AGE-3|S02|1', '11.00', 'H1'],
    ['AGE-3|S03|1', '12.00', 'H1'],
    ['AGE-3|S04|1', '10.00', 'H1'],
  ],
  RULE_VISIT_TYPE: [['VIS-1|S11|1', '8.00', 'H1']],
  RULE_LEVEL: [['LVL-1|S13|1', '9.00', 'H2']],
  RULE_DIAGNOSIS: [
    ['DX-1|S16|1', '3.00', 'H1'],
    ['DX-1|S18|1', '6.00', 'H1'],
  ],
  RULE_EXCLUSIVE: [['EXC-1|S19|2025-03-15', '35.00', 'H1']],
  RULE_FREQUENCY: [
    ['FRQ-D|S21|2025-03-17', '10.00', 'H1'],
    ['FRQ-S|S23', '4.50', 'H1'],
    ['FRQ-Y|PF|2025', '22.29', 'H2'],
  ],
};

describe('rule classes (RULES.md)', () => {
  it('the registry holds the 16 models and the 7 rule classes', () => {
    expect(MODEL_CODES).toHaveLength(16);
    expect(RULE_MODEL_CODES).toEqual([
      'RULE_SEX',
      'RULE_AGE',
      'RULE_VISIT_TYPE',
      'RULE_LEVEL',
      'RULE_DIAGNOSIS',
      'RULE_EXCLUSIVE',
      'RULE_FREQUENCY',
    ]);
    expect(ALL_MODEL_CODES).toHaveLength(23);
  });

  it('each class finds exactly its positives, none of the traps', async () => {
    expect(await runAll()).toEqual(EXPECTED);
  });

  it('month slices give the same hits as the whole window', async () => {
    expect(await runAll((model) => (model === 'RULE_FREQUENCY' ? [''] : ['2025-03']))).toEqual(EXPECTED);
  });

  it('detail carries the rule id, version and description; the run recorded the versions it used', async () => {
    await runAll();
    const [hit] = await q(`SELECT detail, last_run_id FROM collision_hit WHERE hit_key = 'SEX-1|S02|1'`);
    expect(hit.detail).toMatchObject({ ruleId: 'SEX-1', ruleVersion: 1, description: '规则 SEX-1', gender: 'M' });
    const versions = await runRuleVersions(env.services.db, hit.last_run_id);
    expect(Object.keys(versions)).toHaveLength(12);
    expect(versions['SEX-1']).toBe(1);
  });
});
