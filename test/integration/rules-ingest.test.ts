import { join } from 'node:path';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { createTestEnv, TestEnv } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'rules');

async function load(t: TestEnv, folder: string) {
  const rejections: string[] = [];
  const summary = await ingestBatch(t.services, join(FIXTURES, folder), { onReject: (line) => rejections.push(line) });
  return { summary, rejections };
}

describe('rules.csv (RULES.md)', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
    await load(t, 'valid');
  });
  afterAll(() => t.close());

  it('loads one rule per class with typed class columns; a repeated identical line is a duplicate', async () => {
    const rows = await t.services.db.query(
      `SELECT rule_id, rule_class, jurisdiction, version, current, gender, min_age, max_age, visit_types, min_level,
              diagnosis_prefixes, other_item_code, max_units::text, period, effective_to::text
       FROM rule ORDER BY rule_id`,
    );
    expect(rows.map((r: { rule_id: string }) => r.rule_id)).toEqual([
      'R-AGE-1',
      'R-DX-1',
      'R-EXC-1',
      'R-FRQ-1',
      'R-LVL-1',
      'R-SEX-1',
      'R-VIS-1',
    ]);
    const byId = Object.fromEntries(rows.map((r: { rule_id: string }) => [r.rule_id, r]));
    expect(byId['R-AGE-1']).toMatchObject({
      min_age: 0,
      max_age: 14,
      jurisdiction: '6103',
      effective_to: '2025-12-31',
    });
    expect(byId['R-VIS-1']).toMatchObject({ visit_types: ['INPATIENT', 'OUTPATIENT'], jurisdiction: '610302' });
    expect(byId['R-DX-1']).toMatchObject({ diagnosis_prefixes: ['E11', 'E10'], gender: null });
    expect(byId['R-FRQ-1']).toMatchObject({ max_units: '2.5', period: 'DAY', jurisdiction: '6101' });
    expect(byId['R-SEX-1']).toMatchObject({ gender: 'F', version: 1, current: true, jurisdiction: '61' });
    const again = await load(t, 'valid');
    expect(again.rejections).toEqual([]);
  });

  it('rejects every row RULES.md forbids with file:line: reason', async () => {
    const { summary, rejections } = await load(t, 'rejects');
    expect(rejections).toEqual([
      'rules.csv:2: rule_id is required',
      'rules.csv:3: rule_class "COLOR" is not one of SEX, AGE, VISIT_TYPE, LEVEL, DIAGNOSIS, EXCLUSIVE, FREQUENCY',
      'rules.csv:4: item_code is required',
      'rules.csv:5: region_code 619900 does not exist',
      'rules.csv:6: effective_from is required',
      'rules.csv:7: effective_from "2025-02-30" is not a date (YYYY-MM-DD)',
      'rules.csv:8: effective_to 2025-02-01 is before effective_from 2025-03-01',
      'rules.csv:9: gender is required for a SEX rule',
      'rules.csv:10: gender "X" is not one of M, F',
      'rules.csv:11: min_age must be empty for a SEX rule',
      'rules.csv:12: min_age or max_age is required for an AGE rule',
      'rules.csv:13: min_age 151 is not in 0..150',
      'rules.csv:14: min_age 20 is greater than max_age 10',
      'rules.csv:15: min_age "1.5" is not an integer',
      'rules.csv:16: visit_types element "HOME" is not one of OUTPATIENT, INPATIENT, PHARMACY',
      'rules.csv:17: visit_types has an empty element',
      'rules.csv:18: min_level "NONE" is not one of PRIMARY, SECONDARY, TERTIARY',
      'rules.csv:19: diagnosis_prefixes is required for a DIAGNOSIS rule',
      'rules.csv:20: other_item_code equals item_code',
      'rules.csv:21: max_units 0 is not greater than 0',
      'rules.csv:22: period "WEEK" is not one of DAY, SETTLEMENT, YEAR',
      'rules.csv:23: period is required for a FREQUENCY rule',
      'rules.csv:24: description is required',
      'rules.csv:25: max_units must be empty for an EXCLUSIVE rule',
      'rules.csv:27: rule_id R24 already appears on line 26 with other content',
    ]);
    expect(summary.files['rules.csv']).toMatchObject({ read: 26, loaded: 1, rejected: 25, duplicates: 0 });
  });

  it('a reload with other content for an existing rule is rejected, never overwriting it', async () => {
    const { summary, rejections } = await load(t, 'conflicts');
    expect(rejections).toEqual(['rules.csv:2: rule_id R-SEX-1 already exists with other content']);
    expect(summary.files['rules.csv']).toMatchObject({ read: 3, loaded: 1, rejected: 1, duplicates: 1 });
    const [sex] = await t.services.db.query(`SELECT effective_to FROM rule WHERE rule_id = 'R-SEX-1'`);
    expect(sex.effective_to).toBeNull();
  });
});
