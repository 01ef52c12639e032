import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { notFound } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { ARG, connectionOf } from '../../graphql/relay';
import { NotificationAnnouncement } from './notification.feed';
import {
  findNotification,
  listNotifications,
  markNotificationsRead,
  unreadNotificationCount,
} from './notification.service';
import { NotificationConnection, NotificationFilter, NotificationType } from './notification.types';

@Resolver(() => NotificationType)
export class NotificationResolver {
  @Query(() => NotificationConnection, { description: '我的通知，最新的在前。My notifications, newest first.' })
  async notifications(
    @Ctx() ctx: GraphQLContext,
    @Arg('unreadOnly', () => Boolean, { nullable: true, description: 'true 只看未读的。' }) unreadOnly?: boolean | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
    @Arg('filter', () => NotificationFilter, { nullable: true, description: '筛选条件 (filters)。' })
    listFilter?: NotificationFilter | null,
  ): Promise<NotificationConnection> {
    const actor = requireActor(ctx);
    const page = await listNotifications(
      ctx.services,
      actor,
      Boolean(unreadOnly),
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
      listFilter ?? {},
    );
    return connectionOf(page, (row) => NotificationType.from(row));
  }

  @Query(() => Int, { description: '我的未读通知数。How many of my notifications are unread.' })
  unreadNotificationCount(@Ctx() ctx: GraphQLContext): Promise<number> {
    return unreadNotificationCount(ctx.services, requireActor(ctx));
  }

  @Mutation(() => Int, {
    description:
      '标为已读：给出的通知或全部；返回改变的条数。Marks my notifications read (the given ids, or all); returns how many changed.',
  })
  markNotificationsRead(
    @Ctx() ctx: GraphQLContext,
    @Arg('ids', () => [ID], { nullable: true, description: '要标为已读的通知（全局编号）；只处理本人的。' })
    ids?: string[] | null,
    @Arg('all', () => Boolean, { nullable: true, description: 'true 标记本人全部未读通知；ids 与 all 恰好给一个。' })
    all?: boolean | null,
  ): Promise<number> {
    return markNotificationsRead(ctx.services, requireActor(ctx), ids, all);
  }

  @Subscription(() => NotificationType, {
    description:
      '推送给我的新通知：写入它的变更提交后立即推送（任一 API 进程）。A notification for me, as soon as the change that wrote it is committed (any API process).',
    subscribe: ({ context }: { context: GraphQLContext }) => {
      const actor = requireActor(context);
      return pipe(
        context.services.notificationFeed.subscribe(actor.userId),
        filter((a: NotificationAnnouncement) => a.userId === actor.userId),
      );
    },
  })
  async notificationAdded(
    @Root() announcement: NotificationAnnouncement,
    @Ctx() ctx: GraphQLContext,
  ): Promise<NotificationType> {
    const row = await findNotification(ctx.services, requireActor(ctx), announcement.id);
    if (!row) throw notFound('notification');
    return NotificationType.from(row);
  }
}
