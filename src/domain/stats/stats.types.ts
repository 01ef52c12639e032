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

/**
 * The outcome figures (PRODUCT.md §9) of a period — the window, or one month of it — counted
 * the same way in the totals, per department and per month (attribution: docs/READING.md). A
 * base class only: no schema type of its own (it is reached through none).
 */
@ObjectType()
export abstract class OutcomeFigures {
  @Field(() => Int, {
    description:
      'Collision hits detected in the period at institutions of the region (per department: of the clues it owns).',
  })
  hitsTotal: number;

  @Field(() => Int, { description: 'Of hitsTotal, those verified (CONFIRMED or EXCLUDED) by now.' })
  hitsVerified: number;

  @Field(() => Float, { nullable: true, description: '清零率: hitsVerified / hitsTotal; null when hitsTotal is 0.' })
  clearedRate: number | null;

  @Field(() => Int, { description: 'Problems (问题清单) created in the period.' })
  problemsFound: number;

  @Field(() => Int, { description: 'Problems closed (销号) in the period.' })
  problemsClosed: number;

  @Field(() => Int, { description: 'Rectification measures unfinished past their deadline at the end of the period.' })
  measuresOverdue: number;

  @Field(() => Int, { description: '回头看 completed in the period without recurrence.' })
  rechecksPassed: number;

  @Field(() => Int, { description: '回头看 completed in the period that found a recurrence.' })
  rechecksRecurred: number;

  @Field(() => Float, {
    nullable: true,
    description:
      '线索转化率: clues concluded (初核结论) in the period that were filed into a case / clues concluded; null when none.',
  })
  clueToCaseRate: number | null;

  @Field(() => MoneyScalar, {
    description: '主动退回: Σ of 自查自纠 reports recorded in the period for institutions of the region.',
  })
  voluntaryRefund: string;

  @Field(() => MoneyScalar, {
    description: '退还群众: Σ of 自查自纠 reports recorded in the period for institutions of the region.',
  })
  patientRefund: string;
}

/** The figures of one department (attribution rules in docs/READING.md). */
@ObjectType('DepartmentStats')
export class DepartmentStats extends OutcomeFigures {
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

  @Field(() => Int, {
    description: "Clues registered in the window that the department owns (the totals' cluesReceived).",
  })
  cluesRegistered: number;

  @Field(() => Int, { description: 'Clues routed to the department in the window.' })
  cluesRouted: number;

  @Field(() => Int, { description: 'Transfers to the department it returned in the window.' })
  transfersReturned: number;

  @Field(() => Float, {
    nullable: true,
    description: 'Mean days from request to acceptance, over transfers the department accepted in the window.',
  })
  averageDaysToAccept: number | null;

  @Field(() => Int, { description: 'Sanctions decided in the window in the cases the department owns.' })
  sanctions: number;

  @Field(() => [KindCount])
  sanctionsByKind: KindCount[];

  @Field(() => Int, { description: 'Distinct persons sanctioned in the window in the cases the department owns.' })
  personsSanctioned: number;

  @Field(() => Int, { description: 'Items assigned to the department still OPEN at the end of the window.' })
  supervisionOpen: number;

  @Field(() => Int, {
    description: 'Items assigned to the department OVERDUE and unfinished at the end of the window.',
  })
  supervisionOverdue: number;

  @Field(() => Int, { description: 'Items assigned to the department completed in the window.' })
  supervisionCompleted: number;
}

/** The event figures of one calendar month (Asia/Shanghai) of the window. */
@ObjectType('MonthStats')
export class MonthStats extends OutcomeFigures {
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

  @Field(() => Float, {
    nullable: true,
    description: 'Mean days from request to acceptance, over transfers accepted in the month.',
  })
  averageDaysToAccept: number | null;

  @Field(() => [KindCount])
  sanctionsByKind: KindCount[];

  @Field(() => Int, { description: 'Distinct persons sanctioned in the month.' })
  personsSanctioned: number;

  @Field(() => Int, { description: 'Items still OPEN at the end of the month (or of the window, or now).' })
  supervisionOpen: number;

  @Field(() => Int, { description: 'Items OVERDUE and unfinished at the end of the month (or of the window, or now).' })
  supervisionOverdue: number;

  @Field(() => Int, { description: 'Items completed in the month (inside the window).' })
  supervisionCompleted: number;
}

/** 督办统计: a region's figures over a date window (PRODUCT.md §7; rules in docs/READING.md). */
@ObjectType('SupervisionStats')
export class SupervisionStats extends OutcomeFigures {
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
