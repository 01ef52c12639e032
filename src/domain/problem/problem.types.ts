import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { measureMachine, MeasureStatus } from './measure.machine';
import { PROBLEM_SOURCES, problemMachine, ProblemSource, ProblemStatus } from './problem.machine';
import { MeasureRow, ProblemRow } from './problem.repository';
import { dateText } from '../../core/dates';
import { isMeasureOverdue } from './problem.service';
import { RecheckResult, Recommendation, RECOMMENDATIONS } from './recheck.machine';
import { RecheckRow } from './recheck.repository';

const enumOf = <K extends string>(labels: Record<K, string>) =>
  Object.fromEntries(Object.keys(labels).map((k) => [k, k])) as Record<K, K>;
const valuesConfig = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, label]) => [k, { description: label }]));

export const ProblemSourceEnum = enumOf(PROBLEM_SOURCES);
registerEnumType(ProblemSourceEnum, {
  name: 'ProblemSource',
  description: '问题来源 (problem source)',
  valuesConfig: valuesConfig(PROBLEM_SOURCES),
});

export const ProblemStatusEnum = enumOf(problemMachine.states);
registerEnumType(ProblemStatusEnum, {
  name: 'ProblemStatus',
  description: '问题状态 (problem status)',
  valuesConfig: valuesConfig(problemMachine.states),
});

export const MeasureStatusEnum = enumOf(measureMachine.states);
registerEnumType(MeasureStatusEnum, {
  name: 'MeasureStatus',
  description: '整改措施状态 (measure status)',
  valuesConfig: valuesConfig(measureMachine.states),
});

export const RECHECK_RESULTS: Record<RecheckResult, string> = {
  SCHEDULED: '待回头看',
  PASSED: '未复发',
  RECURRED: '复发',
};
export const RecheckResultEnum = enumOf(RECHECK_RESULTS);
registerEnumType(RecheckResultEnum, {
  name: 'RecheckResult',
  description: '回头看结果 (a running recheck is still SCHEDULED)',
  valuesConfig: valuesConfig(RECHECK_RESULTS),
});

export const RecommendationEnum = enumOf(RECOMMENDATIONS);
registerEnumType(RecommendationEnum, {
  name: 'Recommendation',
  description: '复发处理建议',
  valuesConfig: valuesConfig(RECOMMENDATIONS),
});

@ObjectType('Problem', {
  implements: Node,
  description:
    '问题 (problem)：问题清单的一条，由督办单位督促责任单位按整改措施整改，验收后销号，销号后回头看。问题清单 entry.',
})
export class ProblemType extends Node {
  readonly __typename = 'Problem';

  row: ProblemRow;

  @Field({ description: '问题编号 (problem code)：WT<year>-NNNNNN.' })
  code: string;

  @Field(() => ProblemSourceEnum, { description: '问题来源。' })
  source: ProblemSource;

  @Field({ description: '问题类别 (category).' })
  category: string;

  @Field({ description: '问题描述。' })
  description: string;

  @Field(() => MoneyScalar, { nullable: true, description: '涉及金额，元，如有。' })
  amount: string | null;

  @Field(() => ProblemStatusEnum, { description: '问题状态。' })
  status: ProblemStatus;

  @Field(() => Date, { nullable: true, description: '销号时间。When it was closed (销号), if it is.' })
  closedAt: Date | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  @Field({ description: '列入问题清单的时间。' })
  createdAt: Date;

  static from(row: ProblemRow): ProblemType {
    return Object.assign(new ProblemType(), {
      id: toGlobalId('Problem', row.id),
      row,
      code: row.code,
      source: row.source,
      category: row.category,
      description: row.description,
      amount: row.amount,
      status: row.status,
      closedAt: row.closed_at,
      version: row.version,
      createdAt: row.created_at,
    });
  }
}

@ObjectType('ProblemConnection', { description: '问题分页列表 (Problem connection)。' })
export class ProblemConnection extends ConnectionType(ProblemType, 'Problem') {}

@ObjectType('RectificationMeasure', {
  implements: Node,
  description: '整改措施 (rectification measure)：责任单位提交整改报告，督办单位验收。整改措施 of a problem.',
})
export class RectificationMeasureType extends Node {
  readonly __typename = 'RectificationMeasure';

  row: MeasureRow;

  @Field({ description: '整改要求。' })
  description: string;

  @Field(() => DateScalar, { description: '整改期限 (deadline)。' })
  deadline: string;

  @Field(() => MeasureStatusEnum, { description: '措施状态。' })
  status: MeasureStatus;

  @Field({ description: '已逾期：整改中且已过期限。OPEN and its deadline has passed (dates in Asia/Shanghai).' })
  overdue: boolean;

  @Field(() => String, { nullable: true, description: '整改报告 (report).' })
  report: string | null;

  @Field(() => [String], {
    description: '整改佐证材料（文件引用、链接）。Evidence of the report (file references, links).',
  })
  evidence: string[];

  @Field(() => Date, { nullable: true, description: '最近一次提交整改报告的时间。' })
  submittedAt: Date | null;

  @Field(() => Date, { nullable: true, description: '验收通过的时间。' })
  acceptedAt: Date | null;

  @Field(() => String, {
    nullable: true,
    description: '最近一次验收不通过的理由。The reason of the last rejection (验收不通过).',
  })
  rejectionReason: string | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  static from(row: MeasureRow): RectificationMeasureType {
    return Object.assign(new RectificationMeasureType(), {
      id: toGlobalId('RectificationMeasure', row.id),
      row,
      description: row.description,
      deadline: dateText(row.deadline),
      status: row.status,
      overdue: isMeasureOverdue(row),
      report: row.report,
      evidence: row.evidence ?? [],
      submittedAt: row.submitted_at,
      acceptedAt: row.accepted_at,
      rejectionReason: row.rejection_reason,
      version: row.version,
    });
  }
}

