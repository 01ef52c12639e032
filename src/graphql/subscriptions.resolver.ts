/**
 * Subscriptions over graphql-ws. Events carry ids; each is re-read under the subscriber's
 * own visibility rules before delivery, so nobody receives what they may not see.
 */
import { filter, pipe } from '@graphql-yoga/subscription';
import { Ctx, Resolver, Root, Subscription } from 'type-graphql';
import { findVisibleClue } from '../domain/clue/clue.service';
import { ClueType } from '../domain/clue/clue.types';
import { findVisibleSupervisionItem } from '../domain/supervision/supervision.service';
import { SupervisionItemType } from '../domain/supervision/supervision.types';
import { findVisibleTransfer } from '../domain/transfer/transfer.service';
import { ClueTransferType } from '../domain/transfer/transfer.types';
import { LiveEvents } from '../events/pubsub';
import { GraphQLContext, requireActor } from './context';

/** Events for the subscriber's own department, and only those it may see. */
function forMyDepartment<K extends 'clueAssigned' | 'transferReceived'>(
  topic: K,
  visible: (ctx: GraphQLContext, payload: LiveEvents[K]) => Promise<unknown>,
) {
  return ({ context }: { context: GraphQLContext }) => {
    const actor = requireActor(context);
    return pipe(
      context.services.events.subscribe(topic),
      filter(async (payload: LiveEvents[K]) => {
        if (payload.departmentId !== actor.department.id) return false;
        return visible(context, payload).then(
          () => true,
          () => false,
        );
      }),
    );
  };
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => ClueType, {
    description: '线索分办或移送给本单位时推送。A clue routed or transferred to my department.',
    subscribe: forMyDepartment('clueAssigned', (ctx, p) =>
      findVisibleClue(ctx.services.db, requireActor(ctx), p.clueId),
    ),
  })
  async clueAssigned(@Root() payload: LiveEvents['clueAssigned'], @Ctx() ctx: GraphQLContext): Promise<ClueType> {
    return ClueType.from(await findVisibleClue(ctx.services.db, requireActor(ctx), payload.clueId));
  }

  @Subscription(() => ClueTransferType, {
    description: '有移送给本单位时推送。A transfer addressed to my department.',
    subscribe: forMyDepartment('transferReceived', (ctx, p) =>
      findVisibleTransfer(ctx.services.db, requireActor(ctx), p.transferId),
    ),
  })
  async transferReceived(
    @Root() payload: LiveEvents['transferReceived'],
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await findVisibleTransfer(ctx.services.db, requireActor(ctx), payload.transferId));
  }

  @Subscription(() => SupervisionItemType, {
    description:
      '本单位承办或交办的督办事项逾期时推送。A supervision item assigned to or created by my department became overdue.',
    subscribe: ({ context }: { context: GraphQLContext }) => {
      const actor = requireActor(context);
      return pipe(
        context.services.events.subscribe('supervisionOverdue'),
        filter(async (payload: LiveEvents['supervisionOverdue']) => {
          try {
            const item = await findVisibleSupervisionItem(context.services.db, actor, payload.itemId);
            return [item.assigned_to_department_id, item.creator_department_id].includes(actor.department.id);
          } catch {
            return false;
          }
        }),
      );
    },
  })
  async supervisionOverdue(
    @Root() payload: LiveEvents['supervisionOverdue'],
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(
      await findVisibleSupervisionItem(ctx.services.db, requireActor(ctx), payload.itemId),
    );
  }
}
