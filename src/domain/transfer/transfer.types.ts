import { Field, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ID } from 'type-graphql';
import { ConnectionType, Node } from '../../graphql/relay';
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
