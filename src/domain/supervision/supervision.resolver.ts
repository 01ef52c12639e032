import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { pageSize } from '../../core/pagination';
import { ARG, connectionOf } from '../../graphql/relay';
import { UserType } from '../auth/auth.types';
import { CaseType } from '../case/case.types';
import { ClueType, StateChange, timelineFrom } from '../clue/clue.types';
import { DepartmentType } from '../reference/reference.types';
import { ClueTransferType } from '../transfer/transfer.types';
import { SupervisionEvent } from './supervision.machine';
import {
  cancelSupervisionItem,
  completeSupervisionItem,
  createSupervisionItem,
  listSupervisionItems,
  reportSupervisionProgress,
  supervisionAllowedEvents,
} from './supervision.service';
import {
  CreateSupervisionInput,
  ProgressReportType,
  SupervisionFilter,
  SupervisionItemConnection,
  SupervisionItemType,
} from './supervision.types';
import { referencedDepartment } from '../reference/reference.resolver';

@Resolver(() => SupervisionItemType)
export class SupervisionResolver {
  @Query(() => SupervisionItemConnection, {
    description:
      '督办事项列表，最新的在前：本单位交办或承办的，以及调用者可见范围内的。Newest first: items my department created or is assigned, and those in my view.',
  })
  async supervisionItems(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => SupervisionFilter, { nullable: true, description: '筛选条件。' })
    filter?: SupervisionFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<SupervisionItemConnection> {
    const actor = requireActor(ctx);
    const page = await listSupervisionItems(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => SupervisionItemType.from(row));
  }

  @Mutation(() => SupervisionItemType, {
    description:
      '交办督办事项 (create supervision item)：仅领导，对象为本单位可见的线索、案件或移送；承办单位收到通知。Leaders only, over a clue, case or transfer their department can see.',
  })
  async createSupervisionItem(
    @Arg('input', () => CreateSupervisionInput, { description: '督办事项。' }) input: CreateSupervisionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(await createSupervisionItem(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => SupervisionItemType, {
    description: '报告督办进展 (report progress)：承办单位或督办单位的办案人员等，事项督办中或已逾期时。',
  })
  async reportSupervisionProgress(
    @Arg('id', () => ID, { description: '督办事项的全局编号。' }) id: string,
    @Arg('note', { description: '进展情况，不能为空。' }) note: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(await reportSupervisionProgress(ctx.services, requireActor(ctx), id, note));
  }

  @Mutation(() => SupervisionItemType, {
    description: '办结督办事项 (complete)：交办单位的领导，事项督办中或已逾期时。',
  })
  async completeSupervisionItem(
    @Arg('id', () => ID, { description: '督办事项的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(
      await completeSupervisionItem(ctx.services, requireActor(ctx), id, expectedVersion),
    );
  }

  @Mutation(() => SupervisionItemType, {
    description: '撤销督办事项 (cancel)：交办单位的领导，说明理由，事项督办中或已逾期时。',
  })
  async cancelSupervisionItem(
    @Arg('id', () => ID, { description: '督办事项的全局编号。' }) id: string,
    @Arg('reason', { description: '撤销理由，不能为空。' }) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(
      await cancelSupervisionItem(ctx.services, requireActor(ctx), id, reason, expectedVersion),
    );
  }

  @FieldResolver(() => ClueType, {
    nullable: true,
    description: '督办的线索；对象不是线索或不可见时为 null。null when the target is not a clue or not visible to me.',
  })
  async clue(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!item.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(item.row.clue_id);
    return row && ClueType.from(row);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description: '督办的案件；对象不是案件或不可见时为 null。null when the target is not a case or not visible to me.',
  })
  async case(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    if (!item.row.case_id) return null;
    const row = await ctx.loaders.visibleCase.load(item.row.case_id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => ClueTransferType, {
    nullable: true,
    description:
      '督办的移送；对象不是移送或不可见时为 null。null when the target is not a transfer or not visible to me.',
  })
  async transfer(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ClueTransferType | null> {
    if (!item.row.transfer_id) return null;
    const row = await ctx.loaders.visibleTransfer.load(item.row.transfer_id);
    return row && ClueTransferType.from(row);
  }

  @FieldResolver(() => DepartmentType, { description: '承办单位 (assigned to)。' })
  assignedTo(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, item.row.assigned_to_department_id);
  }

  @FieldResolver(() => DepartmentType, {
    description: '督办单位：督办领导所在单位。The supervising leader’s department.',
  })
  creatorDepartment(
    @Root() item: SupervisionItemType,
    @Ctx() ctx: GraphQLContext,
  ): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, item.row.creator_department_id);
  }

  @FieldResolver(() => UserType, { description: '督办领导（交办人）。' })
  async leader(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(item.row.leader_id);
    if (!u) throw new Error(`leader ${item.row.leader_id} is missing`);
    return UserType.from(u);
  }

  @FieldResolver(() => [ProgressReportType], { description: '督办进展，从早到晚。Oldest first.' })
  async progress(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ProgressReportType[]> {
    return (await ctx.loaders.supervisionProgress.load(item.row.id)).map(ProgressReportType.from);
  }

  @FieldResolver(() => [String], {
    description: '调用者现在可触发的事件 (COMPLETE、CANCEL 等)。Events the caller may fire now (COMPLETE, CANCEL).',
  })
  allowedEvents(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): SupervisionEvent[] {
    return supervisionAllowedEvents(requireActor(ctx), item.row);
  }

  @FieldResolver(() => [StateChange], { description: '时间线，从早到晚。' })
  async timeline(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.SupervisionItem.load(item.row.id));
  }
}

@Resolver(() => ProgressReportType)
export class ProgressReportResolver {
  @FieldResolver(() => UserType, { description: '报告人。' })
  async author(@Root() report: ProgressReportType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(report.authorId);
    if (!u) throw new Error(`author ${report.authorId} is missing`);
    return UserType.from(u);
  }
}
