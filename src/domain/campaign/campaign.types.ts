import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { dateText } from '../../core/dates';
import { toGlobalId } from '../../core/ids';
import { InstitutionKindEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { CreateProblemInput } from '../problem/problem.types';
import { campaignMachine, CampaignPhase } from './campaign.machine';
import { CampaignRow, SelfCheckReportRow } from './campaign.repository';
import { CampaignFigures } from './campaign.service';

export const CampaignPhaseEnum = Object.fromEntries(Object.keys(campaignMachine.states).map((k) => [k, k])) as Record<
  CampaignPhase,
  CampaignPhase
>;
registerEnumType(CampaignPhaseEnum, {
  name: 'CampaignPhase',
  description: '专项行动阶段 (campaign phase)：筹备 → 自查自纠 → 集中检查 → 整改巩固 → 已结束。',
  valuesConfig: Object.fromEntries(
    Object.entries(campaignMachine.states).map(([k, label]) => [k, { description: label }]),
  ),
});

@ObjectType('CampaignFigures', {
  description:
    '专项行动成效数字 (campaign figures)。A campaign’s figures (docs/OUTCOMES.md "Campaigns and self-checks").',
})
export class CampaignFiguresType {
  @Field(() => Int, { description: '目标机构数。Target institutions.' })
  targets: number;

  @Field(() => Int, {
    description: '覆盖对象: target institutions with a self-check report or an inspection of the campaign.',
  })
  targetsCovered: number;

  @Field(() => Int, { description: '检查数（任何方式、任何状态）。Inspections of the campaign (any kind, any state).' })
  inspections: number;

  @Field(() => Int, { description: 'Documents issued for the campaign (文书 and 通报).' })
  documents: number;

  @Field(() => Int, {
    description: '疑点数：由其碰撞批次首次或最近发现的。Hits first or last detected by the campaign’s runs.',
  })
  hits: number;

  @Field(() => Float, { nullable: true, description: '清零率: hits verified / hits; null without hits.' })
  clearedRate: number | null;

  @Field(() => Int, { description: '发现问题数。Problems of the campaign.' })
  problemsFound: number;

  @Field(() => Int, { description: 'Problems of the campaign closed (销号).' })
  problemsClosed: number;

  @Field(() => MoneyScalar, { description: '主动退回: Σ of the self-check reports.' })
  voluntaryRefund: string;

  @Field(() => MoneyScalar, { description: '退还群众: Σ of the self-check reports.' })
  patientRefund: string;

  @Field(() => MoneyScalar, {
    description:
      '追回金额，元：由其线索立案的案件的追回医保基金处罚 + 其办结线索的追回金额。FUND_RECOVERY sanctions of cases filed from the campaign’s clues + recovered amounts of its closed clues.',
  })
  amountRecovered: string;

  static from(f: CampaignFigures): CampaignFiguresType {
    return Object.assign(new CampaignFiguresType(), f);
  }
}

@ObjectType('Campaign', {
  implements: Node,
  description: '专项行动 (campaign)：牵头单位在一个区划内对目标机构开展的自查自纠、集中检查和整改巩固。',
})
export class CampaignType extends Node {
  readonly __typename = 'Campaign';

  row: CampaignRow;

  @Field({ description: '专项行动编号 (campaign code)：ZX<year>-NNNN.' })
  code: string;

  @Field({ description: '专项行动名称。' })
  name: string;

  @Field({
    description: '覆盖的行政区划（目标机构均在其内）。The region the campaign covers (its targets lie inside it).',
  })
  regionCode: string;

  @Field(() => DateScalar, { description: '检查的结算期起（含）。First day of the claims period checked.' })
  scopeFrom: string;

  @Field(() => DateScalar, { description: '检查的结算期止（含）。Last day of the claims period checked.' })
  scopeTo: string;

  @Field(() => CampaignPhaseEnum, { description: '当前阶段。' })
  phase: CampaignPhase;

  @Field(() => Int, { description: '目标机构数（部署时确定）。Target institutions (materialised at creation).' })
  targetCount: number;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  @Field({ description: '部署时间。' })
  createdAt: Date;

  static from(row: CampaignRow): CampaignType {
    return Object.assign(new CampaignType(), {
      id: toGlobalId('Campaign', row.id),
      row,
      code: row.code,
      name: row.name,
      regionCode: row.region_code,
      scopeFrom: dateText(row.scope_from),
      scopeTo: dateText(row.scope_to),
      phase: row.status,
      targetCount: row.target_count,
      version: row.version,
      createdAt: row.created_at,
    });
  }
}

@ObjectType('CampaignConnection', { description: '专项行动分页列表 (Campaign connection)。' })
export class CampaignConnection extends ConnectionType(CampaignType, 'Campaign') {}

@InputType('CampaignFilter', { description: '专项行动筛选 (campaign filter)：各条件同时满足。' })
export class CampaignFilter {
  @Field(() => [CampaignPhaseEnum], { nullable: true, description: '阶段之一。' })
  phase?: CampaignPhase[] | null;

  @Field(() => String, {
    nullable: true,
    description: '区划在此区划内的专项行动。Campaigns whose region lies inside this one.',
  })
  regionCode?: string | null;
}

@InputType('CreateCampaignInput', {
  description: '部署专项行动 (create campaign) 的输入：targetKinds 与 targetInstitutionCodes 至少给一个。',
})
export class CreateCampaignInput {
  @Field({ description: '名称，不能为空。' })
  name: string;

  @Field({ description: '覆盖的行政区划，须在调用者辖区内。Inside my jurisdiction.' })
  regionCode: string;

  @Field(() => DateScalar, { description: '检查的结算期起（含）。' })
  scopeFrom: string;

  @Field(() => DateScalar, { description: '检查的结算期止（含），不早于 scopeFrom。' })
  scopeTo: string;

  @Field(() => [ID], {
    description:
      '参与单位的全局编号，任意类型；本单位牵头且总是参与。Departments of any kind; mine leads and is always a participant.',
  })
  participantDepartmentIds: string[];

  @Field(() => [InstitutionKindEnum], {
    nullable: true,
    description: '目标机构类型：区划内这些类型的全部机构。Every institution of these kinds in the region.',
  })
  targetKinds?: string[] | null;

  @Field(() => [String], { nullable: true, description: '目标机构编码，须在区划内。Institutions inside the region.' })
  targetInstitutionCodes?: string[] | null;
}

@ObjectType('SelfCheckReport', {
  implements: Node,
  description:
    '自查自纠报告 (self-check report)：一个目标机构在专项行动中的自查结果。自查自纠 report of one institution in a campaign.',
})
export class SelfCheckReportType extends Node {
  readonly __typename = 'SelfCheckReport';

  row: SelfCheckReportRow;

  @Field({ description: '自查发现。What the institution found itself.' })
  findings: string;

  @Field(() => MoneyScalar, { description: '主动退回 (voluntary refund)，元.' })
  voluntaryRefund: string;

  @Field(() => MoneyScalar, { description: '退还群众 (patient refund)，元.' })
  patientRefund: string;

  @Field({ description: '登记时间。' })
  recordedAt: Date;

  static from(row: SelfCheckReportRow): SelfCheckReportType {
    return Object.assign(new SelfCheckReportType(), {
      id: toGlobalId('SelfCheckReport', row.id),
      row,
      findings: row.findings,
      voluntaryRefund: row.voluntary_refund,
      patientRefund: row.patient_refund,
      recordedAt: row.recorded_at,
    });
  }
}

@ObjectType('SelfCheckReportConnection', { description: '自查自纠报告分页列表 (SelfCheckReport connection)。' })
export class SelfCheckReportConnection extends ConnectionType(SelfCheckReportType, 'SelfCheckReport') {}

@InputType('SelfCheckReportFilter', {
  description: '自查自纠报告的筛选条件 (filters of selfCheckReports); all optional, combined with AND.',
})
export class SelfCheckReportFilter {
  @Field(() => ID, { nullable: true, description: '专项行动 (campaign): reports of this campaign.' })
  campaignId?: string | null;

  @Field(() => String, { nullable: true, description: '机构编码 (institution code): reports of this institution.' })
  institutionCode?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: '登记部门 (recording department): reports recorded by this department.',
  })
  departmentId?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: '登记日期起 (recorded from), a date in Asia/Shanghai, inclusive.',
  })
  recordedFrom?: string | null;

  @Field(() => DateScalar, {
    nullable: true,
    description: '登记日期止 (recorded to), a date in Asia/Shanghai, inclusive.',
  })
  recordedTo?: string | null;
}

@InputType('RecordSelfCheckInput', { description: '登记自查自纠报告 (record self-check) 的输入。' })
export class RecordSelfCheckInput {
  @Field(() => ID, { description: '专项行动的全局编号。' })
  campaignId: string;

  @Field({ description: '专项行动的目标机构编码。A target institution of the campaign.' })
  institutionCode: string;

  @Field({ description: '自查发现，不能为空。' })
  findings: string;

  @Field(() => MoneyScalar, { description: '主动退回，元，不可为负.' })
  voluntaryRefund: string;

  @Field(() => MoneyScalar, { description: '退还群众，元，不可为负.' })
  patientRefund: string;

  @Field(() => [CreateProblemInput], {
    nullable: true,
    description:
      '自查发现的问题：来源 SELF_CHECK，对象为该机构，由本单位督办。Problems found: source SELF_CHECK, about the institution, supervised by my department.',
  })
  problems?: CreateProblemInput[] | null;
}
