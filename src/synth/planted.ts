import {
  IdNumberIssuer,
  InstitutionRecord,
  lineAmountFen,
  LineDraft,
  PersonRecord,
  PurchaseRecord,
  RelationRecord,
  SettlementDraft,
  settlementTotals,
} from './batch-writer';
import { SynthCatalog } from './catalog';
import { formatFen } from './decimal';
import { ModelCode } from './oracle';
import { RuleRow } from './batch';
import { Prng } from './prng';
import { randomBirthDate, randomName } from './background';
import { ITEM, InstitutionKind, InstitutionLevel, VisitType } from './reference-data';
import { addDays, formatShanghaiTimestamp, resolveTimestamp, TimestampStyle } from './time';

/**
 * Planted cases (预置疑点): for every collision model, settlements that must hit and traps
 * just outside the predicate that must not. Each case names the hit key it would produce;
 * the tests check those keys against the oracle, which never sees this file.
 *
 * Planted people are their own (ids PP…), so background data can never add to their sums;
 * models keyed by institution (GROUP_ADMISSION, INVENTORY_MISMATCH, PEER_OUTLIER) use
 * institutions of their own for the same reason.
 */
export interface PlantedCase {
  model: ModelCode;
  expect: 'HIT' | 'NO_HIT';
  hitKey: string;
  /** Known in advance for the simple cases; compared with the oracle's amount by the tests. */
  amountInvolved?: string;
  description: string;
}

export interface PlantedBatch {
  institutions: InstitutionRecord[];
  persons: PersonRecord[];
  relations: RelationRecord[];
  settlements: SettlementDraft[];
  purchases: PurchaseRecord[];
  cases: PlantedCase[];
  /** Pharmacies whose purchases the planted cases write themselves (no covering purchases). */
  selfStockedPharmacies: Set<string>;
  /** rules.csv rows (RULES.md): the planted rule library. */
  rules: RuleRow[];
}

/** Latest day offset a planted case uses (plus the copy shift): the window needs ≥ 28 days. */
export const PLANTED_SPAN_DAYS = 28;
const COPY_SHIFTS = 8;

type SettledAt = string;

interface StayOptions {
  diagnosis: string;
  /** Which days of the stay (0 = admission day) have treatment besides the bed; default every day. */
  activeDays?: (day: number) => boolean;
  extraLines?: LineDraft[];
  /** Lines instead of the generated bed/nursing/drug lines. */
  onlyLines?: LineDraft[];
  fundFen?: number;
  totalFen?: number;
  settledAt?: SettledAt;
}

class Planter {
  readonly batch: PlantedBatch = {
    institutions: [],
    persons: [],
    relations: [],
    settlements: [],
    purchases: [],
    cases: [],
    selfStockedPharmacies: new Set(),
    rules: [],
  };
  private readonly prng: Prng;
  private readonly institutionSequence = new Map<string, number>();
  private readonly idSequence = new Map<string, number>();
  private accountSequence = 0;
  private traceSequence = 0;
  private purchaseSequence = 0;
  private copy = 0;
  /** Days this copy's cases are moved by. */
  shift = 0;

  // Shared by the copies of one block of COPY_SHIFTS copies (each with its own day shift, so
  // no two copies of a block put identical stays in one hospital); dedicated to planted cases.
  hospitalXianA!: InstitutionRecord;
  hospitalXianB!: InstitutionRecord;
  hospitalBaoji!: InstitutionRecord;
  hospitalXianyang!: InstitutionRecord;
  clinicXian!: InstitutionRecord;
  clinicBaoji!: InstitutionRecord;
  clinicXianyang!: InstitutionRecord;
  pharmacyXian!: InstitutionRecord;
  pharmacyXian2!: InstitutionRecord;
  pharmacyBaoji!: InstitutionRecord;
  pharmacyShangluo!: InstitutionRecord;

  constructor(
    readonly catalog: SynthCatalog,
    private readonly idNumbers: IdNumberIssuer,
    readonly from: string,
    readonly to: string,
    seed: number,
  ) {
    this.prng = new Prng(seed, 'planted');
  }

  private openInstitutionBlock(block: number): void {
    const branch = block === 0 ? '' : `第${block + 1}分院`;
    const store = block === 0 ? '' : `${block + 1}`;
    this.hospitalXianA = this.institution(
      'HOSPITAL',
      'SECONDARY',
      'PUBLIC',
      '610113',
      `西安市雁塔区第二人民医院${branch}`,
    );
    this.hospitalXianB = this.institution('HOSPITAL', 'SECONDARY', 'PRIVATE', '610103', `西安碑林康复医院${branch}`);
    this.hospitalBaoji = this.institution('HOSPITAL', 'SECONDARY', 'PRIVATE', '610302', `宝鸡渭滨协和医院${branch}`);
    this.hospitalXianyang = this.institution('HOSPITAL', 'SECONDARY', 'PRIVATE', '610402', `咸阳秦都济民医院${branch}`);
    this.clinicXian = this.institution('CLINIC', 'NONE', 'PRIVATE', '610113', `雁塔区康泰门诊部${store}`);
    this.clinicBaoji = this.institution('CLINIC', 'NONE', 'PRIVATE', '610302', `渭滨区安康诊所${store}`);
    this.clinicXianyang = this.institution('CLINIC', 'NONE', 'PRIVATE', '610402', `秦都区仁心诊所${store}`);
    this.pharmacyXian = this.institution('PHARMACY', 'NONE', 'PRIVATE', '610102', `百信大药房(新城${store}店)`);
    this.pharmacyXian2 = this.institution('PHARMACY', 'NONE', 'PRIVATE', '610113', `百信大药房(雁塔${store}店)`);
    this.pharmacyBaoji = this.institution('PHARMACY', 'NONE', 'PRIVATE', '610303', `百信大药房(金台${store}店)`);
    this.pharmacyShangluo = this.institution('PHARMACY', 'NONE', 'PRIVATE', '611002', `百信大药房(商州${store}店)`);
  }

  pick<T>(items: readonly T[]): T {
    return this.prng.pick(items);
  }

  /** Distinguishes the per-copy institutions' names. */
  copyLabel(): string {
    return String(this.copy + 1);
  }

  startCopy(copy: number): void {
    this.copy = copy;
    this.shift = copy % COPY_SHIFTS;
    if (this.shift === 0) this.openInstitutionBlock(copy / COPY_SHIFTS);
  }

  /** Window day `n` of this copy (copies are spread over the month). */
  d(n: number): string {
    return addDays(this.from, this.shift + n);
  }

  /** Day `n` (< 0) before the window, shifted back by the copy's shift so copies differ there too. */
  history(n: number): string {
    return addDays(this.from, n - this.shift);
  }

  at(date: string, clock: string, style: TimestampStyle = 'OFFSET'): SettledAt {
    const [h, m] = clock.split(':').map(Number);
    return formatShanghaiTimestamp(date, h * 3600 + m * 60, style);
  }

  institution(
    kind: InstitutionKind,
    level: InstitutionLevel,
    ownership: 'PUBLIC' | 'PRIVATE',
    regionCode: string,
    name: string,
  ): InstitutionRecord {
    const prefix = kind === 'PHARMACY' ? 'P' : 'H';
    const next = (this.institutionSequence.get(prefix + regionCode) ?? 90_000) + 1;
    this.institutionSequence.set(prefix + regionCode, next);
    const institution = { code: `${prefix}${regionCode}${next}`, name, kind, level, ownership, regionCode };
    this.batch.institutions.push(institution);
    return institution;
  }

  private nextId(prefix: string, tag: string): string {
    const key = `${prefix}${this.copy}${tag}`;
    const next = (this.idSequence.get(key) ?? 0) + 1;
    this.idSequence.set(key, next);
    return `${prefix}${String(this.copy).padStart(2, '0')}-${tag}${next}`;
  }

  person(tag: string, regionCode: string, details: Partial<PersonRecord> = {}): PersonRecord {
    // Drawn even when given, so that the other cases' draws stay the same.
    const drawnGender = this.prng.chance(0.5) ? 'M' : 'F';
    const drawnBirthDate = randomBirthDate(this.prng, 1945, 2000);
    const gender = details.gender ?? drawnGender;
    const birthDate = details.birthDate ?? drawnBirthDate;
    const person: PersonRecord = {
      personId: this.nextId('PP', tag),
      idNumber: this.idNumbers.issue(regionCode, birthDate, gender),
      name: randomName(this.prng),
      gender,
      birthDate,
      regionCode,
      deathDate: '',
      isPublicOfficial: false,
      employerCode: '',
      bankAccount: `6230${String(++this.accountSequence).padStart(13, '0')}`,
      ...details,
    };
    this.batch.persons.push(person);
    return person;
  }

