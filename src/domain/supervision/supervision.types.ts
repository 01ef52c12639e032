import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SupervisionKindEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { SupervisionKind } from './supervision.kinds';
import { supervisionMachine, SupervisionStatus } from './supervision.machine';
import { ProgressRow, SupervisionItemRow } from './supervision.repository';

export const SupervisionStatusEnum = Object.fromEntries(
  Object.keys(supervisionMachine.states).map((k) => [k, k]),
) as Record<SupervisionStatus, SupervisionStatus>;
registerEnumType(SupervisionStatusEnum, {
  name: 'SupervisionStatus',
  description: '督办状态 (supervision status)：到期未办结时由定时任务标为已逾期。',
  valuesConfig: Object.fromEntries(
    Object.entries(supervisionMachine.states).map(([k, label]) => [k, { description: label }]),
  ),
});

@ObjectType('SupervisionItem', {
  implements: Node,
  description: '督办事项 (supervision item)：领导对一条线索、一个案件或一次移送的督办，交办给一个单位。',
})
export class SupervisionItemType extends Node {
  readonly __typename = 'SupervisionItem';

  row: SupervisionItemRow;

  @Field(() => SupervisionKindEnum, { description: '督办方式。' })
  kind: SupervisionKind;

  @Field({ description: '督办事项标题。' })
  title: string;

  @Field(() => SupervisionStatusEnum, { description: '督办状态。' })
  status: SupervisionStatus;

  @Field({ description: '办理期限 (deadline)。' })
  deadline: Date;

  @Field({ description: '交办时间。' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: '办结时间；未办结为 null。' })
  completedAt: Date | null;

  @Field(() => Date, { nullable: true, description: '标为逾期的时间。When the item was marked overdue.' })
  overdueAt: Date | null;

  @Field(() => String, { nullable: true, description: '撤销理由。' })
  cancelReason: string | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  static from(row: SupervisionItemRow): SupervisionItemType {
    return Object.assign(new SupervisionItemType(), {
      id: toGlobalId('SupervisionItem', row.id),
      row,
      kind: row.kind,
      title: row.title,
      status: row.status,
      deadline: row.deadline,
      createdAt: row.created_at,
      completedAt: row.completed_at,
      overdueAt: row.overdue_at,
      cancelReason: row.cancel_reason,
      version: row.version,
    });
  }
}

@ObjectType('SupervisionItemConnection', { description: '督办事项分页列表 (SupervisionItem connection)。' })
export class SupervisionItemConnection extends ConnectionType(SupervisionItemType, 'SupervisionItem') {}

@ObjectType('ProgressReport', { description: '督办进展 (progress report)。' })
export class ProgressReportType {
  @Field({ description: '报告时间。' })
  at: Date;

  authorId: string;

  @Field({ description: '进展情况。' })
  note: string;

  static from(row: ProgressRow): ProgressReportType {
    return Object.assign(new ProgressReportType(), { at: row.at, authorId: row.author_id, note: row.note });
  }
}

@InputType('SupervisionFilter', { description: '督办事项筛选 (supervision filter)：各条件同时满足。' })
export class SupervisionFilter {
  @Field(() => [SupervisionStatusEnum], { nullable: true, description: '状态之一。' })
  status?: SupervisionStatus[] | null;

  @Field(() => SupervisionKindEnum, { nullable: true, description: '督办方式。' })
  kind?: SupervisionKind | null;

  @Field(() => ID, { nullable: true, description: '承办单位的全局编号。' })
  assignedToDepartmentId?: string | null;
}

@InputType('CreateSupervisionInput', { description: '交办督办事项 (create supervision item) 的输入。' })
export class CreateSupervisionInput {
  @Field(() => SupervisionKindEnum, { description: '督办方式；指定管辖同时把对象改由承办单位办理。' })
  kind: SupervisionKind;

  @Field({ description: '标题，不能为空。' })
  title: string;

  @Field(() => ID, {
    nullable: true,
    description: '督办的线索。clueId、caseId、transferId 恰好给一个。Exactly one of clueId, caseId and transferId.',
  })
  clueId?: string | null;

  @Field(() => ID, { nullable: true, description: '督办的案件。' })
  caseId?: string | null;

  @Field(() => ID, { nullable: true, description: '督办的移送。' })
  transferId?: string | null;

  @Field(() => ID, { description: '承办单位的全局编号。' })
  assignedToDepartmentId: string;

  @Field({ description: '办理期限：须晚于现在。' })
  deadline: Date;
}
