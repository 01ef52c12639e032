import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { supervisionStats } from './stats.service';
import { SupervisionStats } from './stats.types';

@Resolver(() => SupervisionStats)
export class StatsResolver {
  @Query(() => SupervisionStats, {
    description:
      '督办统计 (supervision stats)：领导和数据分析员，区划在其辖区内。督办统计 of a region over [from, to] (Asia/Shanghai dates): leaders and analysts, inside their jurisdiction.',
  })
  supervisionStats(
    @Arg('regionCode', { description: '行政区划代码，须在调用者辖区内。' }) regionCode: string,
    @Arg('from', () => DateScalar, { description: '时间窗起（含）。' }) from: string,
    @Arg('to', () => DateScalar, { description: '时间窗止（含）。' }) to: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionStats> {
    const { db, config } = ctx.services;
    return supervisionStats(db, requireActor(ctx), regionCode, from, to, 'rollup', config.stats.maxStalenessMs);
  }
}
