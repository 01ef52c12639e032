import { BatchWriter, IdNumberIssuer, InstitutionRecord, LineDraft, SettlementDraft } from './batch-writer';
import { SynthCatalog } from './catalog';
import { cumulative, Prng } from './prng';
import {
  CATALOG_ITEMS,
  CITIES,
  GIVEN_NAME_CHARACTERS,
  INPATIENT_DIAGNOSES,
  ITEM,
  InstitutionKind,
  InstitutionLevel,
  ItemKind,
  OUTPATIENT_DIAGNOSES,
  PHARMACY_BRANDS,
  SURNAMES,
  TOWN_NAMES,
} from './reference-data';
import { addDays, daysBetween, formatShanghaiTimestamp, TimestampStyle } from './time';

/**
 * The background (正常业务数据): what a month of honest settlements in the province looks
 * like. It is built to stay inside the models' predicates (unique trace codes, prices at or
 * under the cap, at most one stay per person, purchases covering sales) so that the hits of
 * a batch are mostly the planted ones; the oracle, not this file, decides what is a hit.
 */

const COUNTIES = CITIES.flatMap((city, cityIndex) =>
  city.counties.map(([code, name]) => ({ code, name, cityIndex, city })),
);
const COUNTY_INDEX = new Map(COUNTIES.map((county, index) => [county.code, index]));

/** Settlements per scale unit over a 31-day month. */
const SETTLEMENTS_PER_SCALE_MONTH = 20_000;
const PERSONS_PER_SCALE = 10_000;

interface BackgroundInstitution extends InstitutionRecord {
  cityIndex: number;
  doctorIds: string[];
}

/** Insured persons, held in typed arrays so that scale 50 (half a million people) stays small. */
interface Population {
  insuredCount: number;
  countyIndex: Uint8Array;
  dead: Uint8Array;
  hadStay: Uint8Array;
  hasBankAccount: Uint8Array;
  residentsByCity: Int32Array[];
}

export function personIdOf(index: number): string {
  return `P${String(index + 1).padStart(9, '0')}`;
}

/** Deterministic and unique per person: 6217/6228/6222 + 13 digits. */
function bankAccountOf(index: number): string {
  const prefix = ['6217', '6228', '6222'][index % 3];
  return prefix + String((index * 7919 + 1234567) % 1e13).padStart(13, '0');
}

export function randomName(prng: Prng): string {
  const given = prng.pick(GIVEN_NAME_CHARACTERS) + (prng.chance(0.7) ? prng.pick(GIVEN_NAME_CHARACTERS) : '');
  return prng.pick(SURNAMES) + given;
}

