import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { forbidden } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { toGlobalId } from '../../core/ids';
import { canReadAuditLog } from '../../policy';
import { UserType } from '../auth/auth.types';
import { listAuditEntries, verifyAuditChain } from './audit.service';
import { AuditChainReportType, AuditEntryConnection, AuditEntryType } from './audit.types';

@Resolver(() => AuditEntryType)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'Newest first. Administrators and 纪委 supervisors/leaders.' })
  async auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('targetId', () => String, { nullable: true }) targetId?: string | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditEntryConnection> {
    const actor = requireActor(ctx);
    if (!canReadAuditLog(actor)) throw forbidden('the audit log is for administrators and discipline inspection');
    return listAuditEntries(ctx.services.db, {
      targetId,
      first: pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
      map: AuditEntryType.fromRow,
    });
  }

  @Query(() => AuditChainReportType, { description: 'Recomputes the hash chain; finds edited or deleted entries.' })
  async verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainReportType> {
    const actor = requireActor(ctx);
    if (!canReadAuditLog(actor)) throw forbidden('the audit log is for administrators and discipline inspection');
    const report = await verifyAuditChain(ctx.services.db);
    return Object.assign(new AuditChainReportType(), {
      ...report,
      firstBrokenId: report.firstBrokenId ? toGlobalId('AuditEntry', report.firstBrokenId) : null,
    });
  }

  @FieldResolver(() => UserType, { nullable: true })
  async actor(@Root() entry: AuditEntryType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!entry.actorId) return null;
    const user = await ctx.loaders.user.load(entry.actorId);
    return user ? UserType.from(user) : null;
  }
}
