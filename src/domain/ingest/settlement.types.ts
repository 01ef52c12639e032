import { Field, Float, Int, ObjectType } from 'type-graphql';
import { ItemKindEnum, VisitTypeEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';

export type VisitType = 'OUTPATIENT' | 'INPATIENT' | 'PHARMACY';
export type ItemKind = 'DRUG' | 'EXAM' | 'LAB' | 'TREATMENT' | 'MATERIAL' | 'BED' | 'OTHER';

/** A settlement row as read for the API: dates, money and quantities as exact text. */
export interface SettlementRow {
  settlement_id: string;
  settled_on: string;
  person_id: string;
  institution_code: string;
  region_code: string;
  visit_type: VisitType;
  admit_date: string | null;
  discharge_date: string | null;
  settled_at: Date;
  diagnosis_code: string | null;
  total_amount: string;
  fund_amount: string;
  self_amount: string;
}

export interface SettlementItemRow {
  settlement_id: string;
  line_no: number;
  item_code: string;
  item_kind: ItemKind;
  item_name: string;
  quantity: string;
  unit_price: string;
  amount: string;
  charged_on: string;
  trace_code: string | null;
}

/** 费用明细 */
@ObjectType('SettlementItem')
export class SettlementItemType {
  @Field(() => Int)
  lineNo: number;

  @Field()
  itemCode: string;

  @Field(() => ItemKindEnum)
  itemKind: ItemKind;

  @Field()
  itemName: string;

  @Field(() => Float)
  quantity: number;

  @Field(() => MoneyScalar)
  unitPrice: string;

  @Field(() => MoneyScalar)
  amount: string;

  @Field(() => DateScalar)
  chargedOn: string;

  @Field(() => String, { nullable: true })
  traceCode: string | null;

  static fromRow(row: SettlementItemRow): SettlementItemType {
    return Object.assign(new SettlementItemType(), {
      lineNo: row.line_no,
      itemCode: row.item_code,
      itemKind: row.item_kind,
      itemName: row.item_name,
      quantity: Number(row.quantity),
      unitPrice: row.unit_price,
      amount: row.amount,
      chargedOn: row.charged_on,
      traceCode: row.trace_code,
    });
  }
}

/** 结算单: the evidence behind a hit. */
@ObjectType('Settlement', { description: '结算单: the evidence behind a hit.' })
export class SettlementType {
  @Field()
  settlementId: string;

  @Field(() => VisitTypeEnum)
  visitType: VisitType;

  @Field(() => DateScalar, { nullable: true })
  admitDate: string | null;

  @Field(() => DateScalar, { nullable: true })
  dischargeDate: string | null;

  @Field()
  settledAt: Date;

  @Field(() => String, { nullable: true })
  diagnosisCode: string | null;

  @Field(() => MoneyScalar)
  totalAmount: string;

  @Field(() => MoneyScalar)
  fundAmount: string;

  @Field(() => MoneyScalar)
  selfAmount: string;

  personId: string;
  institutionCode: string;
  /** The institution's region: what visibility is decided on. */
  regionCode: string;
  settledOn: string;

  static fromRow(row: SettlementRow): SettlementType {
    return Object.assign(new SettlementType(), {
      settlementId: row.settlement_id,
      visitType: row.visit_type,
      admitDate: row.admit_date,
      dischargeDate: row.discharge_date,
      settledAt: row.settled_at,
      diagnosisCode: row.diagnosis_code,
      totalAmount: row.total_amount,
      fundAmount: row.fund_amount,
      selfAmount: row.self_amount,
      personId: row.person_id,
      institutionCode: row.institution_code,
      regionCode: row.region_code,
      settledOn: row.settled_on,
    });
  }
}
