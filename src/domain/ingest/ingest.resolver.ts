import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { forbidden } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { canReadIngestLog } from '../../policy';
import { ARG } from '../../graphql/relay';
import { listIngestFiles } from './ingest.service';
import { IngestFileConnection, IngestFileType } from './ingest.types';

@Resolver(() => IngestFileType)
export class IngestFileResolver {
  @Query(() => IngestFileConnection, {
    description:
      '数据归集日志 (ingest log)，最新的在前：医保的数据分析员和系统管理员可查，其他人报 FORBIDDEN。The ingest log, newest first. 医保 analysts and administrators.',
  })
  async ingestFiles(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<IngestFileConnection> {
    const actor = requireActor(ctx);
    if (!canReadIngestLog(actor)) throw forbidden('the ingest log is for analysts and administrators of 医保');
    return listIngestFiles(ctx.services, {
      first: pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
      map: IngestFileType.fromRow,
    });
  }
}