  relate(a: PersonRecord, b: PersonRecord, kind: RelationRecord['kind']): void {
    this.batch.relations.push({ personA: a.personId, personB: b.personId, kind });
  }

  traceCode(): string {
    return `88${String(this.copy).padStart(3, '0')}${String(++this.traceSequence).padStart(15, '0')}`;
  }

  /** A line at the price the institution's catalog row allows, unless a price is given. */
  line(
    institution: InstitutionRecord,
    itemCode: string,
    chargedOn: string,
    quantity = 1,
    unitPriceFen?: number,
    traceCode?: string,
  ): LineDraft {
    return {
      itemCode,
      quantityMilli: Math.round(quantity * 1000),
      unitPriceFen: unitPriceFen ?? this.catalog.priceFen(itemCode, institution.regionCode),
      chargedOn,
      traceCode,
    };
  }

  /** Records a settlement; the fund pays 70 % unless told otherwise. Returns it with its fund fixed. */
  settle(
    tag: string,
    person: PersonRecord,
    institution: InstitutionRecord,
    visitType: VisitType,
    settledAt: SettledAt,
    lines: LineDraft[],
    extra: Partial<SettlementDraft> = {},
  ): SettlementDraft & { fundFen: number } {
    const draft: SettlementDraft = {
      settlementId: this.nextId('PL', tag),
      personId: person.personId,
      institutionCode: institution.code,
      visitType,
      settledAt,
      lines,
      fundPercent: 70,
      ...extra,
    };
    const fundFen = settlementTotals(draft).fundFen;
    const settled = { ...draft, fundFen };
    this.batch.settlements.push(settled);
    return settled;
  }

  /** An ordinary outpatient visit: 诊查费 plus one treatment line of the given price. */
  outpatient(
    tag: string,
    person: PersonRecord,
    institution: InstitutionRecord,
    settledAt: SettledAt,
    lines?: LineDraft[],
    extra: Partial<SettlementDraft> = {},
  ): SettlementDraft & { fundFen: number } {
    const chargedOn = resolveTimestamp(settledAt).shanghaiDate;
    return this.settle(
      tag,
      person,
      institution,
      'OUTPATIENT',
      settledAt,
      lines ?? [
        this.line(institution, ITEM.consultation, chargedOn),
        this.line(institution, ITEM.outpatientTreatment, chargedOn),
      ],
      { diagnosisCode: 'J06.9', ...extra },
    );
  }

  pharmacySale(
    tag: string,
    person: PersonRecord,
    pharmacy: InstitutionRecord,
    settledAt: SettledAt,
    lines: LineDraft[],
  ): SettlementDraft & { fundFen: number } {
    return this.settle(tag, person, pharmacy, 'PHARMACY', settledAt, lines, { fundPercent: 50 });
  }

  /**
   * A stay from `admitDate` for `los` days: a bed-day on each day in [admit, discharge),
   * nursing and a drug on the active days, settled on the discharge date.
   */
  stay(
    tag: string,
    person: PersonRecord,
    hospital: InstitutionRecord,
    admitDate: string,
    los: number,
    options: StayOptions,
  ): SettlementDraft & { fundFen: number } {
    const dischargeDate = addDays(admitDate, los);
    const lines: LineDraft[] = [];
    if (options.onlyLines) lines.push(...options.onlyLines);
    else {
      for (let day = 0; day < los; day++) {
        const date = addDays(admitDate, day);
        lines.push(this.line(hospital, ITEM.bedWard, date));
        if (options.activeDays && !options.activeDays(day)) continue;
        lines.push(this.line(hospital, ITEM.nursing, date));
        lines.push(this.line(hospital, ITEM.ceftriaxoneInjection, date, 2));
      }
    }
    lines.push(...(options.extraLines ?? []));
    return this.settle(
      tag,
      person,
      hospital,
      'INPATIENT',
      options.settledAt ?? this.at(dischargeDate, '10:00'),
      lines,
      {
        admitDate,
        dischargeDate,
        diagnosisCode: options.diagnosis,
        fundFen: options.fundFen,
        totalFen: options.totalFen,
        fundPercent: options.fundFen === undefined ? 70 : undefined,
      },
    );
  }

  purchase(pharmacy: InstitutionRecord, itemCode: string, quantity: number, purchasedOn: string): void {
    this.batch.purchases.push({
      purchaseId: `PP${String(this.copy).padStart(2, '0')}-PO${++this.purchaseSequence}`,
      institutionCode: pharmacy.code,
      itemCode,
      quantityMilli: quantity * 1000,
      purchasedOn,
    });
  }

  hit(model: ModelCode, hitKey: string, description: string, amountFen?: number): void {
    this.batch.cases.push({
      model,
      expect: 'HIT',
      hitKey,
      ...(amountFen === undefined ? {} : { amountInvolved: formatFen(amountFen) }),
      description,
    });
  }

  noHit(model: ModelCode, hitKey: string, description: string): void {
    this.batch.cases.push({ model, expect: 'NO_HIT', hitKey, description });
  }
}

function keyOf(...parts: string[]): string {
  return parts.join('|');
}

function sortedPair(a: string, b: string): string {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0 ? keyOf(a, b) : keyOf(b, a);
}

function plantDeathAfter(p: Planter): void {
  const m = 'DEATH_AFTER';
  const died = (n: number): PersonRecord => p.person('DA', '610113', { deathDate: p.d(n) });
  let s = p.outpatient('DA', died(8), p.clinicXian, p.at(p.d(9), '00:30'));
  p.hit(m, s.settlementId, 'settled at 00:30+08:00 the day after the death date', s.fundFen);
  s = p.outpatient('DA', died(3), p.hospitalXianA, p.at(p.d(12), '10:00', 'LOCAL'));
  p.hit(m, s.settlementId, 'settled 9 days after death, timestamp without offset (Shanghai)', s.fundFen);
  const pharmacyPatient = died(5);
  s = p.pharmacySale('DA', pharmacyPatient, p.pharmacyXian, p.at(p.d(6), '04:00', 'UTC'), [
    p.line(p.pharmacyXian, ITEM.amoxicillin, p.d(6), 1, undefined, p.traceCode()),
  ]);
  p.hit(m, s.settlementId, 'written in UTC on the death date, but 04:00 the next day in Shanghai', s.fundFen);
  s = p.outpatient('DA', died(8), p.clinicXian, p.at(p.d(8), '15:00'));
  p.noHit(m, s.settlementId, 'settled on the death date itself');
  s = p.outpatient('DA', died(8), p.clinicXian, p.at(p.d(8), '23:30', 'UTC'));
  p.noHit(m, s.settlementId, '23:30 Shanghai on the death date, written in UTC (15:30Z)');
  s = p.outpatient('DA', died(10), p.hospitalXianA, p.at(p.d(4), '09:00'));
  p.noHit(m, s.settlementId, 'settled while alive, death later in the window');
}

function plantOverlappingInpatient(p: Planter): void {
  const m = 'OVERLAPPING_INPATIENT';
  const dx = { diagnosis: 'J18.9' };
  const pair = (
    description: string,
    expectHit: boolean,
    first: [InstitutionRecord, string, number],
    second: [InstitutionRecord, string, number],
    subject?: InstitutionRecord,
  ): PersonRecord => {
    const person = p.person('OI', '610113');
    const a = p.stay('OI', person, first[0], first[1], first[2], dx);
    const b = p.stay('OI', person, second[0], second[1], second[2], dx);
    const key = sortedPair(a.settlementId, b.settlementId);
    if (expectHit) p.hit(m, key, `${description} (subject ${subject?.code})`, a.fundFen + b.fundFen);
    else p.noHit(m, key, description);
    return person;
  };
  pair(
    'B admitted during A at another hospital',
    true,
    [p.hospitalXianA, p.d(2), 6],
    [p.hospitalBaoji, p.d(5), 5],
    p.hospitalBaoji,
  );
  pair('B entirely inside A', true, [p.hospitalXianA, p.d(1), 11], [p.hospitalXianyang, p.d(4), 2], p.hospitalXianyang);
  pair(
    'same admission date: subject is the institution of sidB',
    true,
    [p.hospitalXianB, p.d(3), 4],
    [p.hospitalXianyang, p.d(3), 6],
    p.hospitalXianyang,
  );
  pair(
    'A settled before the window, B in it',
    true,
    [p.hospitalXianA, p.history(-8), 7],
    [p.hospitalBaoji, p.history(-3), 7 + p.shift],
    p.hospitalBaoji,
  );
  pair('touching stays: A.discharge = B.admit', false, [p.hospitalXianA, p.d(2), 4], [p.hospitalBaoji, p.d(6), 3]);
  const h = p.hospitalXianB;
  const doubleBilled = pair('overlap at the same institution', false, [h, p.d(2), 6], [h, p.d(5), 5]);
  // The same hospital bills bed and nursing twice on the three shared days: 重复收费.
  for (const day of [5, 6, 7]) {
    for (const item of [ITEM.bedWard, ITEM.nursing]) {
      p.hit(
        'DAILY_QUANTITY_EXCESS',
        keyOf(doubleBilled.personId, h.code, item, p.d(day)),
        'two overlapping stays at one hospital bill a second bed-day / nursing day',
        p.catalog.priceFen(item, h.regionCode),
      );
    }
  }
  pair(
    'both stays settled before the window',
    false,
    [p.hospitalXianA, p.history(-20), 8],
    [p.hospitalBaoji, p.history(-15), 5],
  );
}

