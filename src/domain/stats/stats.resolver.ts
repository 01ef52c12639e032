import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { supervisionStats } from './stats.service';
import { SupervisionStats } from './stats.types';

@Resolver(() => SupervisionStats)
export class StatsResolver {
  @Query(() => SupervisionStats, {
    description:
      '督办统计 of a region over [from, to] (Asia/Shanghai dates): leaders and analysts, inside their jurisdiction.',
  })
  supervisionStats(
    @Arg('regionCode') regionCode: string,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionStats> {
    return supervisionStats(ctx.services.db, requireActor(ctx), regionCode, from, to);
  }
}
