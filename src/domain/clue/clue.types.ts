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
registerEnumType(ClueSourceEnum, { name: 'ClueSource' });
export const ClueStatusEnum = Object.fromEntries(Object.keys(clueMachine.states).map((k) => [k, k])) as Record<
  ClueStatus,
  ClueStatus
>;
registerEnumType(ClueStatusEnum, { name: 'ClueStatus' });

export type { ClueRow } from './clue.repository';

@ObjectType('StateChange', { description: '时间线: one transition or event of an entity.' })
export class StateChange {
  @Field()
  at: Date;

  actorId: string | null;

  @Field(() => String, { nullable: true })
  from: string | null;

  @Field()
  to: string;

  @Field()
  event: string;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field(() => JSONScalar, { nullable: true })
  detail: unknown;
}

@ObjectType('Clue', { implements: Node, description: '线索' })
export class ClueType extends Node {
  readonly __typename = 'Clue';

  row: ClueRow;

  @Field()
  code: string;

  @Field()
  title: string;

  @Field()
  description: string;

  @Field(() => ClueSourceEnum)
  source: ClueSource;

  @Field(() => ClueStatusEnum)
  status: ClueStatus;

  @Field(() => MoneyScalar)
  amountInvolved: string;

  @Field(() => String, { nullable: true, description: 'Which routing rule placed the clue, when a rule did.' })
  routingRule: string | null;

  @Field(() => String, { nullable: true, description: '初核 findings' })
  findings: string | null;

  @Field(() => String, { nullable: true, description: '办结 disposition' })
  disposition: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Amount recovered when the clue was closed.' })
  recoveredAmount: string | null;

  @Field(() => Int)
  version: number;

  @Field()
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

@ObjectType('ClueConnection')
export class ClueConnection extends ConnectionType(ClueType, 'Clue') {}

@InputType('ClueFilter')
export class ClueFilter {
  @Field(() => [ClueStatusEnum], { nullable: true })
  status?: ClueStatus[] | null;

  @Field(() => ClueSourceEnum, { nullable: true })
  source?: ClueSource | null;

  @Field(() => CollisionModelEnum, { nullable: true })
  model?: string | null;

  @Field(() => ID, { nullable: true })
  ownerDepartmentId?: string | null;

  @Field(() => String, { nullable: true })
  regionCode?: string | null;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => MoneyScalar, { nullable: true })
  minAmount?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Amount involved at most this (inclusive).' })
  maxAmount?: string | null;

  @Field(() => DateScalar, { nullable: true })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true })
  createdTo?: string | null;

  @Field(() => String, { nullable: true, description: 'Clues naming this person (参保人员 id).' })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Clues of this campaign (created from its collision runs).' })
  campaignId?: string | null;
}

@InputType('RegisterClueInput')
export class RegisterClueInput {
  @Field()
  title: string;

  @Field(() => ClueSourceEnum)
  source: ClueSource;

  @Field()
  description: string;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => [String], { nullable: true })
  personIds?: string[] | null;

  @Field(() => MoneyScalar, { nullable: true })
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