function plantBedHanging(p: Planter): void {
  const m = 'BED_HANGING';
  const hanging = (
    description: string,
    expectHit: boolean,
    hospital: InstitutionRecord,
    admitOffset: number,
    los: number,
    activeDays: number[],
  ): void => {
    const admit = p.d(admitOffset);
    const discharge = addDays(admit, los);
    const s = p.stay('BH', p.person('BH', '610302'), hospital, admit, los, {
      diagnosis: 'M51.2',
      activeDays: (day) => activeDays.includes(day),
      // 出院带药 on the discharge day: not an active day, the interval is [admit, discharge).
      extraLines: [p.line(hospital, ITEM.aspirin, discharge, 2), p.line(hospital, ITEM.nursing, discharge)],
    });
    if (expectHit) p.hit(m, s.settlementId, description, s.fundFen);
    else p.noHit(m, s.settlementId, description);
  };
  hanging('LOS 10, 2 active days', true, p.hospitalXianA, 1, 10, [0, 5]);
  hanging('LOS 3, 1 active day (< 1.5)', true, p.hospitalBaoji, 2, 3, [0]);
  hanging('LOS 8, 3 active days; discharge-day lines do not count', true, p.hospitalXianyang, 3, 8, [0, 1, 2]);
  hanging('LOS 8, exactly 4 active days = 0.5 × LOS', false, p.hospitalXianA, 2, 8, [0, 2, 4, 6]);
  hanging('LOS 2 (below 3) with no active day', false, p.hospitalBaoji, 4, 2, []);
  hanging('LOS 10, exactly 5 active days', false, p.hospitalXianyang, 1, 10, [0, 1, 2, 3, 4]);
}

function plantSplitAdmission(p: Planter): void {
  const m = 'SPLIT_ADMISSION';
  const readmission = (
    description: string,
    expectHit: boolean,
    first: [InstitutionRecord, number, number, string],
    second: [InstitutionRecord, number, number, string],
  ): void => {
    const person = p.person('SA', '610402');
    p.stay('SA', person, first[0], p.d(first[1]), first[2], { diagnosis: first[3] });
    const b = p.stay('SA', person, second[0], p.d(second[1]), second[2], { diagnosis: second[3] });
    if (expectHit) p.hit(m, b.settlementId, description, b.fundFen);
    else p.noHit(m, b.settlementId, description);
  };
  const h = p.hospitalXianyang;
  readmission(
    'readmitted 15 days after discharge, same dx3, first stay before the window',
    true,
    [h, -10, 8, 'J18.9'],
    [h, 13, 4, 'J18.0'],
  );
  readmission('readmitted on the discharge day', true, [h, 1, 3, 'I63.9'], [h, 4, 4, 'I63.8']);
  readmission('readmitted 5 days later', true, [h, 0, 3, 'K80.1'], [h, 8, 4, 'K80.0']);
  readmission('readmitted 16 days after discharge', false, [h, -10, 8, 'J18.9'], [h, 14, 3, 'J18.9']);
  readmission('readmitted 3 days later with another dx3', false, [h, 0, 4, 'J18.9'], [h, 7, 3, 'I63.9']);
  readmission(
    'readmitted 3 days later at another hospital',
    false,
    [h, 0, 4, 'J18.9'],
    [p.hospitalXianA, 7, 3, 'J18.9'],
  );
}

function plantRepeatExam(p: Planter): void {
  const m = 'REPEAT_EXAM_IN_STAY';
  const person = (): PersonRecord => p.person('RE', '610113');
  const stayWith = (hospital: InstitutionRecord, admitOffset: number, los: number, exams: LineDraft[]) =>
    p.stay('RE', person(), hospital, p.d(admitOffset), los, { diagnosis: 'I63.9', extraLines: exams });
  let h = p.hospitalXianA;
  let s = stayWith(
    h,
    2,
    6,
    [0, 2, 4].map((day) => p.line(h, ITEM.ctPlain, p.d(2 + day))),
  );
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.ctPlain),
    'CT on three days of one stay',
    p.catalog.priceFen(ITEM.ctPlain, h.regionCode),
  );
  h = p.hospitalBaoji;
  s = stayWith(h, 3, 5, [p.line(h, ITEM.mriPlain, p.d(4), 4)]);
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.mriPlain),
    'one MRI line of quantity 4',
    2 * p.catalog.priceFen(ITEM.mriPlain, h.regionCode),
  );
  h = p.hospitalXianyang;
  s = stayWith(h, 1, 5, [
    p.line(h, ITEM.ultrasound, p.d(1), 1, 12000),
    p.line(h, ITEM.ultrasound, p.d(2), 1, 12000),
    p.line(h, ITEM.ultrasound, p.d(3), 1, 11999),
  ]);
  p.hit(m, keyOf(s.settlementId, ITEM.ultrasound), 'avg price 119.9967 × 1 rounds to 120.00 only at the end', 12000);
  h = p.hospitalXianA;
  s = stayWith(h, 5, 5, [p.line(h, ITEM.ctPlain, p.d(5)), p.line(h, ITEM.ctPlain, p.d(8))]);
  p.noHit(m, keyOf(s.settlementId, ITEM.ctPlain), 'exactly 2 CTs in one stay');
  s = p.outpatient('RE', person(), p.hospitalXianB, p.at(p.d(6), '09:30'), [
    p.line(p.hospitalXianB, ITEM.ctPlain, p.d(6), 3),
  ]);
  p.noHit(m, keyOf(s.settlementId, ITEM.ctPlain), '3 CTs in an outpatient settlement');
  h = p.hospitalBaoji;
  s = stayWith(
    h,
    6,
    4,
    [0, 1, 2].map((day) => p.line(h, ITEM.bloodCount, p.d(6 + day))),
  );
  p.noHit(m, keyOf(s.settlementId, ITEM.bloodCount), '3 blood counts: LAB, not EXAM');
}

function plantDailyQuantityExcess(p: Planter): void {
  const m = 'DAILY_QUANTITY_EXCESS';
  const acupuncture = ITEM.acupuncture;
  const key = (person: PersonRecord, institution: InstitutionRecord, itemCode: string, date: string): string =>
    keyOf(person.personId, institution.code, itemCode, date);
  const visit = (
    person: PersonRecord,
    institution: InstitutionRecord,
    settledAt: string,
    date: string,
    item: string,
    quantity: number,
    priceFen?: number,
  ) =>
    p.outpatient('DQ', person, institution, settledAt, [
      p.line(institution, ITEM.consultation, date),
      p.line(institution, item, date, quantity, priceFen),
    ]);
  const xian = p.clinicXian;
  const xianPrice = p.catalog.priceFen(acupuncture, xian.regionCode);

  let person = p.person('DQ', '610113');
  let date = p.d(6);
  visit(person, xian, p.at(date, '07:00', 'UTC'), date, acupuncture, 2);
  visit(person, xian, p.at(date, '16:00'), date, acupuncture, 2);
  p.hit(m, key(person, xian, acupuncture, date), '2 + 2 针刺 in two settlements of one day, limit 2', 2 * xianPrice);

  person = p.person('DQ', '610302');
  date = p.d(7);
  visit(person, p.clinicBaoji, p.at(date, '10:00'), date, acupuncture, 2);
  p.hit(
    m,
    key(person, p.clinicBaoji, acupuncture, date),
    'quantity 2 where the 宝鸡 city row limits to 1 (province allows 2)',
    p.catalog.priceFen(acupuncture, p.clinicBaoji.regionCode),
  );

  person = p.person('DQ', '610113');
  date = p.d(8);
  visit(person, xian, p.at(date, '11:00'), date, acupuncture, 2.5, 1234);
  p.hit(m, key(person, xian, acupuncture, date), 'decimal quantity 2.5 at 12.34: 30.85 × 0.5 / 2.5 = 6.17', 617);

  person = p.person('DQ', '610113');
  date = p.d(9);
  visit(person, xian, p.at(date, '09:00'), date, acupuncture, 1);
  visit(person, xian, p.at(date, '15:00'), date, acupuncture, 1);
  p.noHit(m, key(person, xian, acupuncture, date), '1 + 1 on one day: exactly at the limit');

  person = p.person('DQ', '610402');
  date = p.d(10);
  visit(person, p.clinicXianyang, p.at(date, '10:00'), date, ITEM.massage, 2);
  p.noHit(m, key(person, p.clinicXianyang, ITEM.massage, date), '2 推拿 where the 咸阳 city row allows 3 (province 1)');

  person = p.person('DQ', '610113');
  date = p.d(11);
  visit(person, xian, p.at(date, '09:00'), date, acupuncture, 2);
  visit(person, p.clinicXianyang, p.at(date, '16:00'), date, acupuncture, 2);
  p.noHit(m, key(person, xian, acupuncture, date), '2 here and 2 at another institution the same day');
  p.noHit(m, key(person, p.clinicXianyang, acupuncture, date), '2 here and 2 at another institution the same day');
}

