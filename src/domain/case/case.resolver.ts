import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { CaseRelationKindEnum } from '../../graphql/enums';
import { pageSize } from '../../core/pagination';
import { ARG, connectionOf } from '../../graphql/relay';
import { UserType } from '../auth/auth.types';
import { ClueType, StateChange, timelineFrom } from '../clue/clue.types';
import { DepartmentType, InstitutionType, PersonType } from '../reference/reference.types';
import { CaseTransition } from './case.machine';
import {
  addRectification,
  addSanction,
  caseAllowedEvents,
  completeRectification,
  linkCases,
  listCases,
  openCase,
  transitionCase,
} from './case.service';
import { optionalInstitution, referencedDepartment } from '../reference/reference.resolver';
import { rowId } from '../../core/ids';
import {
  AddRectificationInput,
  AddSanctionInput,
  CaseConnection,
  CaseEventEnum,
  CaseFilter,
  CaseRelationKind,
  CaseRelationType,
  CaseType,
  OpenCaseInput,
  RectificationItemType,
  SanctionType,
} from './case.types';

@Resolver(() => CaseType)
export class CaseResolver {
  @Query(() => CaseType, {
    nullable: true,
    description: '按编号查案件；不存在或不可见时为 null。null when unknown or not visible',
  })
  async case(
    @Arg('id', () => ID, { description: '案件的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CaseType | null> {
    requireActor(ctx);
    const row = await ctx.loaders.visibleCase.load(rowId(id, 'Case'));
    return row && CaseType.from(row);
  }

  @Query(() => CaseConnection, {
    description:
      '案件列表 (cases)，最新的在前：本单位或同类下级单位承办的、由可见线索立的，以及（纪委）辖区内的案件。Newest first.',
  })
  async cases(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CaseFilter, { nullable: true, description: '筛选条件。' }) filter?: CaseFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<CaseConnection> {
    const actor = requireActor(ctx);
    const page = await listCases(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => CaseType.from(row));
  }

  @Mutation(() => CaseType, {
    description:
      '立案 (open case)：本单位的办案人员、科室负责人或领导，由本单位承办的属实线索立案，各线索转为已立案。立案 from substantiated clues owned by my department.',
  })
  async openCase(
    @Arg('input', () => OpenCaseInput, { description: '立案内容。' }) input: OpenCaseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CaseType> {
    return CaseType.from(await openCase(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => CaseType, {
    description:
      '案件流转 (transition case)：承办单位的办案人员等触发事件。DECIDE 需已有处理处罚或不予处理决定；CLOSE 需整改事项全部完成；不允许时报 INVALID_TRANSITION。',
  })
  async transitionCase(
    @Arg('caseId', () => ID, { description: '案件的全局编号。' }) caseId: string,
    @Arg('event', () => CaseEventEnum, { description: '事件。' }) event: CaseTransition,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true, description: '备注，记入时间线。' }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
    @Arg('noActionDecision', () => String, {
      nullable: true,
      description:
        '不予处理决定：仅与 DECIDE 一起使用，不能为空。With DECIDE: records a decision not to sanction (不予处理), which satisfies the decision guard.',
    })
    noActionDecision?: string | null,
  ): Promise<CaseType> {
    const row = await transitionCase(ctx.services, requireActor(ctx), caseId, event, {
      note,
      expectedVersion,
      noActionDecision,
    });
    return CaseType.from(row);
  }

  @Mutation(() => SanctionType, {
    description: '追加处理处罚 (add sanction)：承办单位，在调查、审理或处理决定状态。',
  })
  async addSanction(
    @Arg('input', () => AddSanctionInput, { description: '处理处罚。' }) input: AddSanctionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SanctionType> {
    return SanctionType.from(await addSanction(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationItemType, {
    description:
      '下达整改事项 (add rectification)：承办单位，在审理、处理决定或整改状态；记为该案件问题（问题清单，来源 CASE）的一项整改措施。',
  })
  async addRectification(
    @Arg('input', () => AddRectificationInput, { description: '整改事项。' }) input: AddRectificationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationItemType> {
    return RectificationItemType.from(await addRectification(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationItemType, {
    description: '整改事项完成 (complete rectification)：案件承办单位或整改责任单位，一步完成对应措施的整改与验收。',
  })
  async completeRectification(
    @Arg('id', () => ID, { description: '整改事项的全局编号。' }) id: string,
    @Arg('note', { description: '完成说明，不能为空。' }) note: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationItemType> {
    return RectificationItemType.from(await completeRectification(ctx.services, requireActor(ctx), id, note));
  }

  @Mutation(() => CaseType, {
    description:
      '关联案件 (link cases)：双向记录；调用者须为第一个案件的承办单位人员，两案均须可见。Links two cases both ways; the caller owns the first.',
  })
  async linkCases(
    @Arg('caseId', () => ID, { description: '本单位承办的案件。' }) caseId: string,
    @Arg('otherCaseId', () => ID, { description: '另一案件，不能与 caseId 相同。' }) otherCaseId: string,
    @Arg('kind', () => CaseRelationKindEnum, { description: '关联类型；再次关联同一对案件时改为此类型。' })
    kind: CaseRelationKind,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CaseType> {
    return CaseType.from(await linkCases(ctx.services, requireActor(ctx), caseId, otherCaseId, kind));
  }

  @FieldResolver(() => DepartmentType, { description: '承办单位 (owner)。' })
  owner(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, c.row.owner_department_id);
  }

  @FieldResolver(() => UserType, { nullable: true, description: '主办人 (lead investigator)，如有。' })
  async leadInvestigator(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!c.row.lead_investigator_id) return null;
    const u = await ctx.loaders.user.load(c.row.lead_investigator_id);
    return u && UserType.from(u);
  }

  @FieldResolver(() => [ClueType], {
    description: '立案所依据的线索中调用者可见的。The clues the case was filed from that the caller may see.',
  })
  async clues(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<ClueType[]> {
    return (await ctx.loaders.caseClues.load(c.row.id)).map(ClueType.from);
  }

  @FieldResolver(() => [SanctionType], { description: '处理处罚。' })
  async sanctions(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<SanctionType[]> {
    return (await ctx.loaders.caseSanctions.load(c.row.id)).map(SanctionType.from);
  }

  @FieldResolver(() => [RectificationItemType], { description: '整改事项。' })
  async rectifications(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<RectificationItemType[]> {
    return (await ctx.loaders.caseRectifications.load(c.row.id)).map(RectificationItemType.from);
  }

  @FieldResolver(() => [CaseRelationType], { description: '调用者可见的关联案件。Linked cases the caller may see.' })
  async relations(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<CaseRelationType[]> {
    return (await ctx.loaders.caseRelations.load(c.row.id)).map(CaseRelationType.from);
  }

  @FieldResolver(() => [CaseEventEnum], {
    description:
      '调用者现在可触发的事件（按状态和权限；条件在触发时检查）。Events the caller may fire now (state and permission; guards are checked on firing).',
  })
  allowedEvents(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): CaseTransition[] {
    return caseAllowedEvents(requireActor(ctx), c.row);
  }

  @FieldResolver(() => [StateChange], { description: '时间线，从早到晚。' })
  async timeline(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Case.load(c.row.id));
  }
}

@Resolver(() => SanctionType)
export class SanctionResolver {
  @FieldResolver(() => PersonType, { nullable: true, description: '被处理人，如是对人。' })
  async person(@Root() s: SanctionType, @Ctx() ctx: GraphQLContext): Promise<PersonType | null> {
    if (!s.row.person_id) return null;
    const p = await ctx.loaders.person.load(s.row.person_id);
    return p && PersonType.from(p);
  }

  @FieldResolver(() => InstitutionType, { nullable: true, description: '被处理机构，如是对机构。' })
  institution(
    @Root() s: SanctionType,
    @Ctx() ctx: GraphQLContext,
  ): InstitutionType | null | Promise<InstitutionType | null> {
    return optionalInstitution(ctx, s.row.institution_code);
  }

  @FieldResolver(() => UserType, { nullable: true, description: '记录人。Who recorded the sanction.' })
  async decidedBy(@Root() s: SanctionType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!s.row.decided_by) return null;
    const u = await ctx.loaders.user.load(s.row.decided_by);
    return u && UserType.from(u);
  }
}

@Resolver(() => RectificationItemType)
export class RectificationItemResolver {
  @FieldResolver(() => DepartmentType, { description: '整改责任单位。' })
  ownerDepartment(
    @Root() r: RectificationItemType,
    @Ctx() ctx: GraphQLContext,
  ): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, r.row.owner_department_id);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description:
      '所属案件；整改责任单位看不到案件时为 null。null for a rectifying department that may not see the case itself.',
  })
  async case(@Root() r: RectificationItemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    const row = await ctx.loaders.visibleCase.load(r.row.case_id);
    return row && CaseType.from(row);
  }
}
