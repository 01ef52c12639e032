import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CaseRelationKindEnum, RectificationStatusEnum, SanctionKindEnum } from '../../graphql/enums';
import { ENUM_LABELS } from '../labels';
import { CollisionModelEnum } from '../collision/collision.enums';
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
  valuesConfig: Object.fromEntries(Object.entries(caseMachine.states).map(([k, label]) => [k, { description: label }])),
});
/** The events of transitionCase; the content events (sanctions, rectifications, links) have mutations of their own. */
export const CaseEventEnum = Object.fromEntries(CASE_TRANSITIONS.map((k) => [k, k])) as Record<
  CaseTransition,
  CaseTransition
>;
registerEnumType(CaseEventEnum, {
  name: 'CaseEvent',
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

@ObjectType('Case', { implements: Node, description: '案件' })
export class CaseType extends Node {
  readonly __typename = 'Case';

  row: CaseRow;

  @Field()
  code: string;

  @Field()
  title: string;

  @Field(() => CaseStatusEnum)
  status: CaseStatus;

  @Field({ description: 'Region of the case (the first clue’s region when it was filed).' })
  regionCode: string;

  @Field(() => String, { nullable: true, description: 'The recorded no-action decision (不予处理), if any.' })
  noActionDecision: string | null;

  @Field(() => Int)
  version: number;

  @Field()
  createdAt: Date;

  @Field()
  filedAt: Date;

  @Field(() => Date, { nullable: true })
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

@ObjectType('CaseConnection')
export class CaseConnection extends ConnectionType(CaseType, 'Case') {}

@ObjectType('Sanction', { implements: Node, description: '处理处罚' })
export class SanctionType extends Node {
  readonly __typename = 'Sanction';

  row: SanctionRow;

  @Field(() => SanctionKindEnum)
  kind: SanctionKind;

  @Field(() => MoneyScalar, { nullable: true })
  amount: string | null;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field()
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

@ObjectType('RectificationItem', { implements: Node, description: '整改事项' })
export class RectificationItemType extends Node {
  readonly __typename = 'RectificationItem';

  row: RectificationRow;

  @Field()
  description: string;

  @Field(() => DateScalar)
  deadline: string;

  @Field(() => RectificationStatusEnum)
  status: RectificationStatus;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => String, { nullable: true })
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

@ObjectType('CaseRelation')
export class CaseRelationType {
  @Field(() => CaseRelationKindEnum)
  kind: CaseRelationKind;

  @Field(() => CaseType)
  case: CaseType;

  static from(row: CaseRelationRow): CaseRelationType {
    return Object.assign(new CaseRelationType(), { kind: row.relation_kind, case: CaseType.from(row) });
  }
}

@InputType('CaseFilter')
export class CaseFilter {
  @Field(() => [CaseStatusEnum], { nullable: true })
  status?: CaseStatus[] | null;

  @Field(() => ID, { nullable: true })
  ownerDepartmentId?: string | null;

  @Field(() => String, { nullable: true, description: 'A region and everything below it.' })
  regionCode?: string | null;

  @Field(() => CollisionModelEnum, { nullable: true, description: 'Cases with a clue of this collision model.' })
  model?: string | null;

  @Field(() => String, { nullable: true, description: 'Cases with a clue about this institution.' })
  institutionCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Cases about this person (参保人员 id): named by one of its clues or sanctioned in it.',
  })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Cases with a clue of this campaign.' })
  campaignId?: string | null;

  @Field(() => ID, { nullable: true })
  leadInvestigatorId?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Σ amount involved of the case’s clues at least this.' })
  minAmount?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Σ amount involved of the case’s clues at most this.' })
  maxAmount?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Filed (立案) on or after this day.' })
  filedFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Filed on or before this day.' })
  filedTo?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Closed (结案) on or after this day.' })
  closedFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Closed on or before this day.' })
  closedTo?: string | null;
}

@InputType('OpenCaseInput')
export class OpenCaseInput {
  @Field(() => [ID])
  clueIds: string[];

  @Field()
  title: string;

  @Field(() => ID, { nullable: true })
  leadInvestigatorId?: string | null;
}

@InputType('AddSanctionInput')
export class AddSanctionInput {
  @Field(() => ID)
  caseId: string;

  @Field(() => SanctionKindEnum)
  kind: SanctionKind;

  @Field(() => String, { nullable: true })
  personId?: string | null;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => MoneyScalar, { nullable: true })
  amount?: string | null;

  @Field(() => String, { nullable: true })
  note?: string | null;
}

@InputType('AddRectificationInput')
export class AddRectificationInput {
  @Field(() => ID)
  caseId: string;

  @Field()
  description: string;

  @Field(() => ID)
  ownerDepartmentId: string;

  @Field(() => DateScalar)
  deadline: string;
}
