import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaseRelationKindEnum, RectificationStatusEnum, SanctionKindEnum } from '../../graphql/enums';
import { ENUM_LABELS } from '../labels';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { Tables } from '../../db/tables';
import { CASE_TRANSITIONS, caseMachine, CaseStatus, CaseTransition } from './case.machine';

/**
 * A case rectification item (整改事项) as the case API shows it: DONE once its measure is
 * ACCEPTED, else OPEN (src/domain/labels.ts has the labels).
 */
export type RectificationStatus = 'OPEN' | 'DONE';

export const CaseStatusEnum = Object.fromEntries(Object.keys(caseMachine.states).map((k) => [k, k])) as Record<
  CaseStatus,
  CaseStatus
>;
registerEnumType(CaseStatusEnum, {
  name: 'CaseStatus',
  description: '案件状态 (case status)：立案 → 调查 → 审理 → 处理决定 → 整改 → 结案。',
  valuesConfig: Object.fromEntries(Object.entries(caseMachine.states).map(([k, label]) => [k, { description: label }])),
});
/** The events of transitionCase; the content events (sanctions, rectifications, links) have mutations of their own. */
export const CaseEventEnum = Object.fromEntries(CASE_TRANSITIONS.map((k) => [k, k])) as Record<
  CaseTransition,
  CaseTransition
>;
registerEnumType(CaseEventEnum, {
  name: 'CaseEvent',
  description: '案件流转事件 (case event)：transitionCase 的 event。',
  valuesConfig: Object.fromEntries(CASE_TRANSITIONS.map((k) => [k, { description: caseMachine.events[k].label }])),
});

export type SanctionKind = keyof typeof ENUM_LABELS.SanctionKind;
export type CaseRelationKind = keyof typeof ENUM_LABELS.CaseRelationKind;

/** 罚款 and 追回 are money by nature: these kinds need an amount; for the others it is optional. */
export const SANCTION_KINDS_WITH_AMOUNT: readonly SanctionKind[] = ['ADMINISTRATIVE_PENALTY', 'FUND_RECOVERY'];

/** A case as stored. */
export type CaseRow = Omit<Tables['case'], 'status'> & { status: CaseStatus };

export type SanctionRow = Omit<Tables['sanction'], 'kind'> & { kind: SanctionKind };

/**
 * A case rectification item: a rectification measure of one of the case's CASE problems, read
 * in the shape the case API has always had (case.repository.ts `RECTIFICATION_FROM`): the
 * problem's responsible department is its owner department, the acceptance its completion.
 * The deadline is read as text (a date has no time zone): YYYY-MM-DD.
 */
export interface RectificationRow {
  id: string;
  case_id: string;
  problem_id: string;
  description: string;
  owner_department_id: string;
  deadline: string;
  status: RectificationStatus;
  completed_at: Date | null;
  completed_by: string | null;
  note: string | null;
  created_at: Date;
  version: number;
}

/** A relation seen from one case (`relation_of`): the other case's row and the kind. */
export type CaseRelationRow = CaseRow & { relation_of: string; relation_kind: CaseRelationKind };

@ObjectType('Case', { implements: Node, description: '案件 (case)：由属实线索立案。' })
export class CaseType extends Node {
  readonly __typename = 'Case';

  row: CaseRow;

  @Field({ description: '案件编号 (case code)：AJ<年份>-NNNNNN。' })
  code: string;

  @Field({ description: '案件名称。' })
  title: string;

  @Field(() => CaseStatusEnum, { description: '案件状态。' })
  status: CaseStatus;

  @Field({
    description:
      '案件所属行政区划（立案时第一条线索的区划）。Region of the case (the first clue’s region when it was filed).',
  })
  regionCode: string;

  @Field(() => String, {
    nullable: true,
    description: '不予处理决定 (no-action decision)，如有。The recorded no-action decision (不予处理), if any.',
  })
  noActionDecision: string | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  @Field({ description: '创建时间。' })
  createdAt: Date;

  @Field({ description: '立案时间 (filed at)。' })
  filedAt: Date;

  @Field(() => Date, { nullable: true, description: '结案时间 (closed at)；未结案为 null。' })
  closedAt: Date | null;

  static from(row: CaseRow): CaseType {
    return Object.assign(new CaseType(), {
      id: toGlobalId('Case', row.id),
      row,
      code: row.code,
      title: row.title,
      status: row.status,
      regionCode: row.region_code,
      noActionDecision: row.no_action_decision,
      version: row.version,
      createdAt: row.created_at,
      filedAt: row.filed_at,
      closedAt: row.closed_at,
    });
  }
}

@ObjectType('CaseConnection', { description: '案件分页列表 (Case connection)。' })
export class CaseConnection extends ConnectionType(CaseType, 'Case') {}

