import { Field, ID, ObjectType } from 'type-graphql';
import { isNodeTypeName, toGlobalId } from '../../core/ids';
import { ConnectionType, Node } from '../../graphql/relay';
import { NOTIFICATION_KINDS } from './notification.kinds';
import type { NotificationRow } from './notification.repository';

@ObjectType('Notification', {
  implements: Node,
  description: "通知 (notification)：发给一个用户的事件通知。通知: one recipient's notice of an event (PRODUCT.md §9).",
})
export class NotificationType extends Node {
  readonly __typename = 'Notification';

  @Field({
    description:
      '通知类型代码 (kind)：What happened, e.g. TRANSFER_RECEIVED, MEASURE_OVERDUE (kindLabel: its Chinese name).',
  })
  kind: string;

  @Field({ description: '通知类型 (中文)' })
  kindLabel: string;

  @Field({ description: '标题（一句话说明）。' })
  title: string;

  @Field(() => String, { nullable: true, description: '详情，如有。' })
  body: string | null;

  @Field(() => ID, {
    nullable: true,
    description: '相关对象的全局编号。Global id of what it is about (fetch with node(id:)).',
  })
  targetId: string | null;

  @Field({ description: '通知时间。' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: '已读时间；未读为 null。' })
  readAt: Date | null;

  static from(row: NotificationRow): NotificationType {
    return Object.assign(new NotificationType(), {
      id: toGlobalId('Notification', row.id),
      kind: row.kind,
      kindLabel: NOTIFICATION_KINDS[row.kind] ?? row.kind,
      title: row.message,
      body: row.body,
      targetId:
        row.entity_type && row.entity_id && isNodeTypeName(row.entity_type)
          ? toGlobalId(row.entity_type, row.entity_id)
          : null,
      createdAt: row.created_at,
      readAt: row.read_at,
    });
  }
}

@ObjectType('NotificationConnection', { description: '通知分页列表 (Notification connection)。' })
export class NotificationConnection extends ConnectionType(NotificationType, 'Notification') {}
