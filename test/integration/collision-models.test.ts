/**
 * The 16 collision models of MODELS.md on small hand-built fixtures: for each, the planted
 * positives and the traps just outside its predicate, with exact hit keys and amounts. Each
 * test starts from empty fact tables so that its expectations are the whole truth.
 */
import { effectiveParameters } from '../../src/collision/parameters';
import { COLLISION_MODELS, MODEL_CODES } from '../../src/collision/registry';
import { collisionSql, planSlices, runModel, RunModelResult } from '../../src/collision/run-model';
import { seedRegions } from '../../src/domain/reference/seed.service';
import { createTestEnv, TestEnv } from '../support/harness';

let env: TestEnv;
const q = (sql: string, params: unknown[] = []) => env.services.db.query(sql, params);

beforeAll(async () => {
  env = await createTestEnv();
  await seedRegions(env.services);
  await q("SELECT ensure_month_partitions('2025-01-01', '2025-06-30')");
});
afterAll(() => env?.close());

beforeEach(async () => {
  await q(`TRUNCATE collision_hit, collision_run_job, collision_run, settlement_item, settlement, settlement_key,
                    price_catalog, drug_purchase, person, institution CASCADE`);
  await q("DELETE FROM model_parameter WHERE region_prefix <> ''");
  // 宝鸡 (6103) has city catalog rows in several tests, 西安 (6101) has none.
  await institution('H1', 'HOSPITAL', '610302');
  await institution('H2', 'HOSPITAL', '610303');
  await institution('H3', 'HOSPITAL', '610102');
  await institution('P1', 'PHARMACY', '610302');
  await institution('P2', 'PHARMACY', '610102');
});

// ---------- fixture builders ----------

async function institution(code: string, kind: string, region: string): Promise<void> {
  await q(
    `INSERT INTO institution (code, name, kind, level, ownership, region_code)
     VALUES ($1::text, $1::text, $2, 'SECONDARY', 'PUBLIC', $3)`,
    [code, kind, region],
  );
}

async function person(
  id: string,
  opts: { region?: string; death?: string; official?: boolean; account?: string } = {},
): Promise<void> {
  await q(
    `INSERT INTO person (person_id, name, region_code, death_date, is_public_official, bank_account_hash)
     VALUES ($1::text, $1::text, $2, $3, $4, CASE WHEN $5::text IS NULL THEN NULL ELSE sha256(convert_to($5::text, 'UTF8')) END)`,
    [id, opts.region ?? '610302', opts.death ?? null, opts.official ?? false, opts.account ?? null],
  );
}

interface SettlementSpec {
  id: string;
  person: string;
  inst: string;
  type?: 'OUTPATIENT' | 'INPATIENT' | 'PHARMACY';
  /** settled_at; a bare date means 10:00 Asia/Shanghai that day. */
  at: string;
  fund?: string;
  admit?: string;
  discharge?: string;
  dx?: string;
  payee?: string;
}

async function settlement(s: SettlementSpec): Promise<void> {
  const at = s.at.length === 10 ? `${s.at}T10:00:00+08:00` : s.at;
  const fund = s.fund ?? '100.00';
  await q(
    `INSERT INTO settlement_key (settlement_id, settled_on) VALUES ($1, ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date)`,
    [s.id, at],
  );
  await q(
    `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, admit_date, discharge_date,
                             settled_at, settled_on, diagnosis_code, total_amount, fund_amount, self_amount,
                             payee_account_hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, ($7::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, $8,
             $9::numeric + 10, $9, 10,
             CASE WHEN $10::text IS NULL THEN NULL ELSE sha256(convert_to($10::text, 'UTF8')) END)`,
    [
      s.id,
      s.person,
      s.inst,
      s.type ?? 'OUTPATIENT',
      s.admit ?? null,
      s.discharge ?? null,
      at,
      s.dx ?? (s.type === 'INPATIENT' ? 'J18.9' : null),
      fund,
      s.payee ?? null,
    ],
  );
}

async function stay(s: Omit<SettlementSpec, 'type' | 'at'> & { at?: string; admit: string; discharge: string }) {
  await settlement({ ...s, type: 'INPATIENT', at: s.at ?? s.discharge });
}

interface LineSpec {
  code: string;
  kind?: string;
  qty?: string;
  price?: string;
  amount?: string;
  on: string;
  trace?: string;
}

async function lines(settlementId: string, specs: LineSpec[]): Promise<void> {
  await q(
    `INSERT INTO settlement_item (settlement_id, line_no, settled_on, item_code, item_kind, item_name, quantity,
                                  unit_price, amount, charged_on, trace_code)
     SELECT $1::text, coalesce((SELECT max(line_no) FROM settlement_item WHERE settlement_id = $1::text), 0) + l.ord,
            k.settled_on, l.code, l.kind, l.code, l.qty::numeric, l.price::numeric,
            coalesce(l.amount::numeric, round(l.qty::numeric * l.price::numeric, 2)), l.charged_on::date, l.trace
     FROM settlement_key k,
          jsonb_to_recordset($2::jsonb)
            AS l(code text, kind text, qty text, price text, amount text, charged_on text, trace text, ord int)
     WHERE k.settlement_id = $1::text`,
    [
      settlementId,
      JSON.stringify(
        specs.map((l, i) => ({
          ord: i + 1,
          code: l.code,
          kind: l.kind ?? 'TREATMENT',
          qty: l.qty ?? '1',
          price: l.price ?? '10.00',
          amount: l.amount ?? null,
          charged_on: l.on,
          trace: l.trace ?? null,
        })),
      ),
    ],
  );
}

async function catalog(
  code: string,
  region: string,
  limits: { price?: string; daily?: string; monthly?: string; includes?: string[]; kind?: string },
): Promise<void> {
  await q(
    `INSERT INTO price_catalog (item_code, region_code, item_kind, item_name, max_unit_price, max_daily_quantity,
                                max_monthly_quantity, includes)
     VALUES ($1::text, $2, $3, $1::text, $4, $5, $6, $7)`,
    [
      code,
      region,
      limits.kind ?? 'TREATMENT',
      limits.price ?? null,
      limits.daily ?? null,
      limits.monthly ?? null,
      limits.includes ?? [],
    ],
  );
}

// ---------- running ----------

interface Hit {
  key: string;
  amount: string;
  institution: string;
  persons: string[];
  settlements: string[];
}

async function newRun(from: string, to: string): Promise<string> {
  const [row] = await q(`INSERT INTO collision_run (models, from_date, to_date) VALUES ($1, $2, $3) RETURNING id`, [
    MODEL_CODES,
    from,
    to,
  ]);
  return row.id;
}

