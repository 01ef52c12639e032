import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { pageSize } from '../../core/pagination';
import { allowedEvents } from '../../workflow/machine';
import { ARG, connectionOf } from '../../graphql/relay';
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
import { referencedDepartment } from '../reference/reference.resolver';

@Resolver(() => ClueTransferType)
export class TransferResolver {
  @Query(() => ClueTransferConnection, {
    description:
      '移送列表 (transfers)：调用者可见线索的移送，最新的在前。Transfers of the clues the caller may see, newest first.',
  })
  async transfers(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => TransferFilter, { nullable: true, description: '筛选条件。' }) filter?: TransferFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<ClueTransferConnection> {
    const actor = requireActor(ctx);
    const page = await listTransfers(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => ClueTransferType.from(row));
  }

  @Mutation(() => ClueTransferType, {
    description:
      '申请移送 (request transfer)：线索承办单位的办案人员、科室负责人或领导，移送给四类单位中任一单位；线索转为移送待接收，接收单位收到通知。申请移送 to any department of the four agencies.',
  })
  async requestTransfer(
    @Arg('input', { description: '移送内容。' }) input: RequestTransferInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await requestTransfer(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => ClueTransferType, {
    description:
      '接收 (accept)：接收单位的办案人员等接收待接收的移送，成为线索的承办单位。接收: the receiver becomes the clue’s owner.',
  })
  async acceptTransfer(
    @Arg('transferId', () => ID, { description: '移送的全局编号。' }) transferId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await acceptTransfer(ctx.services, requireActor(ctx), transferId));
  }

  @Mutation(() => ClueTransferType, {
    description:
      '退回 (return)：接收单位说明理由退回待接收的移送，线索回到移送前的状态。退回 with a reason: the clue returns to its previous state.',
  })
  async returnTransfer(
    @Arg('transferId', () => ID, { description: '移送的全局编号。' }) transferId: string,
    @Arg('reason', { description: '退回理由，不能为空。' }) reason: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await returnTransfer(ctx.services, requireActor(ctx), transferId, reason));
  }

  @Mutation(() => ClueTransferType, {
    description: '反馈结果 (feedback)：接收单位向移送单位反馈已接收移送的办理结果。反馈 the result to the sender.',
  })
  async submitTransferFeedback(
    @Arg('transferId', () => ID, { description: '移送的全局编号。' }) transferId: string,
    @Arg('feedback', { description: '反馈内容，不能为空。' }) feedback: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(await submitTransferFeedback(ctx.services, requireActor(ctx), transferId, feedback));
  }

  @Mutation(() => ClueTransferType, {
    description:
      '延长反馈期限 (extend feedback deadline)：接收单位说明理由，延至申请后 months 个月（首次最多 3 个月，总计最多 6 个月，按地区设置），须晚于原期限。Extends the feedback deadline, with a reason, to `months` after the request (3 at first, 6 at most).',
  })
  async extendTransferFeedback(
    @Arg('transferId', () => ID, { description: '移送的全局编号。' }) transferId: string,
    @Arg('months', () => Int, { description: '申请后的月数：1 至地区设置的上限。' }) months: number,
    @Arg('reason', { description: '延期理由，不能为空。' }) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<ClueTransferType> {
    return ClueTransferType.from(
      await extendTransferFeedback(ctx.services, requireActor(ctx), transferId, months, reason, expectedVersion),
    );
  }

  @FieldResolver(() => ClueType, { description: '被移送的线索。' })
  async clue(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<ClueType> {
    const clue = await ctx.loaders.visibleClue.load(t.row.clue_id);
    if (!clue) throw notFound('clue');
    return ClueType.from(clue);
  }

  @FieldResolver(() => DepartmentType, { description: '移送单位 (from)。' })
  from(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext) {
    return referencedDepartment(ctx, t.row.from_department_id);
  }

  @FieldResolver(() => DepartmentType, { description: '接收单位 (to)。' })
  to(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext) {
    return referencedDepartment(ctx, t.row.to_department_id);
  }

  @FieldResolver(() => UserType, { description: '申请人。' })
  async requestedBy(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<UserType> {
    const user = await ctx.loaders.user.load(t.row.requested_by);
    if (!user) throw notFound('user');
    return UserType.from(user);
  }

  @FieldResolver(() => [String], {
    description: '调用者现在可触发的事件 (ACCEPT、RETURN、GIVE_FEEDBACK、EXTEND_FEEDBACK 等)。',
  })
  allowedEvents(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): string[] {
    return allowedEvents(transferMachine, t.row.status, transferParties(requireActor(ctx), t.row));
  }

  @FieldResolver(() => [StateChange], { description: '时间线，从早到晚。' })
  async timeline(@Root() t: ClueTransferType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.ClueTransfer.load(t.row.id));
  }
}
