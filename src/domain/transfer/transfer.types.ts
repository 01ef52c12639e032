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
registerEnumType(TransferStatusEnum, {
  name: 'TransferStatus',
  description: '移送状态 (transfer status)。',
  valuesConfig: Object.fromEntries(
    Object.entries(transferMachine.states).map(([k, label]) => [k, { description: label }]),
  ),
});

export enum TransferDirection {
  INCOMING = 'INCOMING',
  OUTGOING = 'OUTGOING',
}
registerEnumType(TransferDirection, {
  name: 'TransferDirection',
  description: '移送方向 (direction)，相对于调用者的单位。',
  valuesConfig: {
    INCOMING: { description: '移入：移送给本单位的。' },
    OUTGOING: { description: '移出：本单位申请移送的。' },
  },
});

@ObjectType('ClueTransfer', {
  implements: Node,
  description: '线索移送 (clue transfer)：四类单位之间双向移送，期限按工作日计。',
})
export class ClueTransferType extends Node {
  readonly __typename = 'ClueTransfer';

  row: TransferRow;

  @Field({ description: '移送理由 (reason)。' })
  reason: string;

  @Field(() => TransferStatusEnum, { description: '移送状态。' })
  status: TransferStatus;

  @Field({ description: '申请时间 (requested at)。' })
  requestedAt: Date;

  @Field({ description: '接收期限 (accept deadline)：按接收单位所在地区的工作日设置（公安另有期限）。' })
  acceptDeadline: Date;

  @Field(() => Date, {
    nullable: true,
    description: '反馈期限 (feedback deadline)：接收时起算，可延长；接收前为 null。',
  })
  feedbackDeadline: Date | null;

  @Field(() => Date, { nullable: true, description: '接收或退回的时间 (responded at)。' })
  respondedAt: Date | null;

  @Field(() => String, { nullable: true, description: '退回理由 (return reason)。' })
  returnReason: string | null;

  @Field(() => String, { nullable: true, description: '反馈结果 (feedback)。' })
  feedback: string | null;

  @Field(() => Date, { nullable: true, description: '反馈时间。' })
  feedbackAt: Date | null;

  @Field({
    description:
      '已逾期：超过接收或反馈期限（由期限巡检设置）。Past its accept or feedback deadline (set by the deadline sweep).',
  })
  overdue: boolean;

  @Field(() => Int, { description: '版本号 (version)：每个事件加 1，用作 expectedVersion。' })
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

@ObjectType('ClueTransferConnection', { description: '移送分页列表 (ClueTransfer connection)。' })
export class ClueTransferConnection extends ConnectionType(ClueTransferType, 'ClueTransfer') {}

@InputType('TransferFilter', { description: '移送筛选 (transfer filter)：各条件同时满足。' })
export class TransferFilter {
  @Field(() => TransferDirection, { nullable: true, description: '移入或移出（相对本单位）；缺省两者都有。' })
  direction?: TransferDirection | null;

  @Field(() => [TransferStatusEnum], { nullable: true, description: '状态之一。' })
  status?: TransferStatus[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true 只看已逾期的，false 只看未逾期的。' })
  overdue?: boolean | null;
}

@InputType('RequestTransferInput', { description: '申请移送 (request transfer) 的输入。' })
export class RequestTransferInput {
  @Field(() => ID, { description: '线索的全局编号：须为本单位承办，状态为已分办、初核中或属实。' })
  clueId: string;

  @Field(() => ID, { description: '接收单位的全局编号：不能是线索的承办单位。' })
  toDepartmentId: string;

  @Field({ description: '移送理由，不能为空。' })
  reason: string;

  @Field(() => Int, { nullable: true, description: '线索的期望版本号（乐观锁），不符报 VERSION_CONFLICT。' })
  expectedVersion?: number | null;
}
