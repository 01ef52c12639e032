import { Field, InputType, Int, ObjectType, ID, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar } from '../../graphql/scalars';
import { dateText } from '../../core/dates';
import { INSPECTION_KINDS, inspectionMachine, InspectionKind, InspectionStatus } from './inspection.machine';
import { InspectionRow } from './inspection.repository';

const enumOf = <K extends string>(labels: Record<K, string>) =>
  Object.fromEntries(Object.keys(labels).map((k) => [k, k])) as Record<K, K>;
const valuesConfig = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, label]) => [k, { description: label }]));

export const InspectionKindEnum = enumOf(INSPECTION_KINDS);
registerEnumType(InspectionKindEnum, {
  name: 'InspectionKind',
  description: '检查方式 (inspection kind)',
  valuesConfig: valuesConfig(INSPECTION_KINDS),
});

export const InspectionStatusEnum = enumOf(inspectionMachine.states);
registerEnumType(InspectionStatusEnum, {
  name: 'InspectionStatus',
  description: '检查状态 (inspection status)',
  valuesConfig: valuesConfig(inspectionMachine.states),
});

@ObjectType('Inspection', {
  implements: Node,
  description:
    '检查 (inspection)：检查组对一个机构的检查，检查发现列入问题清单（来源 INSPECTION）。检查: a team inspects an institution; its findings become a problem (source INSPECTION).',
})
export class InspectionType extends Node {
  readonly __typename = 'Inspection';

  row: InspectionRow;

  @Field({ description: '检查编号 (inspection code)：JC<year>-NNNNNN.' })
  code: string;

  @Field(() => InspectionKindEnum, { description: '检查方式。' })
  kind: InspectionKind;

  @Field(() => DateScalar, { description: '计划开始日期。' })
  plannedFrom: string;

  @Field(() => DateScalar, { description: '计划结束日期。' })
  plannedTo: string;

  @Field(() => InspectionStatusEnum, { description: '检查状态。' })
  status: InspectionStatus;

  @Field(() => String, { nullable: true, description: '检查发现, given with REPORT.' })
  findings: string | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  static from(row: InspectionRow): InspectionType {
    return Object.assign(new InspectionType(), {
      id: toGlobalId('Inspection', row.id),
      row,
      code: row.code,
      kind: row.kind,
      plannedFrom: dateText(row.planned_from),
      plannedTo: dateText(row.planned_to),
      status: row.status,
      findings: row.findings,
      version: row.version,
    });
  }
}

@ObjectType('InspectionConnection', { description: '检查分页列表 (Inspection connection)。' })
export class InspectionConnection extends ConnectionType(InspectionType, 'Inspection') {}

@InputType('InspectionFilter', {
  description:
    '检查筛选：inspections 除 campaignId 外的条件，各条件同时满足。Filters of `inspections` beside campaignId.',
})
export class InspectionFilter {
  @Field(() => [InspectionStatusEnum], { nullable: true, description: '状态之一。' })
  status?: InspectionStatus[] | null;

  @Field(() => InspectionKindEnum, { nullable: true, description: '检查方式。' })
  kind?: InspectionKind | null;

  @Field(() => String, { nullable: true, description: '被检查的机构。The inspected institution.' })
  institutionCode?: string | null;
}

@InputType('CreateInspectionInput', { description: '安排检查 (create inspection) 的输入。' })
export class CreateInspectionInput {
  @Field(() => InspectionKindEnum, {
    description:
      '检查方式：联合检查的检查组来自至少两类单位，交叉检查的成员均来自本省其他市。JOINT: team from ≥ 2 agency kinds; CROSS: every member from another city of the province.',
  })
  kind: InspectionKind;

  @Field({ description: '被检查的机构。The inspected institution.' })
  institutionCode: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The campaign (专项行动) this inspection belongs to: one I see, whose targets include the institution, not closed; I am a member.',
  })
  campaignId?: string | null;

  @Field(() => [ID], {
    description:
      '检查组成员：任何单位的办案人员、科室负责人或领导（用户全局编号）。The team: investigators, section heads or leaders, of any department.',
  })
  teamUserIds: string[];

  @Field(() => DateScalar, { description: '计划开始日期。' })
  plannedFrom: string;

  @Field(() => DateScalar, { description: '计划结束日期，不早于 plannedFrom。Not before plannedFrom.' })
  plannedTo: string;
}