function plantOverPrice(p: Planter): void {
  const m = 'OVER_PRICE';
  const ct = ITEM.ctPlain;
  const priced = (institution: InstitutionRecord, item: string, quantity: number, priceFen: number, day: number) => {
    const date = p.d(day);
    const s = p.outpatient('OP', p.person('OP', institution.regionCode), institution, p.at(date, '10:00'), [
      p.line(institution, ITEM.consultation, date),
      p.line(institution, item, date, quantity, priceFen),
    ]);
    return keyOf(s.settlementId, '2');
  };
  p.hit(m, priced(p.hospitalXianyang, ct, 1, 17001, 2), 'CT at 170.01, province cap 170.00', 1);
  p.hit(m, priced(p.hospitalBaoji, ct, 1, 16000, 3), 'CT at 160.00 where the 宝鸡 city cap is 150.00', 1000);
  p.hit(m, priced(p.clinicXian, ITEM.bloodCount, 3, 2500, 4), '3 blood counts at 25.00, cap 20.00', 1500);
  p.noHit(m, priced(p.hospitalXianyang, ct, 1, 17000, 5), 'CT exactly at the province cap');
  p.noHit(
    m,
    priced(p.hospitalXianA, ct, 1, 17500, 6),
    'CT at 175.00: over the province cap, under the 西安 city cap 180.00',
  );
  const date = p.d(7);
  const s = p.stay('OP', p.person('OP', '610402'), p.hospitalXianyang, addDays(date, -3), 3, {
    diagnosis: 'N20.0',
    extraLines: [p.line(p.hospitalXianyang, ITEM.catheter, date, 1, 99999)],
  });
  p.noHit(m, keyOf(s.settlementId, String(s.lines.length)), 'catheter at 999.99: the catalog row has no cap');
}

function plantTraceCodeReuse(p: Planter): void {
  const m = 'TRACE_CODE_REUSE';
  const drug = ITEM.ibuprofen;
  const sell = (pharmacy: InstitutionRecord, settledAt: string, code: string, priceFen?: number, packages = 1) =>
    p.pharmacySale(
      'TC',
      p.person('TC', pharmacy.regionCode),
      pharmacy,
      settledAt,
      Array.from({ length: packages }, () =>
        p.line(pharmacy, drug, resolveTimestamp(settledAt).shanghaiDate, 1, priceFen, code),
      ),
    );
  const price = p.catalog.priceFen(drug, p.pharmacyXian.regionCode);

  let code = p.traceCode();
  sell(p.pharmacyXian, p.at(p.history(-20), '10:00'), code);
  sell(p.pharmacyBaoji, p.at(p.d(10), '11:00'), code);
  p.hit(m, code, `sold before the window, sold again in it (subject ${p.pharmacyBaoji.code})`, price);

  code = p.traceCode();
  sell(p.pharmacyXian, p.at(p.d(2), '10:00'), code);
  sell(p.pharmacyXian2, p.at(p.d(5), '10:00'), code);
  sell(p.pharmacyBaoji, p.at(p.d(9), '10:00'), code);
  p.hit(m, code, 'three settlements by three persons: amount of the two later ones', 2 * price);

  code = p.traceCode();
  const first = sell(p.pharmacyXian, p.at(p.d(7), '11:00'), code, 1500);
  const second = sell(p.pharmacyShangluo, p.at(p.d(7), '11:00', 'UTC'), code, 1650);
  if (first.settlementId >= second.settlementId) throw new Error('planted tie-break case needs ascending ids');
  p.hit(m, code, 'same instant written two ways: the earliest is the smaller settlement_id', 1650);

  code = p.traceCode();
  const single = sell(p.pharmacyXian, p.at(p.d(8), '10:00'), code, undefined, 2);
  p.noHit(m, code, `the code twice in one settlement ${single.settlementId}`);

  code = p.traceCode();
  sell(p.pharmacyXian, p.at(p.history(-20), '10:00'), code);
  sell(p.pharmacyBaoji, p.at(p.history(-15), '10:00'), code);
  p.noHit(m, code, 'both settlements before the window');
}

function plantExcessDispensing(p: Planter): void {
  const m = 'EXCESS_DISPENSING';
  const drug = ITEM.metformin;
  const month = p.d(0).slice(0, 7);
  const price = p.catalog.priceFen(drug, '610100');
  const buy = (person: PersonRecord, pharmacy: InstitutionRecord, date: string, boxes: number): void => {
    p.pharmacySale('ED', person, pharmacy, p.at(date, '10:00'), [p.line(pharmacy, drug, date, boxes)]);
  };
  let person = p.person('ED', '611002');
  buy(person, p.pharmacyXian, p.d(3), 2);
  buy(person, p.pharmacyBaoji, p.d(10), 2);
  p.hit(
    m,
    keyOf(person.personId, drug, month),
    `商洛 resident: 4 boxes over the 商洛 limit 3; tie 2/2 goes to the smaller code ${p.pharmacyXian.code}`,
    price,
  );
  person = p.person('ED', '610113');
  buy(person, p.pharmacyXian, p.d(2), 4);
  buy(person, p.pharmacyXian2, p.d(9), 3);
  p.hit(
    m,
    keyOf(person.personId, drug, month),
    `7 boxes over the province limit 6; subject ${p.pharmacyXian.code}`,
    price,
  );
  person = p.person('ED', '610113');
  buy(person, p.pharmacyBaoji, p.d(1), 3);
  buy(person, p.pharmacyBaoji, p.d(8), 3);
  buy(person, p.pharmacyBaoji, p.d(15), 2);
  p.hit(m, keyOf(person.personId, drug, month), '3 + 3 + 2 boxes at one pharmacy', 2 * price);
  person = p.person('ED', '610113');
  buy(person, p.pharmacyShangluo, p.d(4), 5);
  p.noHit(
    m,
    keyOf(person.personId, drug, month),
    '西安 resident buying 5 in 商洛: the person’s region (limit 6) applies',
  );
  person = p.person('ED', '610402');
  buy(person, p.pharmacyXian, p.d(5), 6);
  p.noHit(m, keyOf(person.personId, drug, month), 'exactly 6 boxes');
  person = p.person('ED', '610113');
  buy(person, p.pharmacyXian, addDays(p.from, -5), 5);
  buy(person, p.pharmacyXian, p.d(6), 4);
  p.noHit(m, keyOf(person.personId, drug, month), '5 boxes last month and 4 this month');
}

function plantLowStandardAdmission(p: Planter): void {
  const m = 'LOW_STANDARD_ADMISSION';
  const examsOnly = (h: InstitutionRecord, admit: string, los: number): LineDraft[] => {
    const lines: LineDraft[] = [];
    for (let day = 0; day < los; day++) lines.push(p.line(h, ITEM.bedWard, addDays(admit, day)));
    lines.push(p.line(h, ITEM.bloodCount, admit), p.line(h, ITEM.ctPlain, admit));
    return lines;
  };
  const admission = (
    description: string,
    expectHit: boolean,
    h: InstitutionRecord,
    admitOffset: number,
    los: number,
    lines: (admit: string) => LineDraft[],
    extra: Partial<StayOptions> = {},
  ): void => {
    const admit = p.d(admitOffset);
    const s = p.stay('LS', p.person('LS', h.regionCode), h, admit, los, {
      diagnosis: 'R10.4',
      onlyLines: lines(admit),
      ...extra,
    });
    if (expectHit) p.hit(m, s.settlementId, description, s.fundFen);
    else p.noHit(m, s.settlementId, description);
  };
  admission('bed, a lab and a CT only', true, p.hospitalXianA, 2, 2, (a) => examsOnly(p.hospitalXianA, a, 2));
  admission('labs only, no bed', true, p.hospitalBaoji, 3, 1, (a) => [
    p.line(p.hospitalBaoji, ITEM.bloodCount, a),
    p.line(p.hospitalBaoji, ITEM.liverPanel, a),
  ]);
  admission('3 days of bed and a lab every day', true, p.hospitalXianyang, 4, 3, (a) =>
    [0, 1, 2].flatMap((day) => [
      p.line(p.hospitalXianyang, ITEM.bedWard, addDays(a, day)),
      p.line(p.hospitalXianyang, ITEM.bloodCount, addDays(a, day)),
    ]),
  );
  admission('as above plus one TREATMENT line', false, p.hospitalXianA, 5, 2, (a) => [
    ...examsOnly(p.hospitalXianA, a, 2),
    p.line(p.hospitalXianA, '120500001', a),
  ]);
  admission(
    'bed and exams only but fund_amount 0',
    false,
    p.hospitalXianA,
    6,
    2,
    (a) => examsOnly(p.hospitalXianA, a, 2),
    {
      fundFen: 0,
    },
  );
  admission('no item lines at all', false, p.hospitalBaoji, 7, 2, () => [], { totalFen: 30000, fundFen: 20000 });
}