async function collide(
  model: string,
  from: string,
  to: string,
  opts: { regionCode?: string; params?: Record<string, number>; slice?: string; runId?: string } = {},
): Promise<{ result: RunModelResult; hits: Hit[] }> {
  const runId = opts.runId ?? (await newRun(from, to));
  const params = opts.params ?? (await effectiveParameters(env.services.db, [model], opts.regionCode))[model];
  const result = await runModel(env.services.db, {
    runId,
    model,
    from,
    to,
    regionCode: opts.regionCode,
    params,
    slice: opts.slice,
  });
  return { result, hits: await hitsOf(model, runId) };
}

async function hitsOf(model: string, runId?: string): Promise<Hit[]> {
  const rows = await q(
    `SELECT hit_key, amount_involved, institution_code, person_ids, settlement_ids FROM collision_hit
     WHERE model = $1 AND ($2::uuid IS NULL OR last_run_id = $2) ORDER BY hit_key`,
    [model, runId ?? null],
  );
  return rows.map((r: any) => ({
    key: r.hit_key,
    amount: r.amount_involved,
    institution: r.institution_code,
    persons: r.person_ids,
    settlements: r.settlement_ids,
  }));
}

const keyAmounts = (hits: Hit[]) => hits.map((h) => [h.key, h.amount]);
const MARCH: [string, string] = ['2025-03-01', '2025-03-31'];

// ---------- the models ----------

