import { join } from 'node:path';
import { BATCH_COLUMNS, BATCH_FILE_NAMES, BatchFileName } from './batch';
import { SynthCatalog } from './catalog';
import { CsvFileWriter, csvField } from './csv';
import { formatFen, formatMilli } from './decimal';
import { idCheckChar } from '../domain/reference/id-number';
import { InstitutionKind, InstitutionLevel, VisitType } from './reference-data';
import { Prng } from './prng';

/** 定点医药机构 */
export interface InstitutionRecord {
  code: string;
  name: string;
  kind: InstitutionKind;
  level: InstitutionLevel;
  ownership: 'PUBLIC' | 'PRIVATE';
  regionCode: string;
}

/** 自然人: insured person, doctor or official. */
export interface PersonRecord {
  personId: string;
  idNumber: string;
  name: string;
  gender: 'M' | 'F';
  birthDate: string;
  regionCode: string;
  deathDate: string;
  isPublicOfficial: boolean;
  employerCode: string;
  bankAccount: string;
}

export interface RelationRecord {
  personA: string;
  personB: string;
  kind: 'RELATIVE' | 'SPOUSE' | 'SHARED_PHONE' | 'COLLEAGUE';
}

/** One 费用明细 line before its amount is computed; quantity in thousandths. */
export interface LineDraft {
  itemCode: string;
  quantityMilli: number;
  unitPriceFen: number;
  chargedOn: string;
  traceCode?: string;
}

/** One 结算单 before its totals are computed. */
export interface SettlementDraft {
  settlementId: string;
  personId: string;
  institutionCode: string;
  visitType: VisitType;
  admitDate?: string;
  dischargeDate?: string;
  settledAt: string;
  diagnosisCode?: string;
  dipGroup?: string;
  payeeAccount?: string;
  doctorId?: string;
  lines: LineDraft[];
  /** Fund share when fundFen is not given, in whole percent, rounded down to the fen. */
  fundPercent?: number;
  fundFen?: number;
  /** Only for a settlement whose total is not the sum of its lines (e.g. one without lines). */
  totalFen?: number;
}

/** 药品进货 */
export interface PurchaseRecord {
  purchaseId: string;
  institutionCode: string;
  itemCode: string;
  quantityMilli: number;
  purchasedOn: string;
}

/** quantity × unit price, exact up to the half-up rounding of the fen (quantities in thousandths). */
export function lineAmountFen(quantityMilli: number, unitPriceFen: number): number {
  return Math.floor((2 * quantityMilli * unitPriceFen + 1000) / 2000);
}

/** Σ line amounts and the fund share of a draft, as the writer will write them. */
export function settlementTotals(draft: SettlementDraft): { totalFen: number; fundFen: number } {
  let linesFen = 0;
  for (const line of draft.lines) linesFen += lineAmountFen(line.quantityMilli, line.unitPriceFen);
  const totalFen = draft.totalFen ?? linesFen;
  const fundFen = draft.fundFen ?? Math.floor((totalFen * (draft.fundPercent ?? 0)) / 100);
  if (fundFen < 0 || fundFen > totalFen) throw new Error(`${draft.settlementId}: fund outside [0, total]`);
  return { totalFen, fundFen };
}

/** Issues unique GB 11643 ID numbers; the check character comes from the domain helper. */
export class IdNumberIssuer {
  private readonly issued = new Set<string>();

  constructor(private readonly prng: Prng) {}

  issue(regionCode: string, birthDate: string, gender: 'M' | 'F'): string {
    const birth = birthDate.replace(/-/g, '');
    let sequence = this.prng.int(0, 499) * 2 + (gender === 'M' ? 1 : 0);
    for (;;) {
      const first17 = `${regionCode}${birth}${String(sequence).padStart(3, '0')}`;
      const idNumber = first17 + idCheckChar(first17);
      if (!this.issued.has(idNumber)) {
        this.issued.add(idNumber);
        return idNumber;
      }
      sequence = (sequence + 2) % 1000;
    }
  }
}

/**
 * Writes the eight files of a batch. Settlements go through here from both the background
 * and the planted cases, so amounts and totals are computed one way, and the pharmacies'
 * sales are tallied for the 药品进货 rows that must cover them.
 */
export class BatchWriter {
  private readonly files: Record<BatchFileName, CsvFileWriter>;
  private readonly institutionKinds = new Map<string, InstitutionKind>();
  /** Units sold per "pharmacy|item", in thousandths, in first-sale order. */
  readonly pharmacySales = new Map<string, number>();

