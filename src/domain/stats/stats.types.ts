import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { DepartmentType } from '../reference/reference.types';

@ObjectType('KindCount')
export class KindCount {
  @Field()
  kind: string;

  @Field(() => Int)
  count: number;
}

/** The figures of one department (attribution rules in docs/READING.md). */
@ObjectType('DepartmentStats')
export class DepartmentStats {
  @Field(() => DepartmentType)
  department: DepartmentType;

  @Field(() => Int, { description: 'Clues routed to the department or transferred to it and accepted.' })
  cluesReceived: number;

  @Field(() => Int, { description: 'Transfers the department requested.' })
  cluesTransferredOut: number;

  @Field(() => Int, { description: 'Transfers to the department whose accept or feedback deadline passed unmet.' })
  transfersOverdue: number;

  @Field(() => Int)
  casesFiled: number;

  @Field(() => Int)
  casesClosed: number;

  @Field(() => MoneyScalar)
  amountRecovered: string;
}

/** The event figures of one calendar month (Asia/Shanghai) of the window. */
@ObjectType('MonthStats')
export class MonthStats {
  @Field({ description: 'YYYY-MM' })
  month: string;

  @Field(() => Int)
  cluesReceived: number;

  @Field(() => Int)
  cluesRouted: number;

  @Field(() => Int)
  cluesTransferred: number;

  @Field(() => Int)
  transfersReturned: number;

  @Field(() => Int)
  transfersOverdue: number;

  @Field(() => Int)
  casesFiled: number;

  @Field(() => Int)
  casesClosed: number;

  @Field(() => Int)
  sanctions: number;

  @Field(() => MoneyScalar)
  amountRecovered: string;
}

/** 督办统计: a region's figures over a date window (PRODUCT.md §7; rules in docs/READING.md). */
@ObjectType('SupervisionStats')
export class SupervisionStats {
  @Field()
  regionCode: string;

  @Field(() => DateScalar)
  from: string;

  @Field(() => DateScalar)
  to: string;

  @Field(() => Int, { description: 'Clues registered (created) in the window.' })
  cluesReceived: number;

  @Field(() => Int)
  cluesRouted: number;

  @Field(() => Int, { description: 'Transfers requested in the window.' })
  cluesTransferred: number;

  @Field(() => Int)
  transfersReturned: number;

  @Field(() => Int, { description: 'Distinct transfers whose accept or feedback deadline passed unmet in the window.' })
  transfersOverdue: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean days from request to acceptance, over transfers accepted in the window.',
  })
  averageDaysToAccept: number | null;

  @Field(() => Int)
  casesFiled: number;

  @Field(() => Int)
  casesClosed: number;

  @Field(() => [KindCount])
  sanctionsByKind: KindCount[];

  @Field(() => Int)
  personsSanctioned: number;

  @Field(() => MoneyScalar)
  amountRecovered: string;

  @Field(() => Int, { description: 'Items still OPEN (not past their deadline) at the end of the window.' })
  supervisionOpen: number;

  @Field(() => Int, { description: 'Items OVERDUE and unfinished at the end of the window.' })
  supervisionOverdue: number;

  @Field(() => Int, { description: 'Items completed in the window.' })
  supervisionCompleted: number;

  @Field(() => [DepartmentStats])
  byDepartment: DepartmentStats[];

  @Field(() => [MonthStats], { description: 'One entry per calendar month touching the window, in order.' })
  byMonth: MonthStats[];
}