describe('collision models', () => {
  it('registry: 16 models with unique codes, Chinese names and matching seeded parameters', async () => {
    expect(MODEL_CODES).toHaveLength(16);
    expect(new Set(MODEL_CODES).size).toBe(16);
    for (const model of COLLISION_MODELS) expect(model.name).toMatch(/[\u4e00-\u9fff]/);
    const seeded = await q("SELECT model, params FROM model_parameter WHERE region_prefix = '' ORDER BY model");
    expect(Object.fromEntries(seeded.map((r: any) => [r.model, r.params]))).toEqual(
      Object.fromEntries(COLLISION_MODELS.map((m) => [m.code, m.defaults])),
    );
  });

  it('DEATH_AFTER: settled on a later Asia/Shanghai date than the death, not on the day itself', async () => {
    await person('D', { death: '2025-03-10' });
    await person('ALIVE');
    await settlement({ id: 'DA1', person: 'D', inst: 'H1', at: '2025-03-11T09:00:00+08:00', fund: '88.10' });
    await settlement({ id: 'DA2', person: 'D', inst: 'H1', at: '2025-03-10T23:30:00+08:00' });
    // 16:30 UTC on the 10th is 00:30 on the 11th in Shanghai
    await settlement({ id: 'DA3', person: 'D', inst: 'H2', at: '2025-03-10T16:30:00Z', fund: '12.34' });
    await settlement({ id: 'DA4', person: 'D', inst: 'H1', at: '2025-04-02' });
    await settlement({ id: 'DA5', person: 'ALIVE', inst: 'H1', at: '2025-03-20' });
    const { hits, result } = await collide('DEATH_AFTER', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['DA1', '88.10'],
      ['DA3', '12.34'],
    ]);
    expect(hits[1]).toMatchObject({ institution: 'H2', persons: ['D'], settlements: ['DA3'] });
    expect(result).toEqual({ inserted: 2, updated: 0, hits: 2 });
  });

  it('OVERLAPPING_INPATIENT: strict overlap at different institutions, keys ordered bytewise, subject admitted later', async () => {
    await person('A');
    await person('B');
    await person('C');
    // evidence before the window: OV-a settled in February, OV-B (the anchor) in March
    await stay({ id: 'OV-a', person: 'A', inst: 'H1', admit: '2025-02-10', discharge: '2025-02-20', fund: '1000.00' });
    await stay({
      id: 'OV-B',
      person: 'A',
      inst: 'H2',
      admit: '2025-02-15',
      discharge: '2025-02-25',
      at: '2025-03-01',
      fund: '500.50',
    });
    // touches OV-a's discharge day only (B.admit = A.discharge): not an overlap; same institution as OV-B
    await stay({ id: 'OV-Z', person: 'A', inst: 'H2', admit: '2025-02-20', discharge: '2025-02-28', at: '2025-03-03' });
    // same admit date: the subject is the institution of sidB (OV-Q)
    await stay({ id: 'OV-P', person: 'B', inst: 'H1', admit: '2025-03-05', discharge: '2025-03-09', fund: '10.00' });
    await stay({ id: 'OV-Q', person: 'B', inst: 'H3', admit: '2025-03-05', discharge: '2025-03-07', fund: '20.00' });
    // both settled after the window
    await stay({ id: 'OV-X', person: 'C', inst: 'H1', admit: '2025-03-25', discharge: '2025-04-02' });
    await stay({ id: 'OV-Y', person: 'C', inst: 'H2', admit: '2025-03-28', discharge: '2025-04-01' });
    const { hits } = await collide('OVERLAPPING_INPATIENT', ...MARCH);
    expect(hits.map((h) => [h.key, h.amount, h.institution])).toEqual([
      ['OV-B|OV-a', '1500.50', 'H2'],
      ['OV-P|OV-Q', '30.00', 'H3'],
    ]);
    expect(hits[0].settlements).toEqual(['OV-B', 'OV-a']);
    const april = await collide('OVERLAPPING_INPATIENT', '2025-04-01', '2025-04-30');
    expect(keyAmounts(april.hits)).toEqual([['OV-X|OV-Y', '200.00']]);
  });

  it('BED_HANGING: active days (non-BED, before the discharge day) below half the stay', async () => {
    await person('P');
    const bed = (d: string): LineSpec => ({ code: 'BED', kind: 'BED', on: d });
    const drug = (d: string): LineSpec => ({ code: 'D1', kind: 'DRUG', on: d });
    // LOS 10, active on 4 days (+ the discharge day, which does not count) → 4 < 5
    await stay({ id: 'BH1', person: 'P', inst: 'H1', admit: '2025-03-01', discharge: '2025-03-11', fund: '900.00' });
    await lines('BH1', [
      ...['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((d) => bed(`2025-03-${d}`)),
      drug('2025-03-01'),
      drug('2025-03-01'),
      drug('2025-03-02'),
      { code: 'L1', kind: 'LAB', on: '2025-03-05' },
      drug('2025-03-09'),
      drug('2025-03-11'),
    ]);
    // LOS 10, active on exactly 5 days → 5 < 5 is false
    await stay({ id: 'BH2', person: 'P', inst: 'H1', admit: '2025-03-12', discharge: '2025-03-22' });
    await lines(
      'BH2',
      ['12', '13', '14', '15', '16'].map((d) => drug(`2025-03-${d}`)),
    );
    // LOS 3 (the minimum), active on 1 day → 1 < 1.5
    await stay({ id: 'BH3', person: 'P', inst: 'H2', admit: '2025-03-23', discharge: '2025-03-26', fund: '300.00' });
    await lines('BH3', [drug('2025-03-23'), bed('2025-03-24')]);
    // LOS 2, nothing charged: too short
    await stay({ id: 'BH4', person: 'P', inst: 'H2', admit: '2025-03-27', discharge: '2025-03-29' });
    const { hits } = await collide('BED_HANGING', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['BH1', '900.00'],
      ['BH3', '300.00'],
    ]);
    // a laxer parameter also catches 5 active days in 10
    const lax = await collide('BED_HANGING', ...MARCH, { params: { minLengthOfStay: 3, activeDayRatio: 0.6 } });
    expect(lax.hits.map((h) => h.key)).toEqual(['BH1', 'BH2', 'BH3']);
    expect(lax.result).toEqual({ inserted: 1, updated: 2, hits: 3 });
  });

  it('SPLIT_ADMISSION: readmission within 15 days, same institution and dx3', async () => {
    for (const p of ['A', 'B', 'C', 'D', 'E']) await person(p);
    // A: discharged in February (before the window), readmitted 15 days later with J18.0
    await stay({ id: 'SA-A1', person: 'A', inst: 'H1', admit: '2025-02-10', discharge: '2025-02-20', dx: 'J18.9' });
    await stay({
      id: 'SA-A2',
      person: 'A',
      inst: 'H1',
      admit: '2025-03-07',
      discharge: '2025-03-12',
      dx: 'J18.0',
      fund: '777.00',
    });
    // B: 16 days
    await stay({ id: 'SA-B1', person: 'B', inst: 'H1', admit: '2025-03-01', discharge: '2025-03-04' });
    await stay({ id: 'SA-B2', person: 'B', inst: 'H1', admit: '2025-03-20', discharge: '2025-03-25' });
    // C: other dx3; other institution
    await stay({ id: 'SA-C1', person: 'C', inst: 'H1', admit: '2025-03-01', discharge: '2025-03-04', dx: 'J20.1' });
    await stay({ id: 'SA-C2', person: 'C', inst: 'H1', admit: '2025-03-05', discharge: '2025-03-08', dx: 'J18.1' });
    await stay({ id: 'SA-C3', person: 'C', inst: 'H2', admit: '2025-03-10', discharge: '2025-03-12', dx: 'J18.1' });
    // D: same-day readmission (gap 0) counts; E: overlapping stays do not
    await stay({ id: 'SA-D1', person: 'D', inst: 'H2', admit: '2025-03-01', discharge: '2025-03-05' });
    await stay({ id: 'SA-D2', person: 'D', inst: 'H2', admit: '2025-03-05', discharge: '2025-03-09', fund: '55.55' });
    await stay({ id: 'SA-E1', person: 'E', inst: 'H2', admit: '2025-03-01', discharge: '2025-03-06' });
    await stay({ id: 'SA-E2', person: 'E', inst: 'H2', admit: '2025-03-05', discharge: '2025-03-09' });
    const { hits } = await collide('SPLIT_ADMISSION', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['SA-A2', '777.00'],
      ['SA-D2', '55.55'],
    ]);
    expect(hits[0]).toMatchObject({ institution: 'H1', persons: ['A'], settlements: ['SA-A1', 'SA-A2'] });
  });

  it('REPEAT_EXAM_IN_STAY: EXAM quantity above 2 in one stay, avg price × excess rounded at the end', async () => {
    await person('P');
    await stay({ id: 'RE1', person: 'P', inst: 'H1', admit: '2025-03-01', discharge: '2025-03-05' });
    // Σ 40.01 / 4 = 10.0025 × 2 = 20.005 → 20.01 (rounding the average first would give 20.00)
    await lines('RE1', [
      { code: 'CT', kind: 'EXAM', price: '10.00', on: '2025-03-01' },
      { code: 'CT', kind: 'EXAM', price: '10.00', on: '2025-03-02' },
      { code: 'CT', kind: 'EXAM', price: '10.00', on: '2025-03-03' },
      { code: 'CT', kind: 'EXAM', price: '10.01', on: '2025-03-04' },
      { code: 'MRI', kind: 'EXAM', qty: '2', price: '500.00', on: '2025-03-02' },
      { code: 'BLOOD', kind: 'LAB', qty: '6', price: '5.00', on: '2025-03-02' },
    ]);
    // outpatient visits are not stays
    await settlement({ id: 'RE2', person: 'P', inst: 'H1', at: '2025-03-10' });
    await lines('RE2', [{ code: 'CT', kind: 'EXAM', qty: '3', price: '10.00', on: '2025-03-10' }]);
    const { hits } = await collide('REPEAT_EXAM_IN_STAY', ...MARCH);
    expect(keyAmounts(hits)).toEqual([['RE1|CT', '20.01']]);
  });

  it('DAILY_QUANTITY_EXCESS: per person, institution, item and day, against the effective (city over province) row', async () => {
    await catalog('INJ', '610000', { daily: '2' });
    await catalog('INJ', '610300', { daily: '3' });
    await catalog('INF', '610000', { daily: '1' });
    await catalog('INF', '610300', {}); // 宝鸡's own row has no limit: it overrides the province's
    await person('P');
    await person('Q');
    // H1 (宝鸡): 2 + 2 over two settlements of one day > 3
    await settlement({ id: 'DQ1', person: 'P', inst: 'H1', at: '2025-03-05' });
    await lines('DQ1', [{ code: 'INJ', qty: '2', price: '7.00', on: '2025-03-05' }]);
    await settlement({ id: 'DQ2', person: 'P', inst: 'H1', at: '2025-03-05T18:00:00+08:00' });
    await lines('DQ2', [
      { code: 'INJ', qty: '2', price: '7.50', on: '2025-03-05' },
      { code: 'INF', qty: '5', price: '1.00', on: '2025-03-05' },
    ]);
    // H1: exactly 3 on one day; 2 + 2 on two days
    await settlement({ id: 'DQ3', person: 'Q', inst: 'H1', at: '2025-03-06' });
    await lines('DQ3', [
      { code: 'INJ', qty: '3', on: '2025-03-06' },
      { code: 'INJ', qty: '2', on: '2025-03-07' },
      { code: 'INJ', qty: '2', on: '2025-03-08' },
    ]);
    // H3 (西安, province row): 3 > 2, and INF 2 > 1
    await settlement({ id: 'DQ4', person: 'Q', inst: 'H3', at: '2025-03-09' });
    await lines('DQ4', [
      { code: 'INJ', qty: '3', price: '3.33', on: '2025-03-09' },
      { code: 'INF', qty: '2', price: '4.00', on: '2025-03-09' },
    ]);
    // a line charged in the window counts even when its stay is settled after it
    await stay({ id: 'DQ5', person: 'Q', inst: 'H3', admit: '2025-03-30', discharge: '2025-04-02' });
    await lines('DQ5', [
      { code: 'INJ', qty: '4', price: '1.00', on: '2025-03-31' },
      { code: 'INJ', qty: '4', on: '2025-04-01' },
    ]);
    const { hits } = await collide('DAILY_QUANTITY_EXCESS', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['P|H1|INJ|2025-03-05', '7.25'],
      ['Q|H3|INF|2025-03-09', '4.00'],
      ['Q|H3|INJ|2025-03-09', '3.33'],
      ['Q|H3|INJ|2025-03-31', '2.00'],
    ]);
    expect(hits[0].settlements).toEqual(['DQ1', 'DQ2']);
  });

  it('OVER_PRICE: unit price above the effective cap, per line', async () => {
    await catalog('CT', '610000', { price: '100.00' });
    await catalog('CT', '610300', { price: '120.00' });
    await catalog('NOCAP', '610000', {});
    await person('P');
    await settlement({ id: 'OP1', person: 'P', inst: 'H1', at: '2025-03-05' });
    await lines('OP1', [
      { code: 'CT', qty: '2', price: '125.00', on: '2025-03-05' },
      { code: 'CT', qty: '1', price: '120.00', on: '2025-03-05' },
      { code: 'NOCAP', qty: '1', price: '9999.00', on: '2025-03-05' },
      { code: 'UNLISTED', qty: '1', price: '9999.00', on: '2025-03-05' },
    ]);
    await settlement({ id: 'OP2', person: 'P', inst: 'H3', at: '2025-03-06' });
    await lines('OP2', [
      { code: 'CT', qty: '1.5', price: '101.50', amount: '152.25', on: '2025-03-06' },
      // 0.05 × 0.3333 = 0.016665 → 0.02
      { code: 'CT', qty: '0.3333', price: '100.05', amount: '33.35', on: '2025-03-06' },
      { code: 'CT', qty: '1', price: '100.00', on: '2025-03-06' },
    ]);
    const { hits } = await collide('OVER_PRICE', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['OP1|1', '10.00'],
      ['OP2|1', '2.25'],
      ['OP2|2', '0.02'],
    ]);
  });

  it('TRACE_CODE_REUSE: lines of ≥ 2 settlements, amount of all but the earliest, subject of the latest', async () => {
    for (const p of ['A', 'B', 'C']) await person(p);
    const drug = (trace: string, on: string, price = '50.00'): LineSpec => ({
      code: 'DRG',
      kind: 'DRUG',
      price,
      on,
      trace,
    });
    await settlement({ id: 'TR1', person: 'A', inst: 'H1', at: '2025-02-10' });
    await lines('TR1', [drug('TC1', '2025-02-10', '40.00')]);
    await settlement({ id: 'TR2', person: 'B', inst: 'P1', type: 'PHARMACY', at: '2025-03-05' });
    await lines('TR2', [drug('TC1', '2025-03-05', '45.00'), drug('TC3', '2025-03-05'), drug('TC3', '2025-03-05')]);
    await settlement({ id: 'TR3', person: 'C', inst: 'P2', type: 'PHARMACY', at: '2025-03-06' });
    await lines('TR3', [drug('TC1', '2025-03-06', '46.00'), drug('', '2025-03-06')]);
    // same settled_at: the order falls to the id, bytewise (TR-B before TR-a)
    await settlement({ id: 'TR-a', person: 'A', inst: 'H2', type: 'PHARMACY', at: '2025-03-10T10:00:00+08:00' });
    await lines('TR-a', [drug('TC2', '2025-03-10', '11.00'), drug('', '2025-03-10')]);
    await settlement({ id: 'TR-B', person: 'B', inst: 'P1', type: 'PHARMACY', at: '2025-03-10T10:00:00+08:00' });
    await lines('TR-B', [drug('TC2', '2025-03-10', '22.00')]);
    // both in February: anchor outside the window
    await settlement({ id: 'TR4', person: 'A', inst: 'P1', type: 'PHARMACY', at: '2025-02-01' });
    await lines('TR4', [drug('TC4', '2025-02-01')]);
    await settlement({ id: 'TR5', person: 'B', inst: 'P1', type: 'PHARMACY', at: '2025-02-02' });
    await lines('TR5', [drug('TC4', '2025-02-02')]);
    // second sale in April: unknown to a March run
    await settlement({ id: 'TR6', person: 'A', inst: 'P1', type: 'PHARMACY', at: '2025-03-20' });
    await lines('TR6', [drug('TC5', '2025-03-20')]);
    await settlement({ id: 'TR7', person: 'C', inst: 'P2', type: 'PHARMACY', at: '2025-04-03' });
    await lines('TR7', [drug('TC5', '2025-04-03', '60.00')]);
    const { hits } = await collide('TRACE_CODE_REUSE', ...MARCH);
    expect(hits.map((h) => [h.key, h.amount, h.institution])).toEqual([
      ['TC1', '91.00', 'P2'],
      ['TC2', '11.00', 'H2'],
    ]);
    expect(hits[0]).toMatchObject({ persons: ['A', 'B', 'C'], settlements: ['TR1', 'TR2', 'TR3'] });
    const april = await collide('TRACE_CODE_REUSE', '2025-04-01', '2025-04-30');
    expect(april.hits.map((h) => [h.key, h.amount, h.institution])).toEqual([['TC5', '60.00', 'P2']]);
  });

  it("EXCESS_DISPENSING: monthly DRUG quantity over all institutions against the PERSON's region", async () => {
    await catalog('DRG', '610000', { monthly: '60', kind: 'DRUG' });
    await catalog('DRG', '610100', { monthly: '30', kind: 'DRUG' });
    await person('XA', { region: '610102' }); // 西安: limit 30
    await person('BJ', { region: '610302' }); // 宝鸡: province limit 60
    const drug = (qty: string, on: string, price = '2.00', kind = 'DRUG'): LineSpec => ({
      code: 'DRG',
      kind,
      qty,
      price,
      on,
    });
    await settlement({ id: 'ED1', person: 'XA', inst: 'P1', type: 'PHARMACY', at: '2025-03-03' });
    await lines('ED1', [drug('20', '2025-03-03', '2.00')]);
    await settlement({ id: 'ED2', person: 'XA', inst: 'H1', at: '2025-03-15' });
    await lines('ED2', [drug('20', '2025-03-15', '2.10'), drug('50', '2025-03-15', '1.00', 'MATERIAL')]);
    await settlement({ id: 'ED3', person: 'BJ', inst: 'P1', type: 'PHARMACY', at: '2025-03-04' });
    await lines('ED3', [drug('50', '2025-03-04'), drug('10', '2025-03-30')]);
    // April: 25 + 10 > 30, a separate key
    await settlement({ id: 'ED4', person: 'XA', inst: 'P2', type: 'PHARMACY', at: '2025-04-02' });
    await lines('ED4', [drug('25', '2025-04-02'), drug('10', '2025-04-20', '3.00')]);
    const { hits } = await collide('EXCESS_DISPENSING', '2025-03-01', '2025-04-30');
    // March: Σ 82.00 / 40 × 10 = 20.50; tie 20/20 → smallest code H1. April: 80.00/35 × 5 = 11.43
    expect(hits.map((h) => [h.key, h.amount, h.institution])).toEqual([
      ['XA|DRG|2025-03', '20.50', 'H1'],
      ['XA|DRG|2025-04', '11.43', 'P2'],
    ]);
    expect(hits[0].settlements).toEqual(['ED1', 'ED2']);
  });

  it('LOW_STANDARD_ADMISSION: a paid stay with only LAB, EXAM and BED lines', async () => {
    await person('P');
    await stay({ id: 'LS1', person: 'P', inst: 'H1', admit: '2025-03-01', discharge: '2025-03-03', fund: '640.00' });
    await lines('LS1', [
      { code: 'L', kind: 'LAB', on: '2025-03-01' },
      { code: 'E', kind: 'EXAM', on: '2025-03-01' },
      { code: 'B', kind: 'BED', on: '2025-03-02' },
    ]);
    await stay({ id: 'LS2', person: 'P', inst: 'H1', admit: '2025-03-05', discharge: '2025-03-07' });
    await lines('LS2', [
      { code: 'L', kind: 'LAB', on: '2025-03-05' },
      { code: 'D', kind: 'DRUG', on: '2025-03-05' },
    ]);
    await stay({ id: 'LS3', person: 'P', inst: 'H1', admit: '2025-03-08', discharge: '2025-03-09', fund: '0.00' });
    await lines('LS3', [{ code: 'L', kind: 'LAB', on: '2025-03-08' }]);
    await stay({ id: 'LS4', person: 'P', inst: 'H1', admit: '2025-03-10', discharge: '2025-03-11' });
    await settlement({ id: 'LS5', person: 'P', inst: 'H1', at: '2025-03-12' });
    await lines('LS5', [{ code: 'L', kind: 'LAB', on: '2025-03-12' }]);
    const { hits } = await collide('LOW_STANDARD_ADMISSION', ...MARCH);
    expect(keyAmounts(hits)).toEqual([['LS1', '640.00']]);
  });

  describe('PEER_OUTLIER', () => {
    /** n outpatient settlements of one institution in `month`, their fund amounts summing to `total`. */
    async function outpatients(inst: string, month: string, n: number, total: string): Promise<void> {
      await q(
        `WITH rows AS (
           SELECT g, $1 || '-' || $2 || '-' || g AS id,
                  ($2 || '-0' || (1 + g % 9) || 'T10:00:00+08:00')::timestamptz AS at,
                  CASE WHEN g = $3 THEN $4::numeric - ($3 - 1) * trunc($4::numeric / $3, 2) ELSE trunc($4::numeric / $3, 2) END AS fund
           FROM generate_series(1, $3::int) g
         ), keys AS (
           INSERT INTO settlement_key (settlement_id, settled_on)
           SELECT id, (at AT TIME ZONE 'Asia/Shanghai')::date FROM rows
         )
         INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, settled_at, settled_on,
                                 total_amount, fund_amount, self_amount)
         SELECT id, 'P', $1, 'OUTPATIENT', at, (at AT TIME ZONE 'Asia/Shanghai')::date, fund, fund, 0 FROM rows`,
        [inst, month, n, total],
      );
    }

    beforeEach(async () => {
      await person('P');
      for (const c of ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7']) await institution(c, 'CLINIC', '610302');
      for (const c of ['X1', 'X2', 'X3', 'X4', 'X5', 'X6']) await institution(c, 'CLINIC', '610102');
    });

    it('a robust outlier among ≥ 5 peers of the same kind and city, with exact medians', async () => {
      // 宝鸡 clinics, March: means 98, 99, 100, 101, 102 and C6 at 6201/31; C7 below 30 settlements
      await outpatients('C1', '2025-03', 30, '2940.00');
      await outpatients('C2', '2025-03', 30, '2970.00');
      await outpatients('C3', '2025-03', 30, '3000.00');
      await outpatients('C4', '2025-03', 30, '3030.00');
      await outpatients('C5', '2025-03', 30, '3060.00');
      await outpatients('C6', '2025-03', 31, '6201.00');
      await outpatients('C7', '2025-03', 29, '29000.00');
      // 西安 clinics: five at 100 and one at 150 → MAD = 0, no hit
      for (const x of ['X1', 'X2', 'X3', 'X4', 'X5']) await outpatients(x, '2025-03', 30, '3000.00');
      await outpatients('X6', '2025-03', 30, '4500.00');
      // H1 is a hospital: no peers of its kind
      await outpatients('H1', '2025-03', 40, '40000.00');
      const { hits } = await collide('PEER_OUTLIER', ...MARCH);
      // m = (100 + 101) / 2; amount = 6201 − 31 × 100.5 = 3085.50
      expect(keyAmounts(hits)).toEqual([['C6|2025-03', '3085.50']]);
      expect(hits[0].settlements).toHaveLength(31);
    });

    it('z exactly at the threshold is no hit; just above is', async () => {
      // means 80, 90, 100, 110 and e: m = 100, deviations 0, 10, 10, 20, e − 100 → MAD = 10
      // z = (e − 100) / 14.826: e = 151.891 gives exactly 3.5
      for (const [month, top] of [
        ['2025-04', '4556.73'],
        ['2025-05', '4556.76'],
      ]) {
        await outpatients('C1', month, 30, '2400.00');
        await outpatients('C2', month, 30, '2700.00');
        await outpatients('C3', month, 30, '3000.00');
        await outpatients('C4', month, 30, '3300.00');
        await outpatients('C5', month, 30, top);
      }
      const { hits } = await collide('PEER_OUTLIER', '2025-04-01', '2025-05-31');
      // (151.892 − 100) × 30
      expect(keyAmounts(hits)).toEqual([['C5|2025-05', '1556.76']]);
    });
  });

  it('PRESCRIPTION_SPLITTING: ≥ 3 outpatient or pharmacy settlements on one Asia/Shanghai date', async () => {
    await person('P');
    await person('Q');
    await settlement({
      id: 'PS1',
      person: 'P',
      inst: 'P1',
      type: 'PHARMACY',
      at: '2025-03-05T08:00:00+08:00',
      fund: '1.10',
    });
    await settlement({
      id: 'PS2',
      person: 'P',
      inst: 'P1',
      type: 'PHARMACY',
      at: '2025-03-05T09:00:00+08:00',
      fund: '2.20',
    });
    await settlement({ id: 'PS3', person: 'P', inst: 'P1', at: '2025-03-05T15:59:00Z', fund: '3.30' });
    // across midnight in Shanghai: 2 + 1
    await settlement({ id: 'PS4', person: 'Q', inst: 'P1', at: '2025-03-06T15:00:00Z' });
    await settlement({ id: 'PS5', person: 'Q', inst: 'P1', at: '2025-03-06T16:00:00Z' });
    await settlement({ id: 'PS6', person: 'Q', inst: 'P1', at: '2025-03-06T17:00:00Z' });
    // two outpatient visits and a stay at the same place on one day
    await settlement({ id: 'PS7', person: 'Q', inst: 'H1', at: '2025-03-08' });
    await settlement({ id: 'PS8', person: 'Q', inst: 'H1', at: '2025-03-08' });
    await stay({ id: 'PS9', person: 'Q', inst: 'H1', admit: '2025-03-07', discharge: '2025-03-08' });
    // the same day at two places
    await settlement({ id: 'PS10', person: 'Q', inst: 'P2', at: '2025-03-08' });
    const { hits } = await collide('PRESCRIPTION_SPLITTING', ...MARCH);
    expect(keyAmounts(hits)).toEqual([['P|P1|2025-03-05', '6.60']]);
    expect(hits[0].settlements).toEqual(['PS1', 'PS2', 'PS3']);
  });

  it('GROUP_ADMISSION: ≥ 5 distinct persons, same institution, admit date, dx3 and LOS', async () => {
    for (let i = 1; i <= 9; i++) await person(`G${i}`);
    for (let i = 1; i <= 5; i++) {
      await stay({
        id: `GA${i}`,
        person: `G${i}`,
        inst: 'H1',
        admit: '2025-03-03',
        discharge: '2025-03-07',
        dx: `J18.${i}`,
        fund: '100.00',
      });
    }
    // four persons (one of them twice) with the same pattern at H2, and one with a longer stay
    for (let i = 6; i <= 9; i++) {
      await stay({ id: `GB${i}`, person: `G${i}`, inst: 'H2', admit: '2025-03-03', discharge: '2025-03-07' });
    }
    await stay({ id: 'GB10', person: 'G9', inst: 'H2', admit: '2025-03-03', discharge: '2025-03-07' });
    await stay({ id: 'GB11', person: 'G1', inst: 'H2', admit: '2025-03-03', discharge: '2025-03-08' });
    const { hits } = await collide('GROUP_ADMISSION', ...MARCH);
    expect(keyAmounts(hits)).toEqual([['H1|2025-03-03|J18|4', '500.00']]);
    expect(hits[0].persons).toEqual(['G1', 'G2', 'G3', 'G4', 'G5']);
  });

  it('INVENTORY_MISMATCH: a pharmacy sold more than it bought, cumulative up to the end of the window', async () => {
    await person('P');
    await q(`INSERT INTO drug_purchase (purchase_id, institution_code, item_code, quantity, purchased_on) VALUES
      ('B1', 'P1', 'DRG', 20, '2025-01-15'), ('B2', 'P1', 'DRG', 10, '2025-04-05'),
      ('B3', 'P1', 'DRG2', 5, '2025-01-15'), ('B4', 'H1', 'DRG', 1, '2025-01-15')`);
    const sale = (code: string, qty: string, on: string, price: string): LineSpec => ({
      code,
      kind: 'DRUG',
      qty,
      price,
      on,
    });
    await settlement({ id: 'IM1', person: 'P', inst: 'P1', type: 'PHARMACY', at: '2025-02-10' });
    await lines('IM1', [sale('DRG', '10', '2025-02-10', '3.00')]);
    await settlement({ id: 'IM2', person: 'P', inst: 'P1', type: 'PHARMACY', at: '2025-03-10' });
    await lines('IM2', [sale('DRG', '15', '2025-03-10', '3.10'), sale('DRG2', '5', '2025-03-10', '1.00')]);
    await settlement({ id: 'IM3', person: 'P', inst: 'P1', type: 'PHARMACY', at: '2025-04-10' });
    await lines('IM3', [sale('DRG2', '10', '2025-04-10', '1.00')]);
    // a hospital is no pharmacy; P2 sells what it never bought
    await settlement({ id: 'IM4', person: 'P', inst: 'H1', at: '2025-03-10' });
    await lines('IM4', [sale('DRG', '50', '2025-03-10', '3.00')]);
    await settlement({ id: 'IM5', person: 'P', inst: 'P2', type: 'PHARMACY', at: '2025-01-10' });
    await lines('IM5', [sale('DRG', '1', '2025-01-10', '9.99')]);
    const { hits } = await collide('INVENTORY_MISMATCH', ...MARCH);
    // sold 25 (76.50) vs bought 20: 76.50 / 25 × 5 = 15.30
    expect(keyAmounts(hits)).toEqual([
      ['P1|DRG', '15.30'],
      ['P2|DRG', '9.99'],
    ]);
    const april = await collide('INVENTORY_MISMATCH', '2025-04-01', '2025-04-30');
    // April: DRG 25 sold vs 30 bought; DRG2 15 sold vs 5 bought
    expect(keyAmounts(april.hits)).toEqual([
      ['P1|DRG2', '10.00'],
      ['P2|DRG', '9.99'],
    ]);
  });

  it('INVENTORY_MISMATCH: the pharmacy sales summary follows every later write: old months, attached and truncated partitions, pharmacies', async () => {
    await person('P');
    await q(`INSERT INTO drug_purchase (purchase_id, institution_code, item_code, quantity, purchased_on) VALUES
      ('B1', 'P1', 'DRG', 20, '2025-01-15')`);
    const sale = (qty: string, on: string): LineSpec => ({ code: 'DRG', kind: 'DRUG', qty, price: '2.00', on });
    await settlement({ id: 'S1', person: 'P', inst: 'P1', type: 'PHARMACY', at: '2025-02-10' });
    await lines('S1', [sale('10', '2025-02-10')]);
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([]);
    // a line appended to a settlement of an old month (the summary of February is already made)
    await lines('S1', [sale('15', '2025-02-10')]);
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([['P1|DRG', '10.00']]);
    // updated, deleted lines, a settlement moved to another institution
    await q("UPDATE settlement_item SET quantity = 12, amount = 24 WHERE settlement_id = 'S1' AND line_no = 2");
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([['P1|DRG', '4.00']]);
    await q("DELETE FROM settlement_item WHERE settlement_id = 'S1' AND line_no = 1");
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([]);
    await q("UPDATE settlement SET institution_code = 'P2' WHERE settlement_id = 'S1'");
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([['P2|DRG', '24.00']]);
    // the end's month: lines charged after the end of the window are not counted
    await settlement({ id: 'S2', person: 'P', inst: 'P1', type: 'PHARMACY', at: '2025-03-20' });
    await lines('S2', [sale('5', '2025-03-05'), sale('30', '2025-03-20')]);
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', '2025-03-01', '2025-03-10')).hits)).toEqual([
      ['P2|DRG', '24.00'],
    ]);
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([
      ['P1|DRG', '30.00'],
      ['P2|DRG', '24.00'],
    ]);
    // an institution that ceases to be a pharmacy, then becomes one again
    await q("UPDATE institution SET kind = 'HOSPITAL' WHERE code = 'P2'");
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([['P1|DRG', '30.00']]);
    await q("UPDATE institution SET kind = 'PHARMACY' WHERE code = 'P2'");
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', ...MARCH)).hits)).toEqual([
      ['P1|DRG', '30.00'],
      ['P2|DRG', '24.00'],
    ]);
    // a month loaded into tables of its own, then attached (as ingest loads a fresh month):
    // no trigger fires, the new partitions are found
    await q('CREATE TABLE im_settlement_202507 (LIKE settlement INCLUDING DEFAULTS INCLUDING CONSTRAINTS)');
    await q('CREATE TABLE im_settlement_item_202507 (LIKE settlement_item INCLUDING DEFAULTS INCLUDING CONSTRAINTS)');
    try {
      await q(`INSERT INTO im_settlement_202507 SELECT settlement_id || '-7', person_id, institution_code, visit_type,
                 admit_date, discharge_date, settled_at + interval '4 months', settled_on + 122, diagnosis_code, dip_group,
                 total_amount, fund_amount, self_amount, payee_account_hash, payee_account_masked, doctor_id, ingest_file_id
               FROM settlement WHERE settlement_id = 'S2'`);
      await q(`INSERT INTO im_settlement_item_202507 SELECT settlement_id || '-7', line_no, settled_on + 122, item_code,
                 item_kind, item_name, quantity, unit_price, amount, charged_on + 122, trace_code
               FROM settlement_item WHERE settlement_id = 'S2'`);
      await q("ALTER TABLE settlement ATTACH PARTITION im_settlement_202507 FOR VALUES FROM ('2025-07-01') TO ('2025-08-01')");
      await q(
        "ALTER TABLE settlement_item ATTACH PARTITION im_settlement_item_202507 FOR VALUES FROM ('2025-07-01') TO ('2025-08-01')",
      );
      expect(keyAmounts((await collide('INVENTORY_MISMATCH', '2025-07-01', '2025-07-31')).hits)).toEqual([
        ['P1|DRG', '100.00'],
        ['P2|DRG', '24.00'],
      ]);
      // a truncated partition (no trigger either)
      await q('TRUNCATE im_settlement_item_202507');
      expect(keyAmounts((await collide('INVENTORY_MISMATCH', '2025-07-01', '2025-07-31')).hits)).toEqual([
        ['P1|DRG', '30.00'],
        ['P2|DRG', '24.00'],
      ]);
    } finally {
      await q('DROP TABLE IF EXISTS im_settlement_item_202507, im_settlement_202507');
    }
    // the partitions dropped leave no rows behind
    expect(keyAmounts((await collide('INVENTORY_MISMATCH', '2025-07-01', '2025-07-31')).hits)).toEqual([
      ['P1|DRG', '30.00'],
      ['P2|DRG', '24.00'],
    ]);
    const parts: { part: string }[] = await q('SELECT DISTINCT part FROM collision_pharmacy_sales ORDER BY 1');
    expect(parts.map((p) => p.part)).toEqual(['settlement_item_202502', 'settlement_item_202503']);
  });

  it("INSIDER_PAYEE: paid into a public official's account instead of the person's own", async () => {
    await person('OFF', { official: true, account: '6222000011112222' });
    await person('CIV', { account: '6222000033334444' });
    await person('X', { account: '6222000055556666' });
    await person('Y');
    await settlement({
      id: 'IP1',
      person: 'X',
      inst: 'H1',
      at: '2025-03-05',
      payee: '6222000011112222',
      fund: '2000.00',
    });
    await settlement({ id: 'IP2', person: 'X', inst: 'H1', at: '2025-03-06', payee: '6222000055556666' });
    await settlement({ id: 'IP3', person: 'X', inst: 'H1', at: '2025-03-07', payee: '6222000033334444' });
    await settlement({
      id: 'IP4',
      person: 'Y',
      inst: 'H2',
      at: '2025-03-08',
      payee: '6222000011112222',
      fund: '300.00',
    });
    await settlement({ id: 'IP5', person: 'OFF', inst: 'H2', at: '2025-03-09', payee: '6222000011112222' });
    const { hits } = await collide('INSIDER_PAYEE', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['IP1', '2000.00'],
      ['IP4', '300.00'],
    ]);
    expect(hits[0].persons).toEqual(['OFF', 'X']);
  });

  it('BUNDLED_ITEM_CHARGE: a bundle and its component (per the effective row) in one settlement on one day', async () => {
    await catalog('PKG', '610000', { includes: ['C1', 'C2'] });
    await catalog('PKG', '610300', { includes: ['C1'] });
    await person('P');
    await settlement({ id: 'BI1', person: 'P', inst: 'H1', at: '2025-03-05' });
    await lines('BI1', [
      { code: 'PKG', price: '80.00', on: '2025-03-04' },
      { code: 'C1', price: '12.00', on: '2025-03-04' },
      { code: 'C1', price: '13.00', on: '2025-03-04' },
      { code: 'C2', price: '20.00', on: '2025-03-04' },
      { code: 'C1', price: '99.00', on: '2025-03-05' },
    ]);
    await settlement({ id: 'BI2', person: 'P', inst: 'H3', at: '2025-03-06' });
    await lines('BI2', [
      { code: 'PKG', on: '2025-03-06' },
      { code: 'PKG', on: '2025-03-06' },
      { code: 'C2', price: '20.00', on: '2025-03-06' },
    ]);
    // the component in another settlement of the same day
    await settlement({ id: 'BI3', person: 'P', inst: 'H1', at: '2025-03-07' });
    await lines('BI3', [{ code: 'PKG', on: '2025-03-07' }]);
    await settlement({ id: 'BI4', person: 'P', inst: 'H1', at: '2025-03-07' });
    await lines('BI4', [{ code: 'C1', on: '2025-03-07' }]);
    const { hits } = await collide('BUNDLED_ITEM_CHARGE', ...MARCH);
    expect(keyAmounts(hits)).toEqual([
      ['BI1|PKG|C1|2025-03-04', '25.00'],
      ['BI2|PKG|C2|2025-03-06', '20.00'],
    ]);
  });
});