@ObjectType('Recheck', {
  implements: Node,
  description: '回头看 (recheck)：对已销号问题的机构重新碰撞，看是否复发。回头看 of a closed problem.',
})
export class RecheckType extends Node {
  readonly __typename = 'Recheck';

  row: RecheckRow;

  @Field(() => DateScalar, { description: '回头看日期 (due on)。' })
  dueOn: string;

  @Field({
    description: '手动安排（如检查时）而非销号时自动安排。Scheduled by hand (an inspection) rather than at closure.',
  })
  manual: boolean;

  @Field(() => RecheckResultEnum, { description: '回头看结果。' })
  result: RecheckResult;

  @Field(() => DateScalar, {
    nullable: true,
    description: '复查的结算时间窗起：销号日之后…… The claims window re-checked: after the closed date …',
  })
  windowFrom: string | null;

  @Field(() => DateScalar, { nullable: true, description: '……至回头看日期。… up to the recheck date.' })
  windowTo: string | null;

  @Field(() => Int, { description: '复查发现的新疑点数。' })
  newHits: number;

  @Field(() => RecommendationEnum, { nullable: true, description: '复发处理建议，复发时。' })
  recommendation: Recommendation | null;

  @Field(() => Date, { nullable: true, description: '完成时间；未完成为 null。' })
  completedAt: Date | null;

  static from(row: RecheckRow): RecheckType {
    return Object.assign(new RecheckType(), {
      id: toGlobalId('Recheck', row.id),
      row,
      dueOn: dateText(row.due_on),
      manual: row.manual,
      result: row.status === 'RUNNING' ? 'SCHEDULED' : row.status,
      windowFrom: row.window_from && dateText(row.window_from),
      windowTo: row.window_to && dateText(row.window_to),
      newHits: row.new_hits,
      recommendation: row.recommendation,
      completedAt: row.completed_at,
    });
  }
}

@InputType('ProblemFilter', { description: '问题筛选 (problem filter)：各条件同时满足。' })
export class ProblemFilter {
  @Field(() => [ProblemStatusEnum], { nullable: true, description: '状态之一。' })
  status?: ProblemStatus[] | null;

  @Field(() => ProblemSourceEnum, { nullable: true, description: '问题来源。' })
  source?: ProblemSource | null;

  @Field(() => String, { nullable: true, description: '涉及机构的编码。' })
  institutionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '整改责任单位的全局编号。' })
  responsibleDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: '督办单位的全局编号。' })
  supervisingDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: '专项行动的问题。Problems of this campaign.' })
  campaignId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true 有逾期措施的问题，false 没有的。Problems with (true) or without (false) an overdue measure.',
  })
  overdue?: boolean | null;

  @Field(() => String, { nullable: true, description: '该区划及下级的问题。Problems of this region and below.' })
  regionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Problems of this category.' })
  category?: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount at least this (problems without an amount excluded).',
  })
  minAmount?: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Amount at most this (problems without an amount excluded).',
  })
  maxAmount?: string | null;

  @Field(() => ID, { nullable: true, description: 'Problems listed from this case.' })
  caseId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Problems listed from this clue.' })
  clueId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Problems found by this inspection.' })
  inspectionId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Listed on or after this day.' })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Listed on or before this day.' })
  createdTo?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Closed (销号) on or after this day.' })
  closedFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Closed on or before this day.' })
  closedTo?: string | null;
}

@InputType('MeasureInput', { description: '整改措施 (measure) 的输入。' })
export class MeasureInput {
  @Field({ description: '整改要求，不能为空。' })
  description: string;

  @Field(() => DateScalar, { description: '整改期限：不早于今天（Asia/Shanghai）。Not in the past.' })
  deadline: string;
}

@InputType('CreateProblemInput', { description: '列入问题清单 (create problem) 的输入。' })
export class CreateProblemInput {
  @Field(() => ProblemSourceEnum, {
    description:
      '问题来源：CASE (with caseId), CLUE (with clueId), SUPERVISION, AUDIT or INSPECTION_TOUR; the others are the system’s.',
  })
  source: ProblemSource;

  @Field({ description: '问题类别，不能为空。' })
  category: string;

  @Field({ description: '问题描述，不能为空。' })
  description: string;

  @Field(() => MoneyScalar, { nullable: true, description: '涉及金额，元。' })
  amount?: string | null;

  @Field(() => String, { nullable: true, description: '问题对象为机构时，机构编码。' })
  institutionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '问题对象为单位时，该单位的全局编号。' })
  subjectDepartmentId?: string | null;

  @Field(() => ID, { description: '整改责任单位的全局编号。' })
  responsibleDepartmentId: string;

  @Field(() => ID, {
    nullable: true,
    description: "督办单位：只能是调用者本单位，缺省即本单位。Default: the caller's department.",
  })
  supervisingDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: '发现问题的案件（来源 CASE 时必填），须可见。' })
  caseId?: string | null;

  @Field(() => ID, { nullable: true, description: '发现问题的线索（来源 CLUE 时必填），须可见。' })
  clueId?: string | null;

  @Field(() => ID, { nullable: true, description: '专项行动。A campaign I see; default: the clue’s campaign, if any.' })
  campaignId?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      '检查 (inspection) 中又发现的问题。A further problem found by this inspection (source INSPECTION), by its lead department or team while under way or reported; about its institution, with its campaign.',
  })
  inspectionId?: string | null;

  @Field(() => [MeasureInput], { description: '整改措施，至少一项。At least one.' })
  measures: MeasureInput[];
}
