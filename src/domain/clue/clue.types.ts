import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { TimelineRow } from '../../workflow/timeline.repository';
import { CollisionModelEnum } from '../collision/collision.enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DateScalar, JSONScalar, MoneyScalar } from '../../graphql/scalars';
import { clueMachine, ClueStatus } from './clue.machine';
import type { ClueRow } from './clue.repository';
import { CLUE_SOURCE_LABELS, ClueSource } from './clue.sources';

export { CLUE_SOURCE_LABELS, REGISTRABLE_SOURCES } from './clue.sources';
export type { ClueSource } from './clue.sources';

export const ClueSourceEnum = Object.fromEntries(Object.keys(CLUE_SOURCE_LABELS).map((k) => [k, k])) as Record<
  ClueSource,
  ClueSource
>;
registerEnumType(ClueSourceEnum, {
  name: 'ClueSource',
  description: '线索来源 (clue source)：DATA_COLLISION、TRANSFER、RECHECK 由系统产生，其余可登记。',
  valuesConfig: Object.fromEntries(Object.entries(CLUE_SOURCE_LABELS).map(([k, label]) => [k, { description: label }])),
});
export const ClueStatusEnum = Object.fromEntries(Object.keys(clueMachine.states).map((k) => [k, k])) as Record<
  ClueStatus,
  ClueStatus
>;
registerEnumType(ClueStatusEnum, {
  name: 'ClueStatus',
  description: '线索状态 (clue status)。',
  valuesConfig: Object.fromEntries(Object.entries(clueMachine.states).map(([k, label]) => [k, { description: label }])),
});

export type { ClueRow } from './clue.repository';

@ObjectType('StateChange', {
  description: '时间线条目 (timeline entry)：一次状态变化或事件。时间线: one transition or event of an entity.',
})
export class StateChange {
  @Field({ description: '发生时间。' })
  at: Date;

  actorId: string | null;

  @Field(() => String, { nullable: true, description: '之前的状态；创建时为 null。' })
  from: string | null;

  @Field({ description: '之后的状态；不改变状态的事件与 from 相同。' })
  to: string;

  @Field({
    description: '事件 (event)，如 REGISTER、ROUTE、START_VERIFICATION（中文名见 enumLabels 的 <类型>Event）。',
  })
  event: string;

  @Field(() => String, { nullable: true, description: '备注 (note)：如原因、结论。' })
  note: string | null;

  @Field(() => JSONScalar, { nullable: true, description: '事件详情 (detail)，随事件而异。' })
  detail: unknown;
}

@ObjectType('Clue', { implements: Node, description: '线索 (clue)：从登记、分办、初核到立案或办结，其间可移送。' })
export class ClueType extends Node {
  readonly __typename = 'Clue';

  row: ClueRow;

  @Field({ description: '线索编号 (clue code)：XS<年份>-NNNNNN。' })
  code: string;

  @Field({ description: '标题。' })
  title: string;

  @Field({ description: '线索内容 (description)。' })
  description: string;

  @Field(() => ClueSourceEnum, { description: '线索来源 (source)。' })
  source: ClueSource;

  @Field(() => ClueStatusEnum, { description: '线索状态 (status)。' })
  status: ClueStatus;

  @Field(() => MoneyScalar, { description: '涉及金额 (amount involved)，元；碰撞线索为其疑点金额之和。' })
  amountInvolved: string;

  @Field(() => String, {
    nullable: true,
    description:
      '分办规则 (routing rule)：按哪条规则分办；未按规则时为 null。Which routing rule placed the clue, when a rule did.',
  })
  routingRule: string | null;

  @Field(() => String, { nullable: true, description: '初核结论 (findings)：concludeVerification 时填写。' })
  findings: string | null;

  @Field(() => String, { nullable: true, description: '办结情况 (disposition)：closeClue 时填写。' })
  disposition: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: '办结时追回金额 (recovered amount)，元。Amount recovered when the clue was closed.',
  })
  recoveredAmount: string | null;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
  version: number;

  @Field({ description: '登记时间 (created at)。' })
  createdAt: Date;

  static from(row: ClueRow): ClueType {
    return Object.assign(new ClueType(), {
      id: toGlobalId('Clue', row.id),
      row,
      code: row.code,
      title: row.title,
      description: row.description,
      source: row.source,
      status: row.status,
      amountInvolved: row.amount_involved,
      routingRule: row.routing_rule,
      findings: row.findings,
      disposition: row.disposition,
      recoveredAmount: row.recovered_amount,
      version: row.version,
      createdAt: row.created_at,
    });
  }
}

@ObjectType('ClueConnection', { description: '线索分页列表 (Clue connection)。' })
export class ClueConnection extends ConnectionType(ClueType, 'Clue') {}

@InputType('ClueFilter', { description: '线索筛选 (clue filter)：各条件同时满足 (AND)。' })
export class ClueFilter {
  @Field(() => [ClueStatusEnum], { nullable: true, description: '状态之一。' })
  status?: ClueStatus[] | null;

  @Field(() => ClueSourceEnum, { nullable: true, description: '线索来源。' })
  source?: ClueSource | null;

  @Field(() => CollisionModelEnum, { nullable: true, description: '碰撞模型 (model)。' })
  model?: string | null;

  @Field(() => ID, { nullable: true, description: '承办单位 (owner department) 的全局编号。' })
  ownerDepartmentId?: string | null;

  @Field(() => String, { nullable: true, description: '行政区划代码：该区划及其下级。' })
  regionCode?: string | null;

  @Field(() => String, { nullable: true, description: '机构编码。' })
  institutionCode?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: '涉及金额不少于 (minimum amount)，元。' })
  minAmount?: string | null;

  @Field(() => DateScalar, { nullable: true, description: '登记日期起（含），Asia/Shanghai 日期。' })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: '登记日期止（含），Asia/Shanghai 日期。' })
  createdTo?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: '专项行动 (campaign) 的线索。Clues of this campaign (created from its collision runs).',
  })
  campaignId?: string | null;
}

@InputType('RegisterClueInput', { description: '登记线索 (register clue) 的输入。' })
export class RegisterClueInput {
  @Field({ description: '标题，不能为空。' })
  title: string;

  @Field(() => ClueSourceEnum, {
    description: '来源：PETITION、INSPECTION、SELF_REPORT 或 AUDIT（其余由系统产生，报 BAD_USER_INPUT）。',
  })
  source: ClueSource;

  @Field({ description: '线索内容。' })
  description: string;

  @Field(() => String, {
    nullable: true,
    description: '被反映的机构编码；给出时线索归属该机构所在区划，否则归属登记人单位的区划。',
  })
  institutionCode?: string | null;

  @Field(() => [String], { nullable: true, description: '被反映人的人员编号 (person id)；未知编号报 BAD_USER_INPUT。' })
  personIds?: string[] | null;

  @Field(() => MoneyScalar, { nullable: true, description: '涉及金额，元，不可为负；缺省 0.00。' })
  amountInvolved?: string | null;
}

export function timelineFrom(rows: TimelineRow[]): StateChange[] {
  return rows.map((r) =>
    Object.assign(new StateChange(), {
      at: r.at,
      actorId: r.actor_id,
      from: r.from_state,
      to: r.to_state,
      event: r.event,
      note: r.note,
      detail: r.detail,
    }),
  );
}