/** Fund per settlement: mean ± 5.00 alternating, so the mean is exact. */
function plantPeerOutlier(p: Planter): void {
  const m = 'PEER_OUTLIER';
  const month = p.from.slice(0, 7);
  const patients = Array.from({ length: 60 }, () => p.person('PO', p.pick(['610502', '610503', '610522'])));
  let institutionIndex = 0;
  const institutionWith = (
    kind: InstitutionKind,
    level: InstitutionLevel,
    name: string,
    meanYuan: number,
    settlements: number,
  ) => {
    const county = ['610502', '610503', '610522'][institutionIndex % 3];
    const institution = p.institution(kind, level, kind === 'HOSPITAL' ? 'PUBLIC' : 'PRIVATE', county, name);
    const j = institutionIndex++;
    for (let k = 0; k < settlements; k++) {
      const delta = settlements === 30 ? (k % 2 === 0 ? 500 : -500) : 0;
      const fundFen = meanYuan * 100 + delta;
      const date = addDays(p.from, k % PLANTED_SPAN_DAYS);
      const totalFen = fundFen + 2000;
      p.outpatient(
        'PO',
        patients[(j * 7 + k) % patients.length],
        institution,
        p.at(date, `09:${String(k).padStart(2, '0')}`),
        [
          p.line(institution, ITEM.consultation, date),
          p.line(institution, ITEM.outpatientTreatment, date, 1, totalFen - 600),
        ],
        { fundFen, fundPercent: undefined },
      );
    }
    return institution;
  };
  const clinicMeans = [80, 84, 88, 92, 96];
  clinicMeans.forEach((mean, i) => institutionWith('CLINIC', 'NONE', `临渭区惠民诊所${i + 1}`, mean, 30));
  let x = institutionWith('CLINIC', 'NONE', '华州区德济门诊部', 380, 30);
  p.hit(m, keyOf(x.code, month), 'clinic mean 380 in a group of 8 (median 94, MAD 12)', (380 - 94) * 30 * 100);
  x = institutionWith('CLINIC', 'NONE', '潼关县福康门诊部', 400, 30);
  p.hit(m, keyOf(x.code, month), 'clinic mean 400 in the same group', (400 - 94) * 30 * 100);
  x = institutionWith('CLINIC', 'NONE', '临渭区百草诊所', 156, 30);
  p.noHit(m, keyOf(x.code, month), 'mean 156: (156 − 94) = 62 < 3.5 × 1.4826 × 12 = 62.2692');
  x = institutionWith('CLINIC', 'NONE', '华州区杏林诊所', 2000, 29);
  p.noHit(m, keyOf(x.code, month), 'mean 2000 but only 29 outpatient settlements');
  [40, 42, 44, 46].forEach((mean, i) =>
    institutionWith('VILLAGE_CLINIC', 'NONE', `临渭区王家村卫生室${i + 1}`, mean, 30),
  );
  x = institutionWith('VILLAGE_CLINIC', 'NONE', '华州区李家村卫生室', 120, 30);
  p.hit(
    m,
    keyOf(x.code, month),
    'village clinic mean 120 in a group of exactly 5 (median 44, MAD 2)',
    (120 - 44) * 30 * 100,
  );
  [200, 210, 220].forEach((mean, i) => institutionWith('HOSPITAL', 'SECONDARY', `渭南市第${i + 2}医院`, mean, 30));
  x = institutionWith('HOSPITAL', 'SECONDARY', '渭南市康复医院', 900, 30);
  p.noHit(m, keyOf(x.code, month), 'hospital mean 900 but only 4 peers in the group');
}

function plantPrescriptionSplitting(p: Planter): void {
  const m = 'PRESCRIPTION_SPLITTING';
  const key = (person: PersonRecord, institution: InstitutionRecord, date: string): string =>
    keyOf(person.personId, institution.code, date);
  let person = p.person('PS', '610113');
  let date = p.d(4);
  let fund = 0;
  for (const clock of ['09:00', '10:30', '15:00'])
    fund += p.outpatient('PS', person, p.clinicXian, p.at(date, clock)).fundFen;
  p.hit(m, key(person, p.clinicXian, date), '3 outpatient settlements in one day', fund);

  person = p.person('PS', '610113');
  date = p.d(6);
  fund = 0;
  for (const clock of ['08:10', '09:20', '11:30', '17:45']) {
    fund += p.pharmacySale('PS', person, p.pharmacyXian2, p.at(date, clock), [
      p.line(p.pharmacyXian2, ITEM.loratadine, date, 1, undefined, p.traceCode()),
    ]).fundFen;
  }
  p.hit(m, key(person, p.pharmacyXian2, date), '4 pharmacy settlements in one day', fund);

  person = p.person('PS', '610302');
  date = p.d(11);
  fund = 0;
  for (const settledAt of [p.at(date, '01:00', 'UTC'), p.at(date, '10:00'), p.at(date, '15:00', 'LOCAL')]) {
    fund += p.outpatient('PS', person, p.clinicBaoji, settledAt).fundFen;
  }
  p.hit(m, key(person, p.clinicBaoji, date), '3 in one Shanghai day, one written in UTC on the previous UTC day', fund);

  person = p.person('PS', '610113');
  date = p.d(12);
  p.outpatient('PS', person, p.clinicXian, p.at(date, '09:00'));
  p.outpatient('PS', person, p.clinicXian, p.at(date, '14:00'));
  p.noHit(m, key(person, p.clinicXian, date), 'only 2 settlements');

  person = p.person('PS', '610113');
  date = p.d(14);
  p.outpatient('PS', person, p.clinicXian, p.at(date, '23:40'));
  p.outpatient('PS', person, p.clinicXian, p.at(date, '23:55', 'UTC'));
  p.outpatient('PS', person, p.clinicXian, p.at(addDays(date, 1), '00:10'));
  p.noHit(m, key(person, p.clinicXian, date), '3 settlements straddling midnight Shanghai time (2 + 1)');
  p.noHit(m, key(person, p.clinicXian, addDays(date, 1)), '3 settlements straddling midnight Shanghai time (2 + 1)');

  person = p.person('PS', '610103');
  date = p.d(16);
  p.outpatient('PS', person, p.hospitalXianB, p.at(date, '09:00'));
  p.outpatient('PS', person, p.hospitalXianB, p.at(date, '10:00'));
  p.stay('PS', person, p.hospitalXianB, addDays(date, -3), 3, { diagnosis: 'J18.9', settledAt: p.at(date, '11:00') });
  p.noHit(m, key(person, p.hospitalXianB, date), '2 outpatient and 1 inpatient settlement');
}

function plantGroupAdmission(p: Planter): void {
  const m = 'GROUP_ADMISSION';
  const hospital = p.institution('HOSPITAL', 'SECONDARY', 'PRIVATE', '610404', `咸阳渭城康乐医院${p.copyLabel()}`);
  const group = (description: string, expectHit: boolean, admitOffset: number, members: [string, number][]): void => {
    const admit = p.d(admitOffset);
    let fund = 0;
    for (const [diagnosis, los] of members) {
      fund += p.stay('GA', p.person('GA', '610404'), hospital, admit, los, { diagnosis }).fundFen;
    }
    const [dx, los] = members[0];
    const key = keyOf(hospital.code, admit, dx.slice(0, 3), String(los));
    if (expectHit) p.hit(m, key, description, fund);
    else p.noHit(m, key, description);
  };
  const same = (n: number, dx: string, los: number): [string, number][] => Array.from({ length: n }, () => [dx, los]);
  group('5 persons, same day, J18.x, LOS 7', true, 3, [
    ['J18.9', 7],
    ['J18.0', 7],
    ['J18.1', 7],
    ['J18.9', 7],
    ['J18.8', 7],
  ]);
  group('6 persons, same day, I63, LOS 10', true, 9, same(6, 'I63.9', 10));
  group('5 persons, same day, K29, LOS 4', true, 5, same(5, 'K29.7', 4));
  group('only 4 persons', false, 12, same(4, 'E11.6', 5));
  group('5 persons but one stays 4 days instead of 3', false, 14, [...same(4, 'N20.0', 3), ['N20.0', 4]]);
  group('5 persons but one with another dx3', false, 16, [...same(4, 'K80.1', 3), ['K81.0', 3]]);
}

