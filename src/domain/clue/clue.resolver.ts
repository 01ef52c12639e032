import { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { loadPresent } from '../../graphql/loaders';
import { optionalDepartment, optionalInstitution } from '../reference/reference.resolver';
import { pageSize } from '../../core/pagination';
import { fromGlobalId } from '../../core/ids';
import { MoneyScalar } from '../../graphql/scalars';
import { ARG, connectionOf, selectsField } from '../../graphql/relay';
import { UserType } from '../auth/auth.types';
import { CaseType } from '../case/case.types';
import { CollisionModelEnum } from '../collision/collision.enums';
import { DepartmentType, InstitutionType, PersonType } from '../reference/reference.types';
import { ClueTransferType } from '../transfer/transfer.types';
import {
  clueAllowedEvents,
  closeClue,
  concludeVerification,
  findVisibleClue,
  listClues,
  registerClue,
  startVerification,
} from './clue.service';
import { ClueConnection, ClueFilter, ClueType, RegisterClueInput, StateChange, timelineFrom } from './clue.types';

const clueId = (id: string) => fromGlobalId(id, 'Clue').id;

@Resolver(() => ClueType)
export class ClueResolver {
  @Query(() => ClueType, {
    nullable: true,
    description: '按编号查线索 (clue)；不存在或不可见时为 null。null when unknown or not visible',
  })
  async clue(
    @Arg('id', () => ID, { description: '线索的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueType | null> {
    const actor = requireActor(ctx);
    try {
      return ClueType.from(await findVisibleClue(ctx.services.db, actor, clueId(id)));
    } catch (error) {
      if ((error as { code?: string }).code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  @Query(() => ClueConnection, {
    description:
      '线索列表 (clues)，最新登记的在前：本单位承办、登记、移送或抄送的，同类下级单位承办的，以及（纪委）辖区内的全部线索。',
  })
  async clues(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ClueFilter, { nullable: true, description: '筛选条件。' }) filter?: ClueFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
    @Info() info?: GraphQLResolveInfo,
  ): Promise<ClueConnection> {
    const actor = requireActor(ctx);
    const page = await listClues(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
      // The rows of the filter are counted only when the client asks for totalCount.
      !info || selectsField(info, 'totalCount'),
    );
    return connectionOf(page, (row) => ClueType.from(row));
  }

  @Mutation(() => ClueType, {
    description:
      '登记线索 (register clue)：办案人员、科室负责人或领导登记信访举报、监督检查、自查自纠或审计发现的线索，随后由分办规则自动分办。Registers a petition, inspection, self-report or audit clue; routing places it.',
  })
  async registerClue(
    @Arg('input', { description: '线索内容。' }) input: RegisterClueInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClueType> {
    return ClueType.from(await registerClue(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => ClueType, {
    description:
      '开始初核 (start verification)：承办单位的办案人员、科室负责人或领导，线索须为 ASSIGNED，否则报 INVALID_TRANSITION。',
  })
  async startVerification(
    @Arg('clueId', () => ID, { description: '线索的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(await startVerification(ctx.services, requireActor(ctx), clueId(id), expectedVersion));
  }

  @Mutation(() => ClueType, {
    description:
      '初核结论 (conclude verification)：承办单位对 VERIFYING 的线索作出属实或不属实结论；线索还有待核查 (PENDING) 的疑点时拒绝（先疑点核查）。',
  })
  async concludeVerification(
    @Arg('clueId', () => ID, { description: '线索的全局编号。' }) id: string,
    @Arg('substantiated', { description: 'true 属实 (SUBSTANTIATED)，false 不属实 (UNSUBSTANTIATED)。' })
    substantiated: boolean,
    @Arg('findings', { description: '初核结论，不能为空。' }) findings: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(
      await concludeVerification(ctx.services, requireActor(ctx), clueId(id), substantiated, findings, expectedVersion),
    );
  }

  @Mutation(() => ClueType, {
    description: '办结 (close clue)：承办单位办结属实或不属实的线索（属实的也可立案，见 openCase）。',
  })
  async closeClue(
    @Arg('clueId', () => ID, { description: '线索的全局编号。' }) id: string,
    @Arg('disposition', { description: '办结情况，不能为空。' }) disposition: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('recoveredAmount', () => MoneyScalar, { nullable: true, description: '追回金额，元，不可为负。' })
    recoveredAmount?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<ClueType> {
    return ClueType.from(
      await closeClue(ctx.services, requireActor(ctx), clueId(id), disposition, recoveredAmount, expectedVersion),
    );
  }

  @FieldResolver(() => CollisionModelEnum, { nullable: true, description: '碰撞模型 (model)：数据碰撞线索才有。' })
  model(@Root() clue: ClueType): string | null {
    return clue.row.model;
  }

  @FieldResolver(() => InstitutionType, { nullable: true, description: '被反映的定点医药机构，如有。' })
  institution(
    @Root() clue: ClueType,
    @Ctx() ctx: GraphQLContext,
  ): InstitutionType | null | Promise<InstitutionType | null> {
    return optionalInstitution(ctx, clue.row.institution_code);
  }

  @FieldResolver(() => [PersonType], {
    description: '涉及人员：先被反映人，再证据中的人员。Subjects first, then persons of the evidence.',
  })
  async persons(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<PersonType[]> {
    const rows = await ctx.loaders.cluePersons.load(clue.row.id);
    return (
      await loadPresent(
        ctx.loaders.person,
        rows.map((r) => r.person_id),
      )
    ).map(PersonType.from);
  }

  @FieldResolver(() => DepartmentType, { nullable: true, description: '承办单位 (owner)；分办前为 null。' })
  owner(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): DepartmentType | null | Promise<DepartmentType> {
    return optionalDepartment(ctx, clue.row.owner_department_id);
  }

  @FieldResolver(() => [DepartmentType], { description: '抄送单位: departments the clue is copied to (read-only).' })
  async copiedTo(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    const rows = await ctx.loaders.clueCopies.load(clue.row.id);
    return (
      await loadPresent(
        ctx.loaders.department,
        rows.map((r) => r.department_id),
      )
    ).map(DepartmentType.from);
  }

  @FieldResolver(() => [ClueTransferType], { description: '该线索的移送 (transfers)。' })
  async transfers(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<ClueTransferType[]> {
    return (await ctx.loaders.clueTransfers.load(clue.row.id)).map(ClueTransferType.from);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description: '由该线索立的案件，可见时。The case opened from this clue, when visible.',
  })
  async case(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    const row = await ctx.loaders.clueCase.load(clue.row.id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => [String], {
    description:
      '调用者现在可触发的事件 (allowed events)，按状态和权限。Events the caller may fire now (state and permission).',
  })
  allowedEvents(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): string[] {
    return clueAllowedEvents(requireActor(ctx), clue.row);
  }

  @FieldResolver(() => [StateChange], { description: '时间线 (timeline)，从早到晚。' })
  async timeline(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Clue.load(clue.row.id));
  }
}

@Resolver(() => StateChange)
export class StateChangeResolver {
  @FieldResolver(() => UserType, {
    nullable: true,
    description: '操作人；系统（分办、定时任务）为 null。null for the system (routing, scheduled jobs).',
  })
  async actor(@Root() change: StateChange, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!change.actorId) return null;
    const user = await ctx.loaders.user.load(change.actorId);
    return user && UserType.from(user);
  }
}