@ObjectType('Sanction', { implements: Node, description: '处理处罚 (sanction)：对一个人或一个机构。' })
export class SanctionType extends Node {
  readonly __typename = 'Sanction';

  row: SanctionRow;

  @Field(() => SanctionKindEnum, { description: '处理处罚种类。' })
  kind: SanctionKind;

  @Field(() => MoneyScalar, { nullable: true, description: '金额，元：罚款和追回医保基金必填，其余可无。' })
  amount: string | null;

  @Field(() => String, { nullable: true, description: '说明。' })
  note: string | null;

  @Field({ description: '决定（记录）时间。' })
  decidedAt: Date;

  static from(row: SanctionRow): SanctionType {
    return Object.assign(new SanctionType(), {
      id: toGlobalId('Sanction', row.id),
      row,
      kind: row.kind,
      amount: row.amount,
      note: row.note,
      decidedAt: row.decided_at,
    });
  }
}

@ObjectType('RectificationItem', {
  implements: Node,
  description:
    '整改事项 (rectification item)：案件问题（问题清单中来源为 CASE 的问题）的一项整改措施，以案件视角呈现。',
})
export class RectificationItemType extends Node {
  readonly __typename = 'RectificationItem';

  row: RectificationRow;

  @Field({ description: '整改要求。' })
  description: string;

  @Field(() => DateScalar, { description: '整改期限 (deadline)。' })
  deadline: string;

  @Field(() => RectificationStatusEnum, { description: '整改状态。' })
  status: RectificationStatus;

  @Field(() => Date, { nullable: true, description: '完成（验收）时间；未完成为 null。' })
  completedAt: Date | null;

  @Field(() => String, { nullable: true, description: '完成说明。' })
  note: string | null;

  static from(row: RectificationRow): RectificationItemType {
    return Object.assign(new RectificationItemType(), {
      id: toGlobalId('RectificationItem', row.id),
      row,
      description: row.description,
      deadline: row.deadline,
      status: row.status,
      completedAt: row.completed_at,
      note: row.note,
    });
  }
}

@ObjectType('CaseRelation', { description: '案件关联 (case relation)：从本案看另一案件。' })
export class CaseRelationType {
  @Field(() => CaseRelationKindEnum, { description: '关联类型。' })
  kind: CaseRelationKind;

  @Field(() => CaseType, { description: '关联的另一案件。' })
  case: CaseType;

  static from(row: CaseRelationRow): CaseRelationType {
    return Object.assign(new CaseRelationType(), { kind: row.relation_kind, case: CaseType.from(row) });
  }
}

@InputType('CaseFilter', { description: '案件筛选 (case filter)：各条件同时满足。' })
export class CaseFilter {
  @Field(() => [CaseStatusEnum], { nullable: true, description: '状态之一。' })
  status?: CaseStatus[] | null;

  @Field(() => ID, { nullable: true, description: '承办单位的全局编号。' })
  ownerDepartmentId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '行政区划代码：该区划及其下级。A region and everything below it.',
  })
  regionCode?: string | null;
}

@InputType('OpenCaseInput', { description: '立案 (open case) 的输入。' })
export class OpenCaseInput {
  @Field(() => [ID], { description: '线索的全局编号：1–100 条，均为本单位承办、状态为属实。' })
  clueIds: string[];

  @Field({ description: '案件名称，不能为空。' })
  title: string;

  @Field(() => ID, { nullable: true, description: '主办人 (lead investigator)：本单位在职用户的全局编号。' })
  leadInvestigatorId?: string | null;
}

@InputType('AddSanctionInput', {
  description: '追加处理处罚 (add sanction) 的输入：personId 与 institutionCode 恰好给一个。',
})
export class AddSanctionInput {
  @Field(() => ID, { description: '案件的全局编号。' })
  caseId: string;

  @Field(() => SanctionKindEnum, { description: '处理处罚种类。' })
  kind: SanctionKind;

  @Field(() => String, { nullable: true, description: '被处理人的人员编号 (person id)。' })
  personId?: string | null;

  @Field(() => String, { nullable: true, description: '被处理机构的编码。' })
  institutionCode?: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: '金额，元，不可为负：罚款 (ADMINISTRATIVE_PENALTY) 和追回医保基金 (FUND_RECOVERY) 必填。',
  })
  amount?: string | null;

  @Field(() => String, { nullable: true, description: '说明。' })
  note?: string | null;
}

@InputType('AddRectificationInput', { description: '下达整改事项 (add rectification) 的输入。' })
export class AddRectificationInput {
  @Field(() => ID, { description: '案件的全局编号。' })
  caseId: string;

  @Field({ description: '整改要求，不能为空。' })
  description: string;

  @Field(() => ID, { description: '整改责任单位的全局编号。' })
  ownerDepartmentId: string;

  @Field(() => DateScalar, { description: '整改期限：不早于今天（Asia/Shanghai）。' })
  deadline: string;
}