function plantInventoryMismatch(p: Planter): void {
  const m = 'INVENTORY_MISMATCH';
  const pharmacy = p.institution('PHARMACY', 'NONE', 'PRIVATE', '610103', `百信大药房(碑林${p.copyLabel()}店)`);
  p.batch.selfStockedPharmacies.add(pharmacy.code);
  const customers = Array.from({ length: 8 }, () => p.person('IM', '610103'));
  let saleNumber = 0;
  const sell = (itemCode: string, packages: number): void => {
    for (let i = 0; i < packages; i++, saleNumber++) {
      const date = p.d(saleNumber % 20);
      p.pharmacySale('IM', customers[saleNumber % customers.length], pharmacy, p.at(date, '10:00'), [
        p.line(pharmacy, itemCode, date, 1, undefined, p.traceCode()),
      ]);
    }
  };
  const price = (itemCode: string): number => p.catalog.priceFen(itemCode, pharmacy.regionCode);
  p.purchase(pharmacy, ITEM.amoxicillin, 10, p.from);
  sell(ITEM.amoxicillin, 12);
  p.hit(m, keyOf(pharmacy.code, ITEM.amoxicillin), 'sold 12, bought 10', 2 * price(ITEM.amoxicillin));
  p.purchase(pharmacy, ITEM.ibuprofen, 5, p.from);
  p.purchase(pharmacy, ITEM.ibuprofen, 20, addDays(p.to, 3));
  sell(ITEM.ibuprofen, 8);
  p.hit(
    m,
    keyOf(pharmacy.code, ITEM.ibuprofen),
    'sold 8, bought 5 (+20 after `to`, not counted)',
    3 * price(ITEM.ibuprofen),
  );
  sell(ITEM.loratadine, 4);
  p.hit(m, keyOf(pharmacy.code, ITEM.loratadine), 'sold 4, never bought', 4 * price(ITEM.loratadine));
  p.purchase(pharmacy, ITEM.smectite, 6, p.from);
  sell(ITEM.smectite, 6);
  p.noHit(m, keyOf(pharmacy.code, ITEM.smectite), 'sold = bought = 6');
  p.outpatient('IM', p.person('IM', '610103'), p.hospitalXianB, p.at(p.d(3), '10:00'), [
    p.line(p.hospitalXianB, ITEM.amoxicillin, p.d(3), 2),
  ]);
  p.noHit(m, keyOf(p.hospitalXianB.code, ITEM.amoxicillin), 'a hospital (not a pharmacy) selling without purchases');
}

function plantInsiderPayee(p: Planter): void {
  const m = 'INSIDER_PAYEE';
  const official = p.person('IP', '610113', { isPublicOfficial: true, employerCode: p.hospitalXianA.code });
  const relative = p.person('IP', '610113');
  const spouse = p.person('IP', '610113');
  const otherOfficial = p.person('IP', '610103', { isPublicOfficial: true });
  const stranger = p.person('IP', '610103', { bankAccount: '' });
  const ordinary = p.person('IP', '610102');
  p.relate(relative, official, 'RELATIVE');
  p.relate(spouse, official, 'SPOUSE');
  p.relate(official, otherOfficial, 'COLLEAGUE');
  const reimburse = (person: PersonRecord, payee: string, day: number) =>
    p.outpatient('IP', person, p.clinicXian, p.at(p.d(day), '10:00'), undefined, { payeeAccount: payee });
  let s = reimburse(relative, official.bankAccount, 3);
  p.hit(m, s.settlementId, `relative's reimbursement paid to official ${official.personId}`, s.fundFen);
  s = reimburse(spouse, official.bankAccount, 5);
  p.hit(m, s.settlementId, `spouse's reimbursement paid to official ${official.personId}`, s.fundFen);
  s = reimburse(stranger, otherOfficial.bankAccount, 7);
  p.hit(m, s.settlementId, 'person without an account paid to another official', s.fundFen);
  s = reimburse(official, official.bankAccount, 9);
  p.noHit(m, s.settlementId, "the official's own reimbursement to the official's own account");
  s = reimburse(relative, ordinary.bankAccount, 11);
  p.noHit(m, s.settlementId, "paid to a non-official's account");
  s = reimburse(ordinary, ordinary.bankAccount, 13);
  p.noHit(m, s.settlementId, 'paid to the own account');
}

function plantBundledItemCharge(p: Planter): void {
  const m = 'BUNDLED_ITEM_CHARGE';
  const labs = (institution: InstitutionRecord, day: number, items: [string, number][]) => {
    const date = p.d(day);
    return p.outpatient('BI', p.person('BI', institution.regionCode), institution, p.at(date, '10:00'), [
      p.line(institution, ITEM.consultation, date),
      ...items.map(([item, quantity]) => p.line(institution, item, date, quantity)),
    ]);
  };
  const price = (item: string, institution: InstitutionRecord): number =>
    p.catalog.priceFen(item, institution.regionCode);
  let s = labs(p.hospitalXianA, 2, [
    [ITEM.liverPanel, 1],
    [ITEM.alt, 1],
  ]);
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.liverPanel, ITEM.alt, p.d(2)),
    '肝功能组合 and its ALT on one day',
    price(ITEM.alt, p.hospitalXianA),
  );

  const h = p.hospitalXianB;
  const admit = p.d(3);
  s = p.stay('BI', p.person('BI', '610103'), h, admit, 4, {
    diagnosis: 'K80.1',
    extraLines: [
      p.line(h, ITEM.liverPanel, addDays(admit, 1)),
      p.line(h, ITEM.alt, addDays(admit, 1)),
      p.line(h, ITEM.ast, addDays(admit, 1), 2),
    ],
  });
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.liverPanel, ITEM.alt, addDays(admit, 1)),
    'inpatient day with the panel, ALT and AST (ALT)',
    price(ITEM.alt, h),
  );
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.liverPanel, ITEM.ast, addDays(admit, 1)),
    'inpatient day with the panel, ALT and AST (AST × 2)',
    2 * price(ITEM.ast, h),
  );

  s = labs(p.hospitalBaoji, 4, [
    [ITEM.kidneyPanel, 1],
    [ITEM.glucose, 2],
  ]);
  p.hit(
    m,
    keyOf(s.settlementId, ITEM.kidneyPanel, ITEM.glucose, p.d(4)),
    'glucose is a component only in the 宝鸡 city row',
    2 * price(ITEM.glucose, p.hospitalBaoji),
  );

  s = p.stay('BI', p.person('BI', '610103'), h, p.d(6), 4, {
    diagnosis: 'K80.1',
    extraLines: [p.line(h, ITEM.liverPanel, p.d(6)), p.line(h, ITEM.alt, p.d(8))],
  });
  p.noHit(m, keyOf(s.settlementId, ITEM.liverPanel, ITEM.alt, p.d(6)), 'panel and ALT on different days');
  p.noHit(m, keyOf(s.settlementId, ITEM.liverPanel, ITEM.alt, p.d(8)), 'panel and ALT on different days');

  s = labs(p.hospitalXianA, 5, [
    [ITEM.kidneyPanel, 1],
    [ITEM.glucose, 1],
  ]);
  p.noHit(
    m,
    keyOf(s.settlementId, ITEM.kidneyPanel, ITEM.glucose, p.d(5)),
    'in 西安 the province row applies, without glucose',
  );

  const person = p.person('BI', '610113');
  const date = p.d(7);
  const first = p.outpatient('BI', person, p.hospitalXianA, p.at(date, '09:00'), [
    p.line(p.hospitalXianA, ITEM.liverPanel, date),
  ]);
  const second = p.outpatient('BI', person, p.hospitalXianA, p.at(date, '11:00'), [
    p.line(p.hospitalXianA, ITEM.alt, date),
  ]);
  p.noHit(m, keyOf(first.settlementId, ITEM.liverPanel, ITEM.alt, date), 'panel and ALT in two settlements of one day');
  p.noHit(
    m,
    keyOf(second.settlementId, ITEM.liverPanel, ITEM.alt, date),
    'panel and ALT in two settlements of one day',
  );

  s = labs(p.hospitalXianyang, 8, [
    [ITEM.liverPanel, 1],
    [ITEM.alt, 1],
  ]);
  p.noHit(m, keyOf(s.settlementId, ITEM.liverPanel, ITEM.alt, p.d(8)), 'the 咸阳 city row of the panel leaves ALT out');
}

