import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { caseGraph } from './case-graph.service';
import { CaseGraph } from './case-graph.types';

@Resolver(() => CaseGraph)
export class CaseGraphResolver {
  @Query(() => CaseGraph, {
    description:
      '案件关系图 around a Clue, Case, Institution, Person, CollisionHit, ClueTransfer or Department: ' +
      'depth defaults to 2 (at most 4), limit to 200 nodes (at most 1000); only what the caller may see.',
  })
  caseGraph(
    @Arg('rootId', () => ID, { description: '根对象的全局编号。' }) rootId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('depth', () => Int, {
      nullable: true,
      description: '展开层数：缺省 2，超过 4 按 4 计，负数报 BAD_USER_INPUT。',
    })
    depth?: number | null,
    @Arg('limit', () => Int, {
      nullable: true,
      description: '节点数上限：缺省 200，超过 1000 按 1000 计，小于 1 报 BAD_USER_INPUT。',
    })
    limit?: number | null,
  ): Promise<CaseGraph> {
    return caseGraph(ctx.services.db, requireActor(ctx), rootId, { depth, limit });
  }
}
