import { Field, Float, Int, ObjectType } from 'type-graphql';
import { DateScalar, DateTimeScalar, MoneyScalar } from '../../graphql/scalars';
import { DepartmentType } from '../reference/reference.types';

@ObjectType('KindCount', { description: '按种类计数 (kind count)。' })
export class KindCount {
  @Field({ description: '种类，如处理处罚种类 SanctionKind 的值。' })
  kind: string;

  @Field(() => Int, { description: '数量。' })
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
      '疑点数：期间内在区划内机构发现的（按单位时为其线索的）。Collision hits detected in the period at institutions of the region (per department: of the clues it owns).',
  })
  hitsTotal: number;

  @Field(() => Int, {
    description: '其中至今已核查（属实或排除）的。Of hitsTotal, those verified (CONFIRMED or EXCLUDED) by now.',
  })
  hitsVerified: number;

  @Field(() => Float, { nullable: true, description: '清零率: hitsVerified / hitsTotal; null when hitsTotal is 0.' })
  clearedRate: number | null;

  @Field(() => Int, { description: 'Problems (问题清单) created in the period.' })
  problemsFound: number;

  @Field(() => Int, { description: 'Problems closed (销号) in the period.' })
  problemsClosed: number;

  @Field(() => Int, {
    description:
      '逾期整改措施：期末已过期限仍未完成的。Rectification measures unfinished past their deadline at the end of the period.',
  })
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
@ObjectType('DepartmentStats', {
  description: '单位统计 (department stats)：一个单位在时间窗内的数字（归属规则见 docs/READING.md）。',
})
export class DepartmentStats extends OutcomeFigures {
  @Field(() => DepartmentType, { description: '单位。' })
  department: DepartmentType;

  @Field(() => Int, {
    description:
      '收到的线索：分办给本单位的，加上移送给本单位并已接收的。Clues routed to the department or transferred to it and accepted.',
  })
  cluesReceived: number;

  @Field(() => Int, { description: '本单位申请的移送数。Transfers the department requested.' })
  cluesTransferredOut: number;

  @Field(() => Int, {
    description:
      '逾期移送：移送给本单位、接收或反馈期限已过而未办理的。Transfers to the department whose accept or feedback deadline passed unmet.',
  })
  transfersOverdue: number;

  @Field(() => Int, { description: '立案数：本单位承办的、时间窗内立案的案件。' })
  casesFiled: number;

  @Field(() => Int, { description: '结案数：本单位承办的、时间窗内结案的案件。' })
  casesClosed: number;

  @Field(() => MoneyScalar, {
    description: '追回金额，元：本单位案件的追回医保基金处罚金额 + 本单位办结线索的追回金额。',
  })
  amountRecovered: string;

  @Field(() => Int, {
    description:
      "登记的线索数：时间窗内登记、现由本单位承办的线索（合计即总数的 cluesReceived）。Clues registered in the window that the department owns (the totals' cluesReceived).",
  })
  cluesRegistered: number;

  @Field(() => Int, { description: '分办给本单位的线索数。Clues routed to the department in the window.' })
  cluesRouted: number;

  @Field(() => Int, { description: '本单位退回的移送数。Transfers to the department it returned in the window.' })
  transfersReturned: number;

  @Field(() => Float, {
    nullable: true,
    description:
      '平均接收天数：本单位在时间窗内接收的移送从申请到接收的平均天数；没有时为 null。Mean days from request to acceptance, over transfers the department accepted in the window.',
  })
  averageDaysToAccept: number | null;

  @Field(() => Int, { description: '处理处罚数：本单位案件在时间窗内作出的处理处罚。' })
  sanctions: number;

  @Field(() => [KindCount], { description: '本单位案件按种类的处理处罚数，多的在前；没有的种类不列。' })
  sanctionsByKind: KindCount[];

  @Field(() => Int, { description: '本单位案件受处理的人数（去重；只处理机构的不计）。' })
  personsSanctioned: number;

  @Field(() => Int, {
    description:
      '交本单位办理、期末仍在督办中（未逾期）的事项数。Items assigned to the department still OPEN at the end of the window.',
  })
  supervisionOpen: number;

  @Field(() => Int, {
    description:
      '交本单位办理、期末已逾期且未办结的事项数。Items assigned to the department OVERDUE and unfinished at the end of the window.',
  })
  supervisionOverdue: number;

  @Field(() => Int, { description: '交本单位办理、时间窗内办结的督办事项数。' })
  supervisionCompleted: number;
}

/** The event figures of one calendar month (Asia/Shanghai) of the window. */
@ObjectType('MonthStats', {
  description: '月度统计 (month stats)：时间窗内一个自然月（Asia/Shanghai）的数字；首尾月可能不完整。',
})
export class MonthStats extends OutcomeFigures {
  @Field({ description: '月份 (month)：YYYY-MM' })
  month: string;

  @Field(() => Int, { description: '登记的线索数。' })
  cluesReceived: number;

  @Field(() => Int, { description: '分办的线索数（每条线索一次）。' })
  cluesRouted: number;

  @Field(() => Int, { description: '申请的移送数。' })
  cluesTransferred: number;