/**
 * Plants every model's cases once per copy (copies = max(1, round(scale)), shifted by a few
 * days each), and the 次均费用 peer groups once, with the first copy.
 */
// ---------- the rule library (RULES.md) ----------

const RULE_ITEM = {
  injection: '120400001',
  dressing: '120500001',
  infusionSet: 'C14020100',
  ctEnhanced: '210300002',
  mri: ITEM.mriPlain,
  acupuncture: ITEM.acupuncture,
  massage: ITEM.massage,
  infusion: ITEM.infusion,
  mecobalamin: 'XA11DBM001',
} as const;

function ruleRow(
  ruleId: string,
  ruleClass: string,
  itemCode: string,
  regionCode: string,
  effectiveFrom: string,
  effectiveTo: string,
  columns: Partial<RuleRow>,
  description: string,
): RuleRow {
  return {
    rule_id: ruleId,
    rule_class: ruleClass,
    item_code: itemCode,
    region_code: regionCode,
    effective_from: effectiveFrom,
    effective_to: effectiveTo,
    gender: '',
    min_age: '',
    max_age: '',
    visit_types: '',
    min_level: '',
    diagnosis_prefixes: '',
    other_item_code: '',
    max_units: '',
    period: '',
    ...columns,
    description,
  };
}

/** The library's rules that do not depend on a copy: a mix of classes at province, city and county scope. */
const LIBRARY_RULES: RuleRow[] = [
  ruleRow(
    'G-AGE-18',
    'AGE',
    RULE_ITEM.dressing,
    '610000',
    '2020-01-01',
    '',
    { min_age: '18' },
    '换药限成人（18岁及以上）',
  ),
  ruleRow(
    'G-AGE-17',
    'AGE',
    RULE_ITEM.dressing,
    '610300',
    '2020-01-01',
    '',
    { min_age: '17' },
    '宝鸡：换药限17岁及以上',
  ),
  ruleRow(
    'G-VIS',
    'VISIT_TYPE',
    RULE_ITEM.infusionSet,
    '610000',
    '2020-01-01',
    '',
    { visit_types: 'INPATIENT' },
    '输液器限住院',
  ),
  ruleRow(
    'G-LVL',
    'LEVEL',
    RULE_ITEM.ctEnhanced,
    '610000',
    '2020-01-01',
    '',
    { min_level: 'SECONDARY' },
    'CT增强限二级及以上医院',
  ),
  ruleRow(
    'G-DX',
    'DIAGNOSIS',
    RULE_ITEM.mri,
    '610302',
    '2020-01-01',
    '',
    { diagnosis_prefixes: 'I63;I61;G45' },
    '渭滨：磁共振限脑血管病诊断',
  ),
  ruleRow(
    'G-EXC',
    'EXCLUSIVE',
    RULE_ITEM.acupuncture,
    '610000',
    '2020-01-01',
    '',
    { other_item_code: RULE_ITEM.massage },
    '针刺与推拿同日互斥',
  ),
  ruleRow(
    'G-FRQ-D',
    'FREQUENCY',
    RULE_ITEM.infusion,
    '610100',
    '2020-01-01',
    '',
    { max_units: '2', period: 'DAY' },
    '西安：静脉输液每日限2次',
  ),
  ruleRow(
    'G-FRQ-S',
    'FREQUENCY',
    RULE_ITEM.infusionSet,
    '610000',
    '2020-01-01',
    '',
    { max_units: '3', period: 'SETTLEMENT' },
    '输液器每次结算限3个',
  ),
  ruleRow(
    'G-FRQ-Y',
    'FREQUENCY',
    RULE_ITEM.mecobalamin,
    '610000',
    '2020-01-01',
    '',
    { max_units: '10', period: 'YEAR' },
    '甲钴胺每年限10盒',
  ),
  // Retired, and not yet effective: they never fire.
  ruleRow(
    'G-RET',
    'SEX',
    RULE_ITEM.injection,
    '610000',
    '2020-01-01',
    '2024-12-31',
    { gender: 'F' },
    '（已废止）肌肉注射限女性',
  ),
  ruleRow('G-FUT', 'SEX', RULE_ITEM.injection, '610000', '2099-01-01', '', { gender: 'F' }, '（未生效）肌肉注射限女性'),
];

