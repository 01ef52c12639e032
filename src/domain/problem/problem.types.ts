import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { measureMachine, MeasureStatus } from './measure.machine';
import { PROBLEM_SOURCES, problemMachine, ProblemSource, ProblemStatus } from './problem.machine';
import { MeasureRow, ProblemRow } from './problem.repository';
import { dateOf, isMeasureOverdue } from './problem.service';
import { RecheckResult, Recommendation, RECOMMENDATIONS } from './recheck.machine';
import { RecheckRow } from './recheck.repository';

const enumOf = <K extends string>(labels: Record<K, string>) =>
  Object.fromEntries(Object.keys(labels).map((k) => [k, k])) as Record<K, K>;
const valuesConfig = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, label]) => [k, { description: label }]));

export const ProblemSourceEnum = enumOf(PROBLEM_SOURCES);
registerEnumType(ProblemSourceEnum, {
  name: 'ProblemSource',
  description: '问题来源',
  valuesConfig: valuesConfig(PROBLEM_SOURCES),
});

export const ProblemStatusEnum = enumOf(problemMachine.states);
registerEnumType(ProblemStatusEnum, {
  name: 'ProblemStatus',
  description: '问题状态',
  valuesConfig: valuesConfig(problemMachine.states),
});

export const MeasureStatusEnum = enumOf(measureMachine.states);
registerEnumType(MeasureStatusEnum, {
  name: 'MeasureStatus',
  description: '整改措施状态',
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

@ObjectType('Problem', { implements: Node, description: '问题清单 entry.' })
export class ProblemType extends Node {
  readonly __typename = 'Problem';

  row: ProblemRow;

  @Field({ description: 'WT<year>-NNNNNN.' })
  code: string;

  @Field(() => ProblemSourceEnum)
  source: ProblemSource;

  @Field({ description: '问题类别.' })
  category: string;

  @Field()
  description: string;

  @Field(() => MoneyScalar, { nullable: true })
  amount: string | null;

  @Field(() => ProblemStatusEnum)
  status: ProblemStatus;

  @Field(() => Date, { nullable: true, description: 'When it was closed (销号), if it is.' })
  closedAt: Date | null;

  @Field(() => Int)
  version: number;

  @Field()
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

@ObjectType('ProblemConnection')
export class ProblemConnection extends ConnectionType(ProblemType, 'Problem') {}

@ObjectType('RectificationMeasure', { implements: Node, description: '整改措施 of a problem.' })
export class RectificationMeasureType extends Node {
  readonly __typename = 'RectificationMeasure';

  row: MeasureRow;

  @Field()
  description: string;

  @Field(() => DateScalar)
  deadline: string;

  @Field(() => MeasureStatusEnum)
  status: MeasureStatus;

  @Field({ description: 'OPEN and its deadline has passed (dates in Asia/Shanghai).' })
  overdue: boolean;

  @Field(() => String, { nullable: true, description: '整改报告.' })
  report: string | null;

  @Field(() => [String], { description: 'Evidence of the report (file references, links).' })
  evidence: string[];

  @Field(() => Date, { nullable: true })
  submittedAt: Date | null;

  @Field(() => Date, { nullable: true })
  acceptedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The reason of the last rejection (验收不通过).' })
  rejectionReason: string | null;

  @Field(() => Int)
  version: number;

  static from(row: MeasureRow): RectificationMeasureType {
    return Object.assign(new RectificationMeasureType(), {
      id: toGlobalId('RectificationMeasure', row.id),
      row,
      description: row.description,
      deadline: dateOf(row.deadline),
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

@ObjectType('Recheck', { implements: Node, description: '回头看 of a closed problem.' })
export class RecheckType extends Node {
  readonly __typename = 'Recheck';

  row: RecheckRow;

  @Field(() => DateScalar)
  dueOn: string;

  @Field({ description: 'Scheduled by hand (an inspection) rather than at closure.' })
  manual: boolean;

  @Field(() => RecheckResultEnum)
  result: RecheckResult;

  @Field(() => DateScalar, { nullable: true, description: 'The claims window re-checked: after the closed date …' })
  windowFrom: string | null;

  @Field(() => DateScalar, { nullable: true, description: '… up to the recheck date.' })
  windowTo: string | null;

  @Field(() => Int)
  newHits: number;

  @Field(() => RecommendationEnum, { nullable: true })
  recommendation: Recommendation | null;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  static from(row: RecheckRow): RecheckType {
    return Object.assign(new RecheckType(), {
      id: toGlobalId('Recheck', row.id),
      row,
      dueOn: dateOf(row.due_on),
      manual: row.manual,
      result: row.status === 'RUNNING' ? 'SCHEDULED' : row.status,
      windowFrom: row.window_from && dateOf(row.window_from),
      windowTo: row.window_to && dateOf(row.window_to),
      newHits: row.new_hits,
      recommendation: row.recommendation,
      completedAt: row.completed_at,
    });
  }
}

@InputType('ProblemFilter')
export class ProblemFilter {
  @Field(() => [ProblemStatusEnum], { nullable: true })
  status?: ProblemStatus[] | null;

  @Field(() => ProblemSourceEnum, { nullable: true })
  source?: ProblemSource | null;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => ID, { nullable: true })
  responsibleDepartmentId?: string | null;

  @Field(() => ID, { nullable: true })
  supervisingDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Problems of this campaign.' })
  campaignId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Problems with (true) or without (false) an overdue measure.' })
  overdue?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Problems of this region and below.' })
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

@InputType('MeasureInput')
export class MeasureInput {
  @Field()
  description: string;

  @Field(() => DateScalar, { description: 'Not in the past.' })
  deadline: string;
}

@InputType('CreateProblemInput')
export class CreateProblemInput {
  @Field(() => ProblemSourceEnum, {
    description:
      'CASE (with caseId), CLUE (with clueId), SUPERVISION, AUDIT or INSPECTION_TOUR; the others are the system’s.',
  })
  source: ProblemSource;

  @Field()
  category: string;

  @Field()
  description: string;

  @Field(() => MoneyScalar, { nullable: true })
  amount?: string | null;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => ID, { nullable: true })
  subjectDepartmentId?: string | null;

  @Field(() => ID)
  responsibleDepartmentId: string;

  @Field(() => ID, { nullable: true, description: "Default: the caller's department." })
  supervisingDepartmentId?: string | null;

  @Field(() => ID, { nullable: true })
  caseId?: string | null;

  @Field(() => ID, { nullable: true })
  clueId?: string | null;

  @Field(() => ID, { nullable: true, description: 'A campaign I see; default: the clue’s campaign, if any.' })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Not available yet (inspections come later).' })
  inspectionId?: string | null;

  @Field(() => [MeasureInput], { description: 'At least one.' })
  measures: MeasureInput[];
}
