import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { SupervisionKindEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar } from '../../graphql/scalars';
import { toGlobalId } from '../../core/ids';
import { SupervisionKind } from './supervision.kinds';
import { supervisionMachine, SupervisionStatus } from './supervision.machine';
import { ProgressRow, SupervisionItemRow } from './supervision.repository';

export const SupervisionStatusEnum = Object.fromEntries(
  Object.keys(supervisionMachine.states).map((k) => [k, k]),
) as Record<SupervisionStatus, SupervisionStatus>;
registerEnumType(SupervisionStatusEnum, {
  name: 'SupervisionStatus',
  valuesConfig: Object.fromEntries(
    Object.entries(supervisionMachine.states).map(([k, label]) => [k, { description: label }]),
  ),
});

@ObjectType('SupervisionItem', { implements: Node, description: '督办事项' })
export class SupervisionItemType extends Node {
  readonly __typename = 'SupervisionItem';

  row: SupervisionItemRow;

  @Field(() => SupervisionKindEnum)
  kind: SupervisionKind;

  @Field()
  title: string;

  @Field(() => SupervisionStatusEnum)
  status: SupervisionStatus;

  @Field()
  deadline: Date;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the item was marked overdue.' })
  overdueAt: Date | null;

  @Field(() => String, { nullable: true })
  cancelReason: string | null;

  @Field(() => Int)
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

@ObjectType('SupervisionItemConnection')
export class SupervisionItemConnection extends ConnectionType(SupervisionItemType, 'SupervisionItem') {}

@ObjectType('ProgressReport', { description: '督办进展' })
export class ProgressReportType {
  @Field()
  at: Date;

  authorId: string;

  @Field()
  note: string;

  static from(row: ProgressRow): ProgressReportType {
    return Object.assign(new ProgressReportType(), { at: row.at, authorId: row.author_id, note: row.note });
  }
}

@InputType('SupervisionFilter')
export class SupervisionFilter {
  @Field(() => [SupervisionStatusEnum], { nullable: true })
  status?: SupervisionStatus[] | null;

  @Field(() => SupervisionKindEnum, { nullable: true })
  kind?: SupervisionKind | null;

  @Field(() => ID, { nullable: true })
  assignedToDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Items created by (a leader of) this department.' })
  creatorDepartmentId?: string | null;

  @Field(() => String, { nullable: true, description: 'Items assigned to departments of this region and below.' })
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: 'Items about this clue.' })
  clueId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Items about this case.' })
  caseId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Created on or after this day.' })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Created on or before this day.' })
  createdTo?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Deadline on or after this day.' })
  deadlineFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Deadline on or before this day.' })
  deadlineTo?: string | null;
}

@InputType('CreateSupervisionInput')
export class CreateSupervisionInput {
  @Field(() => SupervisionKindEnum)
  kind: SupervisionKind;

  @Field()
  title: string;

  @Field(() => ID, { nullable: true, description: 'Exactly one of clueId, caseId and transferId.' })
  clueId?: string | null;

  @Field(() => ID, { nullable: true })
  caseId?: string | null;

  @Field(() => ID, { nullable: true })
  transferId?: string | null;

  @Field(() => ID)
  assignedToDepartmentId: string;

  @Field()
  deadline: Date;
}