const yearsBefore = (day: string, years: number): string => `${Number(day.slice(0, 4)) - years}${day.slice(4)}`;
const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Planted positives and traps of the seven rule classes (one copy). */
function plantRuleCases(p: Planter): void {
  // Clinics of their own, so that these visits never add up to another model's groups.
  const label = p.copyLabel();
  const cXian = p.institution('CLINIC', 'NONE', 'PRIVATE', '610113', `雁塔区惠民诊所${label}`);
  const cBaoji = p.institution('CLINIC', 'NONE', 'PRIVATE', '610302', `渭滨区惠民诊所${label}`);
  const cXianyang = p.institution('CLINIC', 'NONE', 'PRIVATE', '610402', `秦都区惠民诊所${label}`);
  const amountOf = (line: LineDraft): number => lineAmountFen(line.quantityMilli, line.unitPriceFen);
  /** An outpatient visit (own person) with the given lines; returns the settlement id and its lines. */
  const visit = (
    institution: InstitutionRecord,
    day: string,
    items: [string, number][],
    person: Partial<PersonRecord> = {},
    diagnosisCode = 'J06.9',
  ) => {
    const lines = items.map(([item, quantity]) => p.line(institution, item, day, quantity));
    const who = p.person('RU', institution.regionCode, person);
    const s = p.outpatient('RU', who, institution, p.at(day, '09:30'), lines, { diagnosisCode });
    return { id: s.settlementId, lines, person: who };
  };

  // SEX: this copy's rule, 宝鸡 only, from d(2) to d(4).
  const sexRule = `PR${p.copyLabel()}-SEX`;
  p.batch.rules.push(
    ruleRow(
      sexRule,
      'SEX',
      RULE_ITEM.injection,
      '610300',
      p.d(2),
      p.d(4),
      { gender: 'F' },
      '宝鸡：肌肉注射限女性（试行）',
    ),
  );
  for (const day of [2, 3, 4]) {
    const v = visit(cBaoji, p.d(day), [[RULE_ITEM.injection, 1]], { gender: 'M' });
    p.hit('RULE_SEX', `${sexRule}|${v.id}|1`, `a man's injection on day ${day} of the rule`, amountOf(v.lines[0]));
    if (day === 3) {
      p.noHit('RULE_SEX', `G-RET|${v.id}|1`, 'a retired rule');
      p.noHit('RULE_SEX', `G-FUT|${v.id}|1`, 'a rule not yet effective');
    }
  }
  for (const [day, label] of [
    [1, 'the day before the rule starts'],
    [5, 'the day after the rule ends'],
  ] as const) {
    const v = visit(cBaoji, p.d(day), [[RULE_ITEM.injection, 1]], { gender: 'M' });
    p.noHit('RULE_SEX', `${sexRule}|${v.id}|1`, label);
  }
  let v = visit(cBaoji, p.d(3), [[RULE_ITEM.injection, 1]], { gender: 'F' });
  p.noHit('RULE_SEX', `${sexRule}|${v.id}|1`, 'a woman');
  v = visit(cXian, p.d(3), [[RULE_ITEM.injection, 1]], { gender: 'M' });
  p.noHit('RULE_SEX', `${sexRule}|${v.id}|1`, 'a city rule of 宝鸡 in 西安');

  // AGE: adults only (province), 17 and over in 宝鸡 (two rules on one item there).
  const day3 = p.d(3);
  v = visit(cXian, day3, [[RULE_ITEM.dressing, 1]], { birthDate: addDays(yearsBefore(day3, 18), 1) });
  p.hit('RULE_AGE', `G-AGE-18|${v.id}|1`, '18 the day after the visit', amountOf(v.lines[0]));
  v = visit(cXian, day3, [[RULE_ITEM.dressing, 1]], { birthDate: yearsBefore(day3, 18) });
  p.noHit('RULE_AGE', `G-AGE-18|${v.id}|1`, '18th birthday on the day of care');
  v = visit(cBaoji, p.d(4), [[RULE_ITEM.dressing, 2]], { birthDate: yearsBefore(p.d(4), 5) });
  p.hit('RULE_AGE', `G-AGE-18|${v.id}|1`, 'a child in 宝鸡 (province rule)', amountOf(v.lines[0]));
  p.hit('RULE_AGE', `G-AGE-17|${v.id}|1`, 'a child in 宝鸡 (city rule on the same item)', amountOf(v.lines[0]));
  v = visit(cXian, p.d(4), [[RULE_ITEM.dressing, 1]], { birthDate: yearsBefore(p.d(4), 5) });
  p.noHit('RULE_AGE', `G-AGE-17|${v.id}|1`, 'the 宝鸡 age rule in 西安');
  const year = Number(p.from.slice(0, 4));
  if (p.shift === 0 && p.from.slice(5) === '03-01' && isLeapYear(year - 17) && !isLeapYear(year)) {
    // Born 29 February: 16 on 28 February, 17 on 1 March (PostgreSQL's age()).
    const h = p.hospitalBaoji;
    const eve = addDays(p.from, -1);
    const person = p.person('RU', h.regionCode, { birthDate: `${year - 17}-02-29` });
    const lines = [
      p.line(h, RULE_ITEM.dressing, eve),
      p.line(h, ITEM.nursing, eve),
      p.line(h, RULE_ITEM.dressing, p.from),
    ];
    const s = p.stay('RU', person, h, eve, 1, { diagnosis: 'S72.0', onlyLines: lines });
    p.hit('RULE_AGE', `G-AGE-17|${s.settlementId}|1`, 'born 29 Feb: 16 on 28 Feb', amountOf(lines[0]));
    p.noHit('RULE_AGE', `G-AGE-17|${s.settlementId}|3`, 'born 29 Feb: 17 on 1 March');
    p.hit('RULE_AGE', `G-AGE-18|${s.settlementId}|3`, 'born 29 Feb: still under 18', amountOf(lines[2]));
  }

  // VISIT_TYPE: infusion sets are paid for inpatients only.
  for (const clinic of [cXian, cBaoji, cXianyang]) {
    v = visit(clinic, p.d(6), [[RULE_ITEM.infusionSet, 1]]);
    p.hit('RULE_VISIT_TYPE', `G-VIS|${v.id}|1`, 'an infusion set charged to an outpatient', amountOf(v.lines[0]));
  }
  {
    const h = p.hospitalXianA;
    const admit = p.d(6);
    const lines = [p.line(h, RULE_ITEM.infusionSet, admit), p.line(h, ITEM.nursing, admit)];
    const s = p.stay('RU', p.person('RU', h.regionCode), h, admit, 1, { diagnosis: 'K35.8', onlyLines: lines });
    p.noHit('RULE_VISIT_TYPE', `G-VIS|${s.settlementId}|1`, 'an infusion set in a stay');
  }

  // LEVEL: enhanced CT from SECONDARY institutions up.
  for (const clinic of [cXian, cBaoji, cXianyang]) {
    v = visit(clinic, p.d(7), [[RULE_ITEM.ctEnhanced, 1]]);
    p.hit('RULE_LEVEL', `G-LVL|${v.id}|1`, 'enhanced CT at a clinic', amountOf(v.lines[0]));
  }
  v = visit(p.hospitalBaoji, p.d(7), [[RULE_ITEM.ctEnhanced, 1]]);
  p.noHit('RULE_LEVEL', `G-LVL|${v.id}|1`, 'enhanced CT at a SECONDARY hospital');

  // DIAGNOSIS: MRI in 渭滨 only for I63/I61/G45.
  for (const dx of ['J06.9', 'I64', 'I60.9']) {
    v = visit(cBaoji, p.d(8), [[RULE_ITEM.mri, 1]], {}, dx);
    p.hit('RULE_DIAGNOSIS', `G-DX|${v.id}|1`, `MRI with diagnosis ${dx}`, amountOf(v.lines[0]));
  }
  v = visit(cBaoji, p.d(8), [[RULE_ITEM.mri, 1]], {}, 'I63.9');
  p.noHit('RULE_DIAGNOSIS', `G-DX|${v.id}|1`, 'MRI for a stroke');
  v = visit(cXian, p.d(8), [[RULE_ITEM.mri, 1]], {}, 'J06.9');
  p.noHit('RULE_DIAGNOSIS', `G-DX|${v.id}|1`, 'the county rule of 渭滨 in 西安');

  // EXCLUSIVE: acupuncture and massage on one day of one settlement.
  for (const clinic of [cXian, cBaoji, cXianyang]) {
    v = visit(clinic, p.d(9), [
      [RULE_ITEM.acupuncture, 1],
      [RULE_ITEM.massage, 1],
    ]);
    p.hit('RULE_EXCLUSIVE', `G-EXC|${v.id}|${p.d(9)}`, 'acupuncture and massage on one day', amountOf(v.lines[1]));
  }
  {
    const h = p.hospitalXianA;
    const admit = p.d(9);
    const next = addDays(admit, 1);
    const lines = [
      p.line(h, RULE_ITEM.acupuncture, admit),
      p.line(h, ITEM.nursing, admit),
      p.line(h, RULE_ITEM.massage, next),
    ];
    const s = p.stay('RU', p.person('RU', h.regionCode), h, admit, 1, { diagnosis: 'M51.2', onlyLines: lines });
    p.noHit('RULE_EXCLUSIVE', `G-EXC|${s.settlementId}|${admit}`, 'the exclusive pair on different days');
  }

  // FREQUENCY: DAY in 西安, SETTLEMENT, YEAR across two institutions.
  for (const day of [10, 11, 12]) {
    v = visit(cXian, p.d(day), [[RULE_ITEM.infusion, 3]]);
    p.hit('RULE_FREQUENCY', `G-FRQ-D|${v.id}|${p.d(day)}`, 'three infusions in a day', amountOf(v.lines[0]) / 3);
  }
  v = visit(cXian, p.d(10), [[RULE_ITEM.infusion, 2]]);
  p.noHit('RULE_FREQUENCY', `G-FRQ-D|${v.id}|${p.d(10)}`, 'two infusions: the cap');
  v = visit(cBaoji, p.d(10), [[RULE_ITEM.infusion, 3]]);
  p.noHit('RULE_FREQUENCY', `G-FRQ-D|${v.id}|${p.d(10)}`, 'the 西安 cap in 宝鸡');
  for (const [perDay, expectHit] of [
    [2, true],
    [1, false],
  ] as const) {
    const h = p.hospitalXianB;
    const admit = p.d(11);
    const next = addDays(admit, 1);
    const lines = [
      p.line(h, RULE_ITEM.infusionSet, admit, 2),
      p.line(h, ITEM.nursing, admit),
      p.line(h, RULE_ITEM.infusionSet, next, perDay),
      p.line(h, ITEM.nursing, next),
    ];
    const s = p.stay('RU', p.person('RU', h.regionCode), h, admit, 1, { diagnosis: 'K80.1', onlyLines: lines });
    if (expectHit) p.hit('RULE_FREQUENCY', `G-FRQ-S|${s.settlementId}`, 'four infusion sets in one settlement');
    else p.noHit('RULE_FREQUENCY', `G-FRQ-S|${s.settlementId}`, 'three infusion sets: the cap');
  }
  for (const [first, second, expectHit] of [
    [6, 5, true],
    [5, 5, false],
  ] as const) {
    const person = p.person('RU', '610113');
    const a = p.line(cXian, RULE_ITEM.mecobalamin, p.d(12), first);
    p.outpatient('RU', person, cXian, p.at(p.d(12), '11:00'), [a], { diagnosisCode: 'G63.2' });
    const b = p.line(cBaoji, RULE_ITEM.mecobalamin, p.d(13), second);
    p.outpatient('RU', person, cBaoji, p.at(p.d(13), '11:00'), [b], { diagnosisCode: 'G63.2' });
    const key = `G-FRQ-Y|${person.personId}|${p.d(12).slice(0, 4)}`;
    if (expectHit) p.hit('RULE_FREQUENCY', key, 'a YEAR cap over two institutions');
    else p.noHit('RULE_FREQUENCY', key, 'ten units over two institutions: the cap');
  }
}

export function plantCases(options: {
  seed: number;
  scale: number;
  from: string;
  to: string;
  catalog: SynthCatalog;
  idNumbers: IdNumberIssuer;
}): PlantedBatch {
  const planter = new Planter(options.catalog, options.idNumbers, options.from, options.to, options.seed);
  const copies = Math.max(1, Math.round(options.scale));
  for (let copy = 0; copy < copies; copy++) {
    planter.startCopy(copy);
    if (copy === 0) plantPeerOutlier(planter);
    plantDeathAfter(planter);
    plantOverlappingInpatient(planter);
    plantBedHanging(planter);
    plantSplitAdmission(planter);
    plantRepeatExam(planter);
    plantDailyQuantityExcess(planter);
    plantOverPrice(planter);
    plantTraceCodeReuse(planter);
    plantExcessDispensing(planter);
    plantLowStandardAdmission(planter);
    plantPrescriptionSplitting(planter);
    plantGroupAdmission(planter);
    plantInventoryMismatch(planter);
    plantInsiderPayee(planter);
    plantBundledItemCharge(planter);
    plantRuleCases(planter);
  }
  planter.batch.rules.push(...LIBRARY_RULES);
  return planter.batch;
}