describe('collision runs', () => {
  async function deaths(): Promise<void> {
    await person('D', { death: '2025-01-31' });
    for (const [id, inst, at] of [
      ['R1', 'H1', '2025-02-10'],
      ['R2', 'H3', '2025-03-10'],
      ['R3', 'H2', '2025-04-10'],
    ]) {
      await settlement({ id, person: 'D', inst, at });
    }
  }

  it('re-running a window changes nothing; a later window adds only its new hits', async () => {
    await deaths();
    const first = await collide('DEATH_AFTER', '2025-02-01', '2025-03-31');
    expect(first.result).toEqual({ inserted: 2, updated: 0, hits: 2 });
    const [before] = await q("SELECT id, first_run_id, updated_at FROM collision_hit WHERE hit_key = 'R1'");
    const again = await collide('DEATH_AFTER', '2025-02-01', '2025-03-31');
    expect(again.result).toEqual({ inserted: 0, updated: 2, hits: 2 });
    const [after] = await q("SELECT id, first_run_id, last_run_id, updated_at FROM collision_hit WHERE hit_key = 'R1'");
    expect(after).toMatchObject({ id: before.id, first_run_id: before.first_run_id, updated_at: before.updated_at });
    const later = await collide('DEATH_AFTER', '2025-03-01', '2025-04-30');
    expect(later.result).toEqual({ inserted: 1, updated: 1, hits: 2 });
    expect((await hitsOf('DEATH_AFTER')).map((h) => h.key)).toEqual(['R1', 'R2', 'R3']);
  });

  it('a region run keeps the hits whose subject institution is in its jurisdiction', async () => {
    await deaths();
    expect(
      (await collide('DEATH_AFTER', '2025-01-01', '2025-06-30', { regionCode: '610300' })).hits.map((h) => h.key),
    ).toEqual(['R1', 'R3']);
    expect(
      (await collide('DEATH_AFTER', '2025-01-01', '2025-06-30', { regionCode: '610102' })).hits.map((h) => h.key),
    ).toEqual(['R2']);
    expect((await collide('DEATH_AFTER', '2025-01-01', '2025-06-30', { regionCode: '610000' })).hits).toHaveLength(3);
    const [hit] = await q("SELECT region_code FROM collision_hit WHERE hit_key = 'R2'");
    expect(hit.region_code).toBe('610102');
  });

  it('the slices of a run find exactly the hits of the whole run, and mark their job rows', async () => {
    await deaths();
    const runId = await newRun('2025-01-15', '2025-04-15');
    const months = await planSlices(env.services.db, 'DEATH_AFTER', { from: '2025-01-15', to: '2025-04-15' });
    expect(months).toEqual(['2025-01', '2025-02', '2025-03', '2025-04']);
    await q("INSERT INTO collision_run_job (run_id, model, slice_key) SELECT $1, 'DEATH_AFTER', unnest($2::text[])", [
      runId,
      months,
    ]);
    let total = 0;
    for (const slice of months)
      total += (await collide('DEATH_AFTER', '2025-01-15', '2025-04-15', { runId, slice })).result.hits;
    expect(total).toBe(3);
    const jobs = await q('SELECT slice_key, status, hits FROM collision_run_job WHERE run_id = $1 ORDER BY slice_key', [
      runId,
    ]);
    expect(jobs.map((j: any) => [j.slice_key, j.status, j.hits])).toEqual([
      ['2025-01', 'SUCCEEDED', 0],
      ['2025-02', 'SUCCEEDED', 1],
      ['2025-03', 'SUCCEEDED', 1],
      ['2025-04', 'SUCCEEDED', 1],
    ]);
    expect(await planSlices(env.services.db, 'GROUP_ADMISSION', { from: '2025-01-01', to: '2025-01-31' })).toEqual([
      '610100',
      '610300',
    ]);
    expect(
      await planSlices(env.services.db, 'GROUP_ADMISSION', {
        from: '2025-01-01',
        to: '2025-01-31',
        regionCode: '610300',
      }),
    ).toEqual(['']);
  });

  it('parameters: defaults, overridden key by key by the most specific region prefix', async () => {
    await q(`INSERT INTO model_parameter (model, region_prefix, params) VALUES
      ('GROUP_ADMISSION', '61', '{"minPersons": 8}'),
      ('GROUP_ADMISSION', '6103', '{"minPersons": 4}'),
      ('BED_HANGING', '6103', '{"activeDayRatio": 0.25}')`);
    expect(
      await effectiveParameters(env.services.db, ['GROUP_ADMISSION', 'BED_HANGING', 'DEATH_AFTER'], '610302'),
    ).toEqual({
      GROUP_ADMISSION: { minPersons: 4 },
      BED_HANGING: { minLengthOfStay: 3, activeDayRatio: 0.25 },
      DEATH_AFTER: {},
    });
    expect(await effectiveParameters(env.services.db, ['GROUP_ADMISSION'], '610102')).toEqual({
      GROUP_ADMISSION: { minPersons: 8 },
    });
    expect(await effectiveParameters(env.services.db, ['GROUP_ADMISSION'], null)).toEqual({
      GROUP_ADMISSION: { minPersons: 5 },
    });
  });

  it('binds every value as a query parameter', () => {
    const { text, values } = collisionSql('BED_HANGING', {
      runId: '00000000-0000-0000-0000-000000000000',
      from: '2025-03-01',
      to: '2025-03-31',
      regionCode: '610300',
      params: { minLengthOfStay: 3, activeDayRatio: 0.5 },
    });
    expect(text).not.toMatch(/2025-03|6103|0\.5/);
    expect(values).toEqual(expect.arrayContaining(['2025-03-01', '2025-03-31', '6103', '3', '0.5']));
  });
});
