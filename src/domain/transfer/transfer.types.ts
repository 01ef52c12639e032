import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ID } from 'type-graphql';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { CollisionModelEnum } from '../collision/collision.enums';
import { toGlobalId } from '../../core/ids';
import { transferMachine, TransferStatus } from './transfer.machine';
import { TransferRow } from './transfer.repository';

export const TransferStatusEnum = Object.fromEntries(Object.keys(transferMachine.states).map((k) => [k, k])) as Record<
  TransferStatus,
  TransferStatus
>;
registerEnumType(TransferStatusEnum, { name: 'TransferStatus' });

export enum TransferDirection {
  INCOMING = 'INCOMING',
  OUTGOING = 'OUTGOING',
}
registerEnumType(TransferDirection, { name: 'TransferDirection' });

@ObjectType('ClueTransfer', { implements: Node, description: '线索移送' })
export class ClueTransferType extends Node {
  readonly __typename = 'ClueTransfer';

  row: TransferRow;

  @Field()
  reason: string;

  @Field(() => TransferStatusEnum)
  status: TransferStatus;

  @Field()
  requestedAt: Date;

  @Field()
  acceptDeadline: Date;

  @Field(() => Date, { nullable: true })
  feedbackDeadline: Date | null;

  @Field(() => Date, { nullable: true })
  respondedAt: Date | null;

  @Field(() => String, { nullable: true })
  returnReason: string | null;

  @Field(() => String, { nullable: true })
  feedback: string | null;

  @Field(() => Date, { nullable: true })
  feedbackAt: Date | null;

  @Field({ description: 'Past its accept or feedback deadline (set by the deadline sweep).' })
  overdue: boolean;

  @Field(() => Int)
  version: number;

  static from(row: TransferRow): ClueTransferType {
    return Object.assign(new ClueTransferType(), {
      id: toGlobalId('ClueTransfer', row.id),
      row,
      reason: row.reason,
      status: row.status,
      requestedAt: row.requested_at,
      acceptDeadline: row.accept_deadline,
      feedbackDeadline: row.feedback_deadline,
      respondedAt: row.responded_at,
      returnReason: row.return_reason,
      feedback: row.feedback,
      feedbackAt: row.feedback_at,
      overdue: row.overdue,
      version: row.version,
    });
  }
}

@ObjectType('ClueTransferConnection')
export class ClueTransferConnection extends ConnectionType(ClueTransferType, 'ClueTransfer') {}

@InputType('TransferFilter')
export class TransferFilter {
  @Field(() => TransferDirection, { nullable: true })
  direction?: TransferDirection | null;

  @Field(() => [TransferStatusEnum], { nullable: true })
  status?: TransferStatus[] | null;

  @Field(() => Boolean, { nullable: true })
  overdue?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'Transfers sent by this department.' })
  fromDepartmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Transfers addressed to this department.' })
  toDepartmentId?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Requested on or after this day.' })
  requestedFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Requested on or before this day.' })
  requestedTo?: string | null;

  @Field(() => String, { nullable: true, description: 'Transfers of clues of this region and below.' })
  regionCode?: string | null;

  @Field(() => CollisionModelEnum, { nullable: true, description: 'Transfers of clues of this collision model.' })
  model?: string | null;

  @Field(() => String, { nullable: true, description: 'Transfers of clues about this institution.' })
  institutionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Transfers of clues naming this person (参保人员 id).' })
  personId?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'The clue’s amount involved at least this.' })
  minAmount?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'The clue’s amount involved at most this.' })
  maxAmount?: string | null;

  @Field(() => ID, { nullable: true, description: 'Transfers of clues of this campaign.' })
  campaignId?: string | null;
}

@InputType('RequestTransferInput')
export class RequestTransferInput {
  @Field(() => ID)
  clueId: string;

  @Field(() => ID)
  toDepartmentId: string;

  @Field()
  reason: string;

  @Field(() => Int, { nullable: true })
  expectedVersion?: number | null;
}
