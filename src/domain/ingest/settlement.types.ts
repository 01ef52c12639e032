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
@ObjectType('SettlementItem', { description: '费用明细 (settlement item)：结算单的一行收费。' })
export class SettlementItemType {
  @Field(() => Int, { description: '行号 (line no)，结算单内唯一。' })
  lineNo: number;

  @Field({ description: '项目编码 (item code)：医保目录编码。' })
  itemCode: string;

  @Field(() => ItemKindEnum, { description: '项目类别 (item kind)。' })
  itemKind: ItemKind;

  @Field({ description: '项目名称。' })
  itemName: string;

  @Field(() => Float, { description: '数量 (quantity)，大于 0。' })
  quantity: number;

  @Field(() => MoneyScalar, { description: '单价 (unit price)，元。' })
  unitPrice: string;

  @Field(() => MoneyScalar, { description: '金额 (amount)，元：数量 × 单价。' })
  amount: string;

  @Field(() => DateScalar, { description: '收费日期 (charged on)。' })
  chargedOn: string;

  @Field(() => String, { nullable: true, description: '药品追溯码 (trace code)；无则为 null。' })
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
@ObjectType('Settlement', { description: '结算单 (settlement)：疑点的证据。结算单: the evidence behind a hit.' })
export class SettlementType {
  @Field({ description: '结算单号 (settlement id)。' })
  settlementId: string;

  @Field(() => VisitTypeEnum, { description: '就医方式 (visit type)。' })
  visitType: VisitType;

  @Field(() => DateScalar, { nullable: true, description: '入院日期 (admit date)；仅住院。' })
  admitDate: string | null;

  @Field(() => DateScalar, { nullable: true, description: '出院日期 (discharge date)；仅住院。' })
  dischargeDate: string | null;

  @Field({ description: '结算时间 (settled at)。' })
  settledAt: Date;

  @Field(() => String, { nullable: true, description: '诊断编码 (ICD-10)，如 J18.9；药店购药可为 null。' })
  diagnosisCode: string | null;

  @Field(() => MoneyScalar, { description: '总金额 (total amount)，元：= 统筹基金支付 + 个人支付。' })
  totalAmount: string;

  @Field(() => MoneyScalar, { description: '统筹基金支付 (fund amount)，元。' })
  fundAmount: string;

  @Field(() => MoneyScalar, { description: '个人支付 (self amount)，元。' })
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
