import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { CaseRelationKindEnum } from '../../graphql/enums';
import { pageSize } from '../../core/pagination';
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
  @Query(() => CaseType, { nullable: true, description: 'null when unknown or not visible' })
  async case(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    requireActor(ctx);
    const row = await ctx.loaders.visibleCase.load(rowId(id, 'Case'));
    return row && CaseType.from(row);
  }

  @Query(() => CaseConnection, { description: 'Newest first.' })
  async cases(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CaseFilter, { nullable: true }) filter?: CaseFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CaseConnection> {
    const actor = requireActor(ctx);
    const page = await listCases(
      ctx.services,
      actor,
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: CaseType.from(e.node) })) };
  }

  @Mutation(() => CaseType, { description: '立案 from substantiated clues owned by my department.' })
  async openCase(
    @Arg('input', () => OpenCaseInput) input: OpenCaseInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CaseType> {
    return CaseType.from(await openCase(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => CaseType)
  async transitionCase(
    @Arg('caseId', () => ID) caseId: string,
    @Arg('event', () => CaseEventEnum) event: CaseTransition,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
    @Arg('noActionDecision', () => String, {
      nullable: true,
      description: 'With DECIDE: records a decision not to sanction (不予处理), which satisfies the decision guard.',
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

  @Mutation(() => SanctionType)
  async addSanction(
    @Arg('input', () => AddSanctionInput) input: AddSanctionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SanctionType> {
    return SanctionType.from(await addSanction(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationItemType)
  async addRectification(
    @Arg('input', () => AddRectificationInput) input: AddRectificationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationItemType> {
    return RectificationItemType.from(await addRectification(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationItemType)
  async completeRectification(
    @Arg('id', () => ID) id: string,
    @Arg('note') note: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationItemType> {
    return RectificationItemType.from(await completeRectification(ctx.services, requireActor(ctx), id, note));
  }

  @Mutation(() => CaseType, { description: 'Links two cases both ways; the caller owns the first.' })
  async linkCases(
    @Arg('caseId', () => ID) caseId: string,
    @Arg('otherCaseId', () => ID) otherCaseId: string,
    @Arg('kind', () => CaseRelationKindEnum) kind: CaseRelationKind,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CaseType> {
    return CaseType.from(await linkCases(ctx.services, requireActor(ctx), caseId, otherCaseId, kind));
  }

  @FieldResolver(() => DepartmentType)
  async owner(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const d = await ctx.loaders.department.load(c.row.owner_department_id);
    if (!d) throw new Error(`department ${c.row.owner_department_id} of case ${c.row.id} is missing`);
    return DepartmentType.from(d);
  }

  @FieldResolver(() => UserType, { nullable: true })
  async leadInvestigator(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!c.row.lead_investigator_id) return null;
    const u = await ctx.loaders.user.load(c.row.lead_investigator_id);
    return u && UserType.from(u);
  }

  @FieldResolver(() => [ClueType], { description: 'The clues the case was filed from that the caller may see.' })
  async clues(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<ClueType[]> {
    return (await ctx.loaders.caseClues.load(c.row.id)).map(ClueType.from);
  }

  @FieldResolver(() => [SanctionType])
  async sanctions(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<SanctionType[]> {
    return (await ctx.loaders.caseSanctions.load(c.row.id)).map(SanctionType.from);
  }

  @FieldResolver(() => [RectificationItemType])
  async rectifications(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<RectificationItemType[]> {
    return (await ctx.loaders.caseRectifications.load(c.row.id)).map(RectificationItemType.from);
  }

  @FieldResolver(() => [CaseRelationType], { description: 'Linked cases the caller may see.' })
  async relations(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<CaseRelationType[]> {
    return (await ctx.loaders.caseRelations.load(c.row.id)).map(CaseRelationType.from);
  }

  @FieldResolver(() => [CaseEventEnum], {
    description: 'Events the caller may fire now (state and permission; guards are checked on firing).',
  })
  allowedEvents(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): CaseTransition[] {
    return caseAllowedEvents(requireActor(ctx), c.row);
  }

  @FieldResolver(() => [StateChange])
  async timeline(@Root() c: CaseType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Case.load(c.row.id));
  }
}

@Resolver(() => SanctionType)
export class SanctionResolver {
  @FieldResolver(() => PersonType, { nullable: true })
  async person(@Root() s: SanctionType, @Ctx() ctx: GraphQLContext): Promise<PersonType | null> {
    if (!s.row.person_id) return null;
    const p = await ctx.loaders.person.load(s.row.person_id);
    return p && PersonType.from(p);
  }

  @FieldResolver(() => InstitutionType, { nullable: true })
  async institution(@Root() s: SanctionType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType | null> {
    if (!s.row.institution_code) return null;
    const i = await ctx.loaders.institution.load(s.row.institution_code);
    return i && InstitutionType.from(i);
  }

  @FieldResolver(() => UserType, { nullable: true, description: 'Who recorded the sanction.' })
  async decidedBy(@Root() s: SanctionType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!s.row.decided_by) return null;
    const u = await ctx.loaders.user.load(s.row.decided_by);
    return u && UserType.from(u);
  }
}

@Resolver(() => RectificationItemType)
export class RectificationItemResolver {
  @FieldResolver(() => DepartmentType)
  async ownerDepartment(@Root() r: RectificationItemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    const d = await ctx.loaders.department.load(r.row.owner_department_id);
    if (!d) throw new Error(`department ${r.row.owner_department_id} of rectification ${r.row.id} is missing`);
    return DepartmentType.from(d);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description: 'null for a rectifying department that may not see the case itself.',
  })
  async case(@Root() r: RectificationItemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    const row = await ctx.loaders.visibleCase.load(r.row.case_id);
    return row && CaseType.from(row);
  }
}
