import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { forbidden } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { toGlobalId } from '../../core/ids';
import { canReadAuditLog } from '../../policy';
import { ARG } from '../../graphql/relay';
import { UserType } from '../auth/auth.types';
import { listAuditEntries, verifyAuditChain } from './audit.service';
import { AuditChainReportType, AuditEntryConnection, AuditEntryType } from './audit.types';

@Resolver(() => AuditEntryType)
export class AuditResolver {
  @Query(() => AuditEntryConnection, {
    description:
      '审计日志 (audit log)，最新的在前 (newest first)。系统管理员 (ADMIN) 及纪委的科室负责人、领导可查，其他人报 FORBIDDEN。Newest first. Administrators and 纪委 supervisors/leaders.',
  })
  async auditLog(
    @Ctx() ctx: GraphQLContext,
    @Arg('targetId', () => String, { nullable: true, description: '只看某对象的条目：对象的全局编号 (global id)。' })
    targetId?: string | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
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

  @Query(() => AuditChainReportType, {
    description:
      '校验审计哈希链 (verify audit chain)：重新计算哈希，发现被修改或删除的条目；权限同 auditLog。Recomputes the hash chain; finds edited or deleted entries.',
  })
  async verifyAuditChain(@Ctx() ctx: GraphQLContext): Promise<AuditChainReportType> {
    const actor = requireActor(ctx);
    if (!canReadAuditLog(actor)) throw forbidden('the audit log is for administrators and discipline inspection');
    const report = await verifyAuditChain(ctx.services.db);
    return Object.assign(new AuditChainReportType(), {
      ...report,
      firstBrokenId: report.firstBrokenId ? toGlobalId('AuditEntry', report.firstBrokenId) : null,
    });
  }

  @FieldResolver(() => UserType, { nullable: true, description: '操作人 (actor)；系统操作或匿名登录尝试为 null。' })
  async actor(@Root() entry: AuditEntryType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!entry.actorId) return null;
    const user = await ctx.loaders.user.load(entry.actorId);
    return user ? UserType.from(user) : null;
  }
}