export function randomBirthDate(prng: Prng, fromYear: number, toYear: number): string {
  const year = prng.int(fromYear, toYear);
  const month = prng.int(1, 12);
  const day = prng.int(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DOCTORS_PER_INSTITUTION: Record<string, number> = {
  TERTIARY: 12,
  SECONDARY: 6,
  PRIMARY: 3,
  CLINIC: 2,
  VILLAGE_CLINIC: 1,
  PHARMACY: 0,
};

export class BackgroundGenerator {
  readonly institutions: BackgroundInstitution[] = [];
  private population!: Population;
  private readonly prng: Prng;
  private traceCounter = 0;
  private readonly volumeFactor: number;

  constructor(
    private readonly writer: BatchWriter,
    private readonly catalog: SynthCatalog,
    private readonly idNumbers: IdNumberIssuer,
    private readonly options: { seed: number; scale: number; from: string; to: string },
  ) {
    this.prng = new Prng(options.seed, 'background');
    this.volumeFactor = Math.sqrt(Math.max(options.scale, 0.01));
    this.planInstitutions();
  }

  /** Hospitals (three levels), clinics, village clinics and pharmacies in every county with background. */
  private planInstitutions(): void {
    const prng = new Prng(this.options.seed, 'institutions');
    let cityFactor = 1;
    // More institutions where more people live, so visits per resident are alike across cities.
    const count = (base: number): number => Math.max(1, Math.round(base * this.volumeFactor * cityFactor));
    const sequence = new Map<string, number>();
    const add = (
      countyCode: string,
      prefix: 'H' | 'P',
      name: string,
      kind: InstitutionKind,
      level: InstitutionLevel,
      ownership: 'PUBLIC' | 'PRIVATE',
    ): void => {
      const next = (sequence.get(prefix + countyCode) ?? 0) + 1;
      sequence.set(prefix + countyCode, next);
      const county = COUNTIES[COUNTY_INDEX.get(countyCode)!];
      this.institutions.push({
        code: `${prefix}${countyCode}${String(next).padStart(5, '0')}`,
        name,
        kind,
        level,
        ownership,
        regionCode: countyCode,
        cityIndex: county.cityIndex,
        doctorIds: [],
      });
    };
    const tertiaryNames = ['中心医院', '第一人民医院', '中医医院', '妇幼保健院', '第三人民医院', '第四人民医院'];
    for (const city of CITIES) {
      if (!city.hasBackgroundInstitutions) continue;
      cityFactor = city.residentWeight / 20;
      const tertiary = count(1);
      for (let t = 0; t < tertiary; t++) {
        const suffix = t < tertiaryNames.length ? tertiaryNames[t] : `第${t + 1}医院`;
        add(city.counties[t % city.counties.length][0], 'H', city.name + suffix, 'HOSPITAL', 'TERTIARY', 'PUBLIC');
      }
      for (const [countyCode, countyName] of city.counties) {
        const secondary = count(1);
        for (let k = 0; k < secondary; k++) {
          const name = k === 0 ? '人民医院' : k === 1 ? '中医医院' : `仁爱医院第${k - 1}分院`;
          add(countyCode, 'H', countyName + name, 'HOSPITAL', 'SECONDARY', k < 2 ? 'PUBLIC' : 'PRIVATE');
        }
        const primary = count(2);
        const community = countyName.endsWith('区');
        for (let k = 0; k < primary; k++) {
          const town = TOWN_NAMES[k % TOWN_NAMES.length] + (k >= TOWN_NAMES.length ? String(k) : '');
          add(
            countyCode,
            'H',
            `${countyName}${town}${community ? '社区卫生服务中心' : '镇卫生院'}`,
            'HOSPITAL',
            'PRIMARY',
            'PUBLIC',
          );
        }
        for (let k = 0; k < count(3); k++) {
          const name = k % 2 === 0 ? `${prng.pick(SURNAMES)}氏诊所` : `康宁门诊部第${k}部`;
          add(countyCode, 'H', countyName + name, 'CLINIC', 'NONE', 'PRIVATE');
        }
        for (let k = 0; k < count(4); k++) {
          const village = `${prng.pick(SURNAMES)}家${k % 3 === 0 ? '庄' : k % 3 === 1 ? '湾' : '坪'}`;
          add(
            countyCode,
            'H',
            `${countyName}${village}村卫生室${k}`,
            'VILLAGE_CLINIC',
            'NONE',
            k % 2 ? 'PUBLIC' : 'PRIVATE',
          );
        }
        for (let k = 0; k < count(4); k++) {
          const brand = PHARMACY_BRANDS[k % PHARMACY_BRANDS.length];
          const ownership = k % 10 === 9 ? 'PUBLIC' : 'PRIVATE';
          add(countyCode, 'P', `${brand}大药房(${countyName}第${k + 1}分店)`, 'PHARMACY', 'NONE', ownership);
        }
      }
    }
  }

  writeInstitutions(): void {
    for (const institution of this.institutions) this.writer.writeInstitution(institution);
  }

  /** Insured persons, then the doctors of every institution. */
  async writePersons(): Promise<void> {
    const prng = new Prng(this.options.seed, 'persons');
    const insuredCount = Math.max(1000, Math.round(PERSONS_PER_SCALE * this.options.scale));
    const countyWeights = cumulative(
      COUNTIES.map((county) => county.city.residentWeight / county.city.counties.length),
    );
    const population: Population = {
      insuredCount,
      countyIndex: new Uint8Array(insuredCount),
      dead: new Uint8Array(insuredCount),
      hadStay: new Uint8Array(insuredCount),
      hasBankAccount: new Uint8Array(insuredCount),
      residentsByCity: [],
    };
    const year = Number(this.options.from.slice(0, 4));
    const residents: number[][] = CITIES.map(() => []);
    for (let index = 0; index < insuredCount; index++) {
      const countyIndex = prng.pickWeighted(countyWeights);
      const county = COUNTIES[countyIndex];
      const gender = prng.chance(0.5) ? 'M' : 'F';
      const birthDate = randomBirthDate(prng, year - 90, year - 1);
      let deathDate = '';
      if (prng.chance(0.004)) {
        // Died well before the window and never settles again: keeps DEATH_AFTER for the planted cases.
        deathDate = addDays(this.options.from, -prng.int(40, 700));
        if (deathDate <= birthDate) deathDate = '';
      }
      const hasBankAccount = prng.chance(0.85);
      population.countyIndex[index] = countyIndex;
      population.dead[index] = deathDate ? 1 : 0;
      population.hasBankAccount[index] = hasBankAccount ? 1 : 0;
      if (!deathDate) residents[county.cityIndex].push(index);
      this.writer.writePerson({
        personId: personIdOf(index),
        idNumber: prng.chance(0.003) ? '' : this.idNumbers.issue(county.code, birthDate, gender),
        name: randomName(prng),
        gender,
        birthDate,
        regionCode: county.code,
        deathDate,
        isPublicOfficial: prng.chance(0.03),
        employerCode: '',
        bankAccount: hasBankAccount ? bankAccountOf(index) : '',
      });
      if (index % 4096 === 0) await this.writer.ready();
    }
    population.residentsByCity = residents.map((list) => Int32Array.from(list));
    this.population = population;

    let doctorIndex = insuredCount;
    for (const institution of this.institutions) {
      const key = institution.kind === 'HOSPITAL' ? institution.level : institution.kind;
      for (let d = 0; d < DOCTORS_PER_INSTITUTION[key]; d++) {
        const gender = prng.chance(0.5) ? 'M' : 'F';
        const birthDate = randomBirthDate(prng, year - 62, year - 25);
        const personId = personIdOf(doctorIndex++);
        institution.doctorIds.push(personId);
        this.writer.writePerson({
          personId,
          idNumber: this.idNumbers.issue(institution.regionCode, birthDate, gender),
          name: randomName(prng),
          gender,
          birthDate,
          regionCode: institution.regionCode,
          deathDate: '',
          // Staff of public hospitals are 公职人员.
          isPublicOfficial: institution.ownership === 'PUBLIC',
          employerCode: institution.code,
          bankAccount: bankAccountOf(doctorIndex - 1),
        });
      }
    }
  }

  /** Family, phone and colleague links between persons (for the case graph). */
  writeRelations(): void {
    const prng = new Prng(this.options.seed, 'relations');
    const seen = new Set<string>();
    const { insuredCount, countyIndex } = this.population;
    const byCounty: number[][] = COUNTIES.map(() => []);
    for (let i = 0; i < insuredCount; i++) byCounty[countyIndex[i]].push(i);
    for (let a = 0; a < insuredCount; a++) {
      if (!prng.chance(0.12)) continue;
      const neighbours = byCounty[countyIndex[a]];
      const b = neighbours[prng.int(0, neighbours.length - 1)];
      if (a === b) continue;
      const kind = prng.pick(['RELATIVE', 'SPOUSE', 'SHARED_PHONE', 'RELATIVE'] as const);
      const key = `${a}|${b}|${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      this.writer.writeRelation({ personA: personIdOf(a), personB: personIdOf(b), kind });
    }
    for (const institution of this.institutions) {
      const doctors = institution.doctorIds;
      for (let d = 1; d < doctors.length; d++) {
        this.writer.writeRelation({ personA: doctors[0], personB: doctors[d], kind: 'COLLEAGUE' });
      }
    }
  }

  /** Streams the window's settlements day by day, waiting on the streams as they fill. */
  async writeSettlements(): Promise<void> {
    const days = daysBetween(this.options.from, this.options.to) + 1;
    const total = Math.round((SETTLEMENTS_PER_SCALE_MONTH * this.options.scale * days) / 31);
    const outpatientSites = this.institutions.filter((i) => i.kind !== 'PHARMACY');
    const pharmacies = this.institutions.filter((i) => i.kind === 'PHARMACY');
    const hospitals = this.institutions.filter((i) => i.kind === 'HOSPITAL');
    const outpatientWeights = cumulative(outpatientSites.map((i) => OUTPATIENT_WEIGHT[weightKey(i)]));
    const pharmacyWeights = cumulative(pharmacies.map(() => 1));
    const inpatientWeights = cumulative(hospitals.map((i) => INPATIENT_WEIGHT[i.level]));
    const prng = this.prng;
    for (let day = 0; day < days; day++) {
      const date = addDays(this.options.from, day);
      const ymd = date.replace(/-/g, '');
      const perDay = Math.floor(total / days) + (day < total % days ? 1 : 0);
      for (let k = 0; k < perDay; k++) {
        const settlementId = `S${ymd}${String(k + 1).padStart(7, '0')}`;
        const roll = prng.next();
        let draft: SettlementDraft;
        if (roll < 0.63)
          draft = this.outpatient(settlementId, date, outpatientSites[prng.pickWeighted(outpatientWeights)]);
        else if (roll < 0.93)
          draft = this.pharmacySale(settlementId, date, pharmacies[prng.pickWeighted(pharmacyWeights)]);
        else draft = this.inpatient(settlementId, date, hospitals[prng.pickWeighted(inpatientWeights)]);
        this.writer.writeSettlement(draft);
        if ((k & 255) === 0) await this.writer.ready();
      }
      await this.writer.ready();
    }
  }

  private resident(cityIndex: number): number {
    const prng = this.prng;
    const local = this.population.residentsByCity[cityIndex];
    const list = local.length > 0 && prng.chance(0.85) ? local : this.population.residentsByCity[prng.int(0, 3)];
    return list[prng.int(0, list.length - 1)];
  }

  private timestamp(date: string, fromSecond: number, toSecond: number): string {
    const roll = this.prng.next();
    const style: TimestampStyle = roll < 0.9 ? 'OFFSET' : roll < 0.97 ? 'LOCAL' : 'UTC';
    return formatShanghaiTimestamp(date, this.prng.int(fromSecond, toSecond), style);
  }

  private nextTraceCode(): string {
    this.traceCounter++;
    return `81${String(this.traceCounter).padStart(18, '0')}`;
  }

  private outpatient(settlementId: string, date: string, institution: BackgroundInstitution): SettlementDraft {
    const prng = this.prng;
    const personIndex = this.resident(institution.cityIndex);
    const pool = OUTPATIENT_POOLS[weightKey(institution)];
    const lines: LineDraft[] = [];
    const charged = new Set<string>();
    const add = (itemCode: string, quantityMilli: number, traceCode?: string): void => {
      charged.add(itemCode);
      lines.push({
        itemCode,
        quantityMilli,
        unitPriceFen: this.honestPrice(itemCode, institution.regionCode),
        chargedOn: date,
        traceCode,
      });
    };
    if (prng.chance(0.7)) add(ITEM.consultation, 1000);
    const lineCount = prng.pickWeighted(OUTPATIENT_LINE_COUNT_WEIGHTS) + 1;
    for (let attempt = 0; lines.length < lineCount && attempt < 12; attempt++) {
      const kindPool = pool.kinds[prng.pickWeighted(pool.kindWeights)];
      const itemCode = prng.pick(kindPool.items);
      if (charged.has(itemCode) || this.catalog.conflictsWith(itemCode, charged)) continue;
      if (kindPool.kind === 'DRUG') {
        // A drug under a monthly limit is prescribed one box at a time, so only many visits could exceed it.
        const boxes = this.catalog.item(itemCode).maxMonthlyQuantity === null ? prng.int(1, 3) : 1;
        add(itemCode, boxes * 1000, boxes === 1 && prng.chance(0.5) ? this.nextTraceCode() : undefined);
      } else add(itemCode, 1000);
    }
    const fundPercent =
      institution.kind === 'HOSPITAL'
        ? prng.int(50, 70)
        : institution.kind === 'CLINIC'
          ? prng.int(40, 60)
          : prng.int(60, 80);
    const manualReimbursement = this.population.hasBankAccount[personIndex] === 1 && prng.chance(0.01);
    return {
      settlementId,
      personId: personIdOf(personIndex),
      institutionCode: institution.code,
      visitType: 'OUTPATIENT',
      settledAt: this.timestamp(date, 8 * 3600, 17 * 3600 + 1800),
      diagnosisCode: prng.pick(OUTPATIENT_DIAGNOSES),
      // 零星报销 is paid to the insured person's own account.
      payeeAccount: manualReimbursement ? bankAccountOf(personIndex) : undefined,
      doctorId: prng.pick(institution.doctorIds),
      lines,
      fundPercent,
    };
  }

  private pharmacySale(settlementId: string, date: string, pharmacy: BackgroundInstitution): SettlementDraft {
    const prng = this.prng;
    const personIndex = this.resident(pharmacy.cityIndex);
    const lines: LineDraft[] = [];
    const drugCount = prng.int(1, 3);
    const chosen = new Set<string>();
    for (let attempt = 0; chosen.size < drugCount && attempt < 8; attempt++) {
      const itemCode = prng.pick(PHARMACY_DRUGS);
      if (chosen.has(itemCode)) continue;
      chosen.add(itemCode);
      // One line per package, each with its own 追溯码; a second box only of drugs without a monthly limit.
      const boxes = this.catalog.item(itemCode).maxMonthlyQuantity === null && prng.chance(0.2) ? 2 : 1;
      for (let b = 0; b < boxes; b++) {
        lines.push({
          itemCode,
          quantityMilli: 1000,
          unitPriceFen: this.honestPrice(itemCode, pharmacy.regionCode),
          chargedOn: date,
          traceCode: this.nextTraceCode(),
        });
      }
    }
    return {
      settlementId,
      personId: personIdOf(personIndex),
      institutionCode: pharmacy.code,
      visitType: 'PHARMACY',
      settledAt: this.timestamp(date, 8 * 3600, 21 * 3600 + 1800),
      diagnosisCode: prng.chance(0.3) ? prng.pick(['I10.x', 'E11.9', 'J06.9']) : undefined,
      lines,
      // Paid from the personal account (个人账户) only, or partly by the fund for 门诊慢特病.
      fundPercent: prng.chance(0.4) ? 0 : prng.int(50, 70),
    };
  }

  /** A stay with daily bed-days, nursing and drugs on most days, labs and imaging early on. */
  private inpatient(settlementId: string, dischargeDate: string, hospital: BackgroundInstitution): SettlementDraft {
    const prng = this.prng;
    const personIndex = this.inpatientPerson(hospital.cityIndex);
    const los = LENGTHS_OF_STAY[prng.pickWeighted(LENGTH_OF_STAY_WEIGHTS)];
    const admitDate = addDays(dischargeDate, -los);
    const diagnosis = prng.pick(INPATIENT_DIAGNOSES);
    const region = hospital.regionCode;
    const bed = hospital.level === 'TERTIARY' && prng.chance(0.5) ? '110900002' : ITEM.bedWard;
    const lines: LineDraft[] = [];
    const examCounts = new Map<string, number>();
    // Some days without treatment are normal; never so many that the stay looks like 挂床.
    let skippableDays = Math.floor(los * 0.3);
    for (let day = 0; day < los; day++) {
      const date = addDays(admitDate, day);
      const charged = new Set<string>();
      const add = (itemCode: string, quantityMilli: number): void => {
        charged.add(itemCode);
        lines.push({ itemCode, quantityMilli, unitPriceFen: this.honestPrice(itemCode, region), chargedOn: date });
      };
      add(bed, 1000);
      if (day > 0 && skippableDays > 0 && prng.chance(0.15)) {
        skippableDays--;
        continue;
      }
      add(ITEM.nursing, 1000);
      add(prng.pick(INPATIENT_DRUGS), prng.int(1, 3) * 1000);
      if (prng.chance(0.4)) {
        add(ITEM.infusion, prng.int(1, 2) * 1000);
        add(ITEM.salineInjection, prng.int(1, 2) * 1000);
      }
      if (prng.chance(0.15)) add('C14020100', 1000);
      const labCount = day === 0 ? prng.int(2, 3) : prng.chance(0.2) ? 1 : 0;
      for (let l = 0; l < labCount; l++) {
        const lab = prng.pick(INPATIENT_LABS);
        if (!charged.has(lab) && !this.catalog.conflictsWith(lab, charged)) add(lab, 1000);
      }
      const examCount = day === 0 ? prng.int(0, 2) : prng.chance(0.05) ? 1 : 0;
      for (let e = 0; e < examCount; e++) {
        const exam = prng.pick(hospital.level === 'TERTIARY' ? TERTIARY_EXAMS : INPATIENT_EXAMS);
        const done = examCounts.get(exam) ?? 0;
        // At most twice per stay: the second time is a legitimate re-check, a third would be 重复检查.
        if (done >= 2 || charged.has(exam)) continue;
        examCounts.set(exam, done + 1);
        add(exam, 1000);
      }
    }
    if (prng.chance(0.5)) {
      // 出院带药, charged on the discharge day itself.
      const itemCode = prng.pick(DISCHARGE_DRUGS);
      lines.push({
        itemCode,
        quantityMilli: prng.int(1, 2) * 1000,
        unitPriceFen: this.honestPrice(itemCode, region),
        chargedOn: dischargeDate,
      });
    }
    return {
      settlementId,
      personId: personIdOf(personIndex),
      institutionCode: hospital.code,
      visitType: 'INPATIENT',
      admitDate,
      dischargeDate,
      settledAt: this.timestamp(dischargeDate, 9 * 3600, 16 * 3600),
      diagnosisCode: diagnosis.code,
      dipGroup: prng.chance(0.7) ? diagnosis.dipGroup : undefined,
      doctorId: prng.pick(hospital.doctorIds),
      lines,
      fundPercent: prng.int(60, 85),
    };
  }

  /** A living person who has had no stay yet: one stay per person keeps 分解住院 and 同期住院 out. */
  private inpatientPerson(cityIndex: number): number {
    const { dead, hadStay, insuredCount } = this.population;
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = this.resident(cityIndex);
      if (!hadStay[candidate]) {
        hadStay[candidate] = 1;
        return candidate;
      }
    }
    for (let candidate = 0; candidate < insuredCount; candidate++) {
      if (!hadStay[candidate] && !dead[candidate]) {
        hadStay[candidate] = 1;
        return candidate;
      }
    }
    throw new Error('more inpatient stays than persons: raise PERSONS_PER_SCALE');
  }

  /** At the cap in force or a little under it, never over. */
  private honestPrice(itemCode: string, regionCode: string): number {
    const price = this.catalog.priceFen(itemCode, regionCode);
    const roll = this.prng.next();
    return roll < 0.6 ? price : Math.floor((price * (roll < 0.8 ? 95 : 90)) / 100);
  }

  /** 药品进货 covering every pharmacy's sales with some stock left, dated around the window start. */
  writeCoveringPurchases(excludedPharmacies: ReadonlySet<string>): void {
    const prng = new Prng(this.options.seed, 'purchases');
    let purchaseNumber = 0;
    for (const [key, soldMilli] of this.writer.pharmacySales) {
      const [institutionCode, itemCode] = key.split('|');
      if (excludedPharmacies.has(institutionCode)) continue;
      const totalMilli = soldMilli + prng.int(0, 10) * 1000;
      const firstMilli = prng.chance(0.5) ? Math.floor(totalMilli / 2000) * 1000 : totalMilli;
      const parts = firstMilli > 0 && firstMilli < totalMilli ? [firstMilli, totalMilli - firstMilli] : [totalMilli];
      for (const quantityMilli of parts) {
        this.writer.writePurchase({
          purchaseId: `PO${String(++purchaseNumber).padStart(9, '0')}`,
          institutionCode,
          itemCode,
          quantityMilli,
          purchasedOn: addDays(this.options.from, prng.int(-10, 5)),
        });
      }
    }
  }
}

type WeightKey = 'TERTIARY' | 'SECONDARY' | 'PRIMARY' | 'CLINIC' | 'VILLAGE_CLINIC' | 'PHARMACY';

function weightKey(institution: InstitutionRecord): WeightKey {
  return institution.kind === 'HOSPITAL' ? (institution.level as WeightKey) : institution.kind;
}

const OUTPATIENT_WEIGHT: Record<WeightKey, number> = {
  TERTIARY: 10,
  SECONDARY: 5,
  PRIMARY: 2,
  CLINIC: 1.5,
  VILLAGE_CLINIC: 0.7,
  PHARMACY: 0,
};
const INPATIENT_WEIGHT: Record<string, number> = { TERTIARY: 8, SECONDARY: 4, PRIMARY: 1 };
const OUTPATIENT_LINE_COUNT_WEIGHTS = cumulative([3, 4, 4, 3, 2, 1]);
const LENGTHS_OF_STAY = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const LENGTH_OF_STAY_WEIGHTS = cumulative([3, 5, 7, 8, 8, 8, 7, 6, 5, 4, 3, 2, 2, 2]);

const codesOf = (kind: ItemKind, usedIn: 'OUTPATIENT' | 'PHARMACY' | 'INPATIENT'): string[] =>
  CATALOG_ITEMS.filter((i) => i.kind === kind && i.usedIn.includes(usedIn)).map((i) => i.code);

const PHARMACY_DRUGS = codesOf('DRUG', 'PHARMACY');
// Drugs with a monthly limit are never given daily in a stay (that would be 超量开药 by construction).
const INPATIENT_DRUGS = codesOf('DRUG', 'INPATIENT').filter(
  (code) => CATALOG_ITEMS.find((i) => i.code === code)!.maxMonthlyQuantity === null,
);
const DISCHARGE_DRUGS = INPATIENT_DRUGS.filter((code) => code !== ITEM.salineInjection);
const INPATIENT_LABS = codesOf('LAB', 'INPATIENT');
const INPATIENT_EXAMS = ['210102015', ITEM.ultrasound, ITEM.ctPlain];
const TERTIARY_EXAMS = codesOf('EXAM', 'INPATIENT');

interface OutpatientPool {
  kinds: { kind: ItemKind; items: string[] }[];
  kindWeights: number[];
}

function pool(entries: [ItemKind, number, string[]][]): OutpatientPool {
  return {
    kinds: entries.map(([kind, , items]) => ({ kind, items })),
    kindWeights: cumulative(entries.map(([, weight]) => weight)),
  };
}

const OUTPATIENT_DRUGS = codesOf('DRUG', 'OUTPATIENT');
const HOSPITAL_POOL = pool([
  ['DRUG', 5, OUTPATIENT_DRUGS],
  ['LAB', 2, codesOf('LAB', 'OUTPATIENT')],
  ['EXAM', 1, codesOf('EXAM', 'OUTPATIENT')],
  ['TREATMENT', 1.5, [ITEM.infusion, '120500001', ITEM.outpatientTreatment, ITEM.acupuncture]],
]);
const OUTPATIENT_POOLS: Record<WeightKey, OutpatientPool> = {
  TERTIARY: HOSPITAL_POOL,
  SECONDARY: HOSPITAL_POOL,
  PRIMARY: HOSPITAL_POOL,
  CLINIC: pool([
    ['DRUG', 5, OUTPATIENT_DRUGS],
    ['LAB', 1, [ITEM.bloodCount, '250102001', ITEM.glucose]],
    ['TREATMENT', 2, [ITEM.acupuncture, ITEM.massage, ITEM.infusion, '120400001', '120500001']],
  ]),
  VILLAGE_CLINIC: pool([
    ['DRUG', 6, OUTPATIENT_DRUGS],
    ['TREATMENT', 1.5, ['120400001', ITEM.infusion]],
  ]),
  PHARMACY: pool([['DRUG', 1, OUTPATIENT_DRUGS]]),
};
