import { filter, pipe } from '@graphql-yoga/subscription';
import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { notFound } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
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
  @Query(() => NotificationConnection, { description: 'My notifications, newest first.' })
  async notifications(
    @Ctx() ctx: GraphQLContext,
    @Arg('unreadOnly', () => Boolean, { nullable: true }) unreadOnly?: boolean | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => NotificationFilter, { nullable: true }) listFilter?: NotificationFilter | null,
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
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: NotificationType.from(e.node) })) };
  }

  @Query(() => Int, { description: 'How many of my notifications are unread.' })
  unreadNotificationCount(@Ctx() ctx: GraphQLContext): Promise<number> {
    return unreadNotificationCount(ctx.services, requireActor(ctx));
  }

  @Mutation(() => Int, {
    description: 'Marks my notifications read (the given ids, or all); returns how many changed.',
  })
  markNotificationsRead(
    @Ctx() ctx: GraphQLContext,
    @Arg('ids', () => [ID], { nullable: true }) ids?: string[] | null,
    @Arg('all', () => Boolean, { nullable: true }) all?: boolean | null,
  ): Promise<number> {
    return markNotificationsRead(ctx.services, requireActor(ctx), ids, all);
  }

  @Subscription(() => NotificationType, {
    description: 'A notification for me, as soon as the change that wrote it is committed (any API process).',
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