  @Field(() => Int, { description: '退回的移送数。' })
  transfersReturned: number;

  @Field(() => Int, { description: '当月逾期的移送数（接收或反馈期限已过而未办理），去重。' })
  transfersOverdue: number;

  @Field(() => Int, { description: '立案数。' })
  casesFiled: number;

  @Field(() => Int, { description: '结案数。' })
  casesClosed: number;

  @Field(() => Int, { description: '作出的处理处罚数。' })
  sanctions: number;

  @Field(() => MoneyScalar, { description: '追回金额，元：追回医保基金处罚金额 + 办结线索的追回金额。' })
  amountRecovered: string;

  @Field(() => Float, {
    nullable: true,
    description:
      '平均接收天数：当月接收的移送从申请到接收的平均天数；没有时为 null。Mean days from request to acceptance, over transfers accepted in the month.',
  })
  averageDaysToAccept: number | null;

  @Field(() => [KindCount], { description: '当月按种类的处理处罚数，多的在前；没有的种类不列。' })
  sanctionsByKind: KindCount[];

  @Field(() => Int, { description: '当月受处理的人数（月内去重；只处理机构的不计）。' })
  personsSanctioned: number;

  @Field(() => Int, {
    description:
      '月末（不晚于时间窗止和当前）仍在督办中（未逾期）的事项数。Items still OPEN at the end of the month (or of the window, or now).',
  })
  supervisionOpen: number;

  @Field(() => Int, {
    description:
      '月末（不晚于时间窗止和当前）已逾期且未办结的事项数。Items OVERDUE and unfinished at the end of the month (or of the window, or now).',
  })
  supervisionOverdue: number;

  @Field(() => Int, {
    description: '当月（时间窗内）办结的督办事项数。Items completed in the month (inside the window).',
  })
  supervisionCompleted: number;
}

/** 督办统计: a region's figures over a date window (PRODUCT.md §7; rules in docs/READING.md). */
@ObjectType('SupervisionStats', {
  description: '督办统计 (supervision stats)：一个区划在时间窗内的数字（计数规则见 docs/READING.md）。',
})
export class SupervisionStats extends OutcomeFigures {
  @Field({ description: '统计的行政区划代码（含下级）。' })
  regionCode: string;

  @Field(() => DateScalar, { description: '时间窗起（含）。' })
  from: string;

  @Field(() => DateScalar, { description: '时间窗止（含）。' })
  to: string;

  @Field(() => DateTimeScalar, {
    description:
      "统计截至时刻：此前提交的变更均已计入。Every change committed before this moment is counted (later ones may be): the event figures may lag behind the latest changes by up to the deployment's STATS_MAX_STALENESS_MS.",
  })
  asOf: Date;

  @Field(() => Int, { description: '登记的线索数。Clues registered (created) in the window.' })
  cluesReceived: number;

  @Field(() => Int, { description: '分办的线索数（每条线索一次）。' })
  cluesRouted: number;

  @Field(() => Int, { description: '申请的移送数。Transfers requested in the window.' })
  cluesTransferred: number;

  @Field(() => Int, { description: '退回的移送数。' })
  transfersReturned: number;

  @Field(() => Int, {
    description:
      '逾期移送数：时间窗内接收或反馈期限已过而未办理的（去重）。Distinct transfers whose accept or feedback deadline passed unmet in the window.',
  })
  transfersOverdue: number;

  @Field(() => Float, {
    nullable: true,
    description:
      '平均接收天数：时间窗内接收的移送从申请到接收的平均天数。Mean days from request to acceptance, over transfers accepted in the window.',
  })
  averageDaysToAccept: number | null;

  @Field(() => Int, { description: '立案数。' })
  casesFiled: number;

  @Field(() => Int, { description: '结案数。' })
  casesClosed: number;

  @Field(() => [KindCount], { description: '按种类的处理处罚数，多的在前；没有的种类不列。' })
  sanctionsByKind: KindCount[];

  @Field(() => Int, { description: '受处理的人数（去重；只处理机构的不计）。' })
  personsSanctioned: number;

  @Field(() => MoneyScalar, {
    description: '追回金额，元：时间窗内追回医保基金处罚金额 + 办结线索的追回金额，精确合计。',
  })
  amountRecovered: string;

  @Field(() => Int, {
    description:
      '期末仍在督办中（未逾期）的事项数。Items still OPEN (not past their deadline) at the end of the window.',
  })
  supervisionOpen: number;

  @Field(() => Int, {
    description: '期末已逾期且未办结的事项数。Items OVERDUE and unfinished at the end of the window.',
  })
  supervisionOverdue: number;

  @Field(() => Int, { description: '时间窗内办结的督办事项数。Items completed in the window.' })
  supervisionCompleted: number;

  @Field(() => [DepartmentStats], {
    description: '按单位：区划内每个单位，以及事件归属到的区划外单位；按区划代码、单位类型排序。',
  })
  byDepartment: DepartmentStats[];

  @Field(() => [MonthStats], {
    description:
      '按月：时间窗涉及的每个自然月一条，按顺序。One entry per calendar month touching the window, in order.',
  })
  byMonth: MonthStats[];
}