  constructor(
    outDir: string,
    private readonly catalog: SynthCatalog,
  ) {
    const files = {} as Record<BatchFileName, CsvFileWriter>;
    for (const name of BATCH_FILE_NAMES) files[name] = new CsvFileWriter(join(outDir, name), BATCH_COLUMNS[name]);
    this.files = files;
  }

  writeRegion(code: string, name: string, level: 'PROVINCE' | 'CITY' | 'COUNTY', parentCode: string): void {
    this.files['regions.csv'].writeRow([code, csvField(name), level, parentCode]);
  }

  writeInstitution(institution: InstitutionRecord): void {
    this.institutionKinds.set(institution.code, institution.kind);
    this.files['institutions.csv'].writeRow([
      institution.code,
      csvField(institution.name),
      institution.kind,
      institution.level,
      institution.ownership,
      institution.regionCode,
    ]);
  }

  writePerson(person: PersonRecord): void {
    this.files['persons.csv'].writeRow([
      person.personId,
      person.idNumber,
      csvField(person.name),
      person.gender,
      person.birthDate,
      person.regionCode,
      person.deathDate,
      person.isPublicOfficial ? 'true' : 'false',
      person.employerCode,
      person.bankAccount,
    ]);
  }

  writeRelation(relation: RelationRecord): void {
    this.files['relations.csv'].writeRow([relation.personA, relation.personB, relation.kind]);
  }

  writeCatalog(): void {
    for (const row of this.catalog.rows()) this.files['price_catalog.csv'].writeRow(row);
  }

  /** A rules.csv row (RULES.md), its fields as they are written. */
  writeRule(rule: Record<(typeof BATCH_COLUMNS)['rules.csv'][number], string>): void {
    this.files['rules.csv'].writeRow(BATCH_COLUMNS['rules.csv'].map((column) => csvField(rule[column])));
  }

  writePurchase(purchase: PurchaseRecord): void {
    this.files['drug_purchases.csv'].writeRow([
      purchase.purchaseId,
      purchase.institutionCode,
      purchase.itemCode,
      formatMilli(purchase.quantityMilli),
      purchase.purchasedOn,
    ]);
  }

  writeSettlement(draft: SettlementDraft): void {
    const { totalFen, fundFen } = settlementTotals(draft);
    const isPharmacy = this.institutionKinds.get(draft.institutionCode) === 'PHARMACY';
    this.files['settlements.csv'].writeRow([
      draft.settlementId,
      draft.personId,
      draft.institutionCode,
      draft.visitType,
      draft.admitDate ?? '',
      draft.dischargeDate ?? '',
      draft.settledAt,
      draft.diagnosisCode ?? '',
      draft.dipGroup ?? '',
      formatFen(totalFen),
      formatFen(fundFen),
      formatFen(totalFen - fundFen),
      draft.payeeAccount ?? '',
      draft.doctorId ?? '',
    ]);
    const items = this.files['settlement_items.csv'];
    for (let i = 0; i < draft.lines.length; i++) {
      const line = draft.lines[i];
      const item = this.catalog.item(line.itemCode);
      items.writeRow([
        draft.settlementId,
        String(i + 1),
        line.itemCode,
        item.kind,
        this.catalog.csvNames.get(line.itemCode)!,
        formatMilli(line.quantityMilli),
        formatFen(line.unitPriceFen),
        formatFen(lineAmountFen(line.quantityMilli, line.unitPriceFen)),
        line.chargedOn,
        line.traceCode ?? '',
      ]);
      if (isPharmacy && item.kind === 'DRUG') {
        const key = `${draft.institutionCode}|${line.itemCode}`;
        this.pharmacySales.set(key, (this.pharmacySales.get(key) ?? 0) + line.quantityMilli);
      }
    }
  }

  /** Waits while any file's stream is over its high-water mark. */
  async ready(): Promise<void> {
    for (const name of BATCH_FILE_NAMES) await this.files[name].ready();
  }

  /** Closes every file and returns the data rows written per file. */
  async close(): Promise<Record<BatchFileName, number>> {
    const counts = {} as Record<BatchFileName, number>;
    for (const name of BATCH_FILE_NAMES) {
      await this.files[name].close();
      counts[name] = this.files[name].rows;
    }
    return counts;
  }
}
