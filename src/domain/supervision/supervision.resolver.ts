import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { pageSize } from '../../core/pagination';
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

async function department(ctx: GraphQLContext, id: string): Promise<DepartmentType> {
  const d = await ctx.loaders.department.load(id);
  if (!d) throw new Error(`department ${id} is missing`);
  return DepartmentType.from(d);
}

@Resolver(() => SupervisionItemType)
export class SupervisionResolver {
  @Query(() => SupervisionItemConnection, {
    description: 'Newest first: items my department created or is assigned, and those in my view.',
  })
  async supervisionItems(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => SupervisionFilter, { nullable: true }) filter?: SupervisionFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<SupervisionItemConnection> {
    const actor = requireActor(ctx);
    const page = await listSupervisionItems(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: SupervisionItemType.from(e.node) })) };
  }

  @Mutation(() => SupervisionItemType, {
    description: 'Leaders only, over a clue, case or transfer their department can see.',
  })
  async createSupervisionItem(
    @Arg('input', () => CreateSupervisionInput) input: CreateSupervisionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(await createSupervisionItem(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => SupervisionItemType)
  async reportSupervisionProgress(
    @Arg('id', () => ID) id: string,
    @Arg('note') note: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(await reportSupervisionProgress(ctx.services, requireActor(ctx), id, note));
  }

  @Mutation(() => SupervisionItemType)
  async completeSupervisionItem(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(
      await completeSupervisionItem(ctx.services, requireActor(ctx), id, expectedVersion),
    );
  }

  @Mutation(() => SupervisionItemType)
  async cancelSupervisionItem(
    @Arg('id', () => ID) id: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<SupervisionItemType> {
    return SupervisionItemType.from(
      await cancelSupervisionItem(ctx.services, requireActor(ctx), id, reason, expectedVersion),
    );
  }

  @FieldResolver(() => ClueType, {
    nullable: true,
    description: 'null when the target is not a clue or not visible to me.',
  })
  async clue(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!item.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(item.row.clue_id);
    return row && ClueType.from(row);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description: 'null when the target is not a case or not visible to me.',
  })
  async case(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    if (!item.row.case_id) return null;
    const row = await ctx.loaders.visibleCase.load(item.row.case_id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => ClueTransferType, {
    nullable: true,
    description: 'null when the target is not a transfer or not visible to me.',
  })
  async transfer(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ClueTransferType | null> {
    if (!item.row.transfer_id) return null;
    const row = await ctx.loaders.visibleTransfer.load(item.row.transfer_id);
    return row && ClueTransferType.from(row);
  }

  @FieldResolver(() => DepartmentType)
  assignedTo(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    return department(ctx, item.row.assigned_to_department_id);
  }

  @FieldResolver(() => DepartmentType, { description: 'The supervising leader’s department.' })
  creatorDepartment(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    return department(ctx, item.row.creator_department_id);
  }

  @FieldResolver(() => UserType)
  async leader(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(item.row.leader_id);
    if (!u) throw new Error(`leader ${item.row.leader_id} is missing`);
    return UserType.from(u);
  }

  @FieldResolver(() => [ProgressReportType], { description: 'Oldest first.' })
  async progress(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<ProgressReportType[]> {
    return (await ctx.loaders.supervisionProgress.load(item.row.id)).map(ProgressReportType.from);
  }

  @FieldResolver(() => [String], { description: 'Events the caller may fire now (COMPLETE, CANCEL).' })
  allowedEvents(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): SupervisionEvent[] {
    return supervisionAllowedEvents(requireActor(ctx), item.row);
  }

  @FieldResolver(() => [StateChange])
  async timeline(@Root() item: SupervisionItemType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.SupervisionItem.load(item.row.id));
  }
}

@Resolver(() => ProgressReportType)
export class ProgressReportResolver {
  @FieldResolver(() => UserType)
  async author(@Root() report: ProgressReportType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const u = await ctx.loaders.user.load(report.authorId);
    if (!u) throw new Error(`author ${report.authorId} is missing`);
    return UserType.from(u);
  }
}
