import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { forbidden } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { canReadIngestLog } from '../../policy';
import { listIngestFiles } from './ingest.service';
import { IngestFileConnection, IngestFileType } from './ingest.types';

@Resolver(() => IngestFileType)
export class IngestFileResolver {
  @Query(() => IngestFileConnection, { description: 'The ingest log, newest first. 医保 analysts and administrators.' })
  async ingestFiles(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
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
