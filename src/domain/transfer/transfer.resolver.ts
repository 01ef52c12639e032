import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { allowedEvents } from '../../workflow/machine';
import { UserType } from '../auth/auth.types';
import { ClueType, StateChange, timelineFrom } from '../clue/clue.types';
import { DepartmentType } from '../reference/reference.types';
import { transferMachine } from './transfer.machine';
import {
  acceptTransfer,
  extendTransferFeedback,
  listTransfers,
  requestTransfer,
  returnTransfer,
  submitTransferFeedback,
  transferParties,
} from './transfer.service';
import { ClueTransferConnection, ClueTransferType, RequestTransferInput, TransferFilter } from './transfer.types';

@Resolver(() => ClueTransferType)
export class TransferResolver {
  @Query(() => ClueTransferConnection, { description: 'Transfers of the clues the caller may see, newest first.' })
  async transfers(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => TransferFilter, { nullable: true }) filter?: TransferFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<ClueTransferConnection> {
    const actor = requireActor(ctx);
    const page = await listTransfers(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: ClueTransferType.from(e.node) })) };
  }

  @Mutation(() => ClueTransferType, { description: '申请移送 to any department of the four agencies.' })
  async requestTransfer(
    @Arg('input') input: RequestTransferInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await requestTransfer(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => ClueTransferType, { description: '接收: the receiver becomes the clue’s owner.' })
  async acceptTransfer(
    @Arg('transferId', () => ID) transferId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await acceptTransfer(ctx.services, requireActor(ctx), transferId));
  }

  @Mutation(() => ClueTransferType, { description: '退回 with a reason: the clue returns to its previous state.' })
  async returnTransfer(
    @Arg('transferId', () => ID) transferId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await returnTransfer(ctx.services, requireActor(ctx), transferId, reason));
  }

  @Mutation(() => ClueTransferType, { description: '反馈 the result to the sender.' })
  async submitTransferFeedback(
    @Arg('transferId', () => ID) transferId: string,
    @Arg('feedback') feedback: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await submitTransferFeedback(ctx.services, requireActor(ctx), transferId, feedback));
  }

  @Mutation(() => ClueTransferType, {
    description: 'Extends the feedback deadline, with a reason, to `months` after the request (3 at first, 6 at most).',
  })
  async extendTransferFeedback(
    @Arg('transferId', () => ID) transferId: string,
    @Arg('months', () => Int) months: number,
    @Arg('reason') reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(
      await extendTransferFeedback(ctx.services, requireActor(ctx), transferId, months, reason, expectedVersion),
    );
  }

  @FieldResolver(() => ClueType)
  async clue(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<ClueType> {
    const clue = await ctx.loaders.visibleClue.load(t.row.clue_id);
    if (!clue) throw notFound('clue');
    return ClueType.from(clue);
  }

  @FieldResolver(() => DepartmentType)
  from(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext) {
    return department(ctx, t.row.from_department_id);
  }

  @FieldResolver(() => DepartmentType)
  to(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext) {
    return department(ctx, t.row.to_department_id);
  }

  @FieldResolver(() => UserType)
  async requestedBy(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const user = await ctx.loaders.user.load(t.row.requested_by);
    if (!user) throw notFound('user');
    return UserType.from(user);
  }

  @FieldResolver(() => [String])
  allowedEvents(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): string[] {
    return allowedEvents(transferMachine, t.row.status, transferParties(requireActor(ctx), t.row));
  }

  @FieldResolver(() => [StateChange])
  async timeline(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.ClueTransfer.load(t.row.id));
  }
}

async function department(ctx: GraphQLContext, id: string): Promise<DepartmentType> {
  const d = await ctx.loaders.department.load(id);
  if (!d) throw notFound('department');
  return DepartmentType.from(d);
}
