import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { ARG, connectionOf } from '../../graphql/relay';
import { UserType } from '../auth/auth.types';
import { StateChange, timelineFrom } from '../clue/clue.types';
import { ProblemRow } from '../problem/problem.repository';
import { ProblemType } from '../problem/problem.types';
import { DepartmentType, InstitutionType } from '../reference/reference.types';
import { createInspection, inspectionAllowedEvents, listInspections, transitionInspection } from './inspection.service';
import { CreateInspectionInput, InspectionConnection, InspectionFilter, InspectionType } from './inspection.types';
import { referencedDepartment } from '../reference/reference.resolver';

@Resolver(() => InspectionType)
export class InspectionResolver {
  @Query(() => InspectionConnection, {
    description:
      'Newest first: inspections my department leads or has team members in, those led by same-kind departments below, and (纪委) those of my jurisdiction.',
  })
  async inspections(
    @Ctx() ctx: GraphQLContext,
    @Arg('campaignId', () => ID, { nullable: true, description: '专项行动的检查。Inspections of this campaign.' })
    campaignId?: string | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
    @Arg('filter', () => InspectionFilter, { nullable: true, description: '其他筛选条件。' })
    filter?: InspectionFilter | null,
  ): Promise<InspectionConnection> {
    const page = await listInspections(
      ctx.services,
      requireActor(ctx),
      { ...(filter ?? {}), campaignId },
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => InspectionType.from(row));
  }

  @Mutation(() => InspectionType, {
    description: 'A leader or section head of 医保, 卫健 or 纪委 plans an inspection led by their department.',
  })
  async createInspection(
    @Arg('input', () => CreateInspectionInput, { description: '检查计划。' }) input: CreateInspectionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InspectionType> {
    return InspectionType.from(await createInspection(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => InspectionType, {
    description:
      '检查流转 (transition inspection)：牵头单位或检查组成员触发开始、报告（检查发现列入问题清单）或结束。START, REPORT (with findings: they become a problem of source INSPECTION) or CLOSE, by the lead department or the team.',
  })
  async transitionInspection(
    @Arg('inspectionId', () => ID, { description: '检查的全局编号。' }) inspectionId: string,
    @Arg('event', { description: '事件：START 开始、REPORT 报告、CLOSE 结束。' }) event: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('findings', () => String, { nullable: true, description: '检查发现：仅随 REPORT 给出，且 REPORT 必填。' })
    findings?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<InspectionType> {
    return InspectionType.from(
      await transitionInspection(ctx.services, requireActor(ctx), inspectionId, event, findings, expectedVersion),
    );
  }

  @FieldResolver(() => InstitutionType, { description: '被检查的机构。The inspected institution.' })
  async institution(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const row = await ctx.loaders.institution.load(i.row.institution_code);
    if (!row) throw new Error(`institution ${i.row.institution_code} is missing`);
    return InstitutionType.from(row);
  }

  @FieldResolver(() => DepartmentType, {
    description: "牵头单位：安排检查的单位。The planner's department, which leads it.",
  })
  leadDepartment(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, i.row.lead_department_id);
  }

  @FieldResolver(() => [UserType], { description: '检查组成员, by username.' })
  async team(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<UserType[]> {
    const members = await ctx.loaders.inspectionTeam.load(i.row.id);
    const users = await ctx.loaders.user.loadMany(members.map((t) => t.user_id));
    return users.flatMap((u) => (u && !(u instanceof Error) ? [UserType.from(u)] : []));
  }

  @FieldResolver(() => [DepartmentType], {
    description: "检查组成员所在单位（去重）。The team members' departments (derived), distinct.",
  })
  async teamDepartments(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    const members = await ctx.loaders.inspectionTeam.load(i.row.id);
    return Promise.all([...new Set(members.map((t) => t.department_id))].map((d) => referencedDepartment(ctx, d)));
  }

  @FieldResolver(() => [ProblemType], {
    description:
      '由检查发现列入的、调用者可见的问题，从早到晚。Problems listed from its findings that I may see, oldest first.',
  })
  async problems(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<ProblemType[]> {
    return (await ctx.loaders.inspectionProblems.load(i.row.id)).map((p) => ProblemType.from(p as ProblemRow));
  }

  @FieldResolver(() => [StateChange], {
    description:
      '时间线：安排、开始、报告、登记问题、结束。Its events with dates: planned, started, reported, problems added, closed.',
  })
  async timeline(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Inspection.load(i.row.id));
  }

  @FieldResolver(() => [String], {
    description:
      '调用者现在可触发的事件。Events I may fire now (START, REPORT, CLOSE through transitionInspection; ADD_PROBLEM through createProblem).',
  })
  async allowedEvents(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const members = await ctx.loaders.inspectionTeam.load(i.row.id);
    return inspectionAllowedEvents(
      requireActor(ctx),
      i.row,
      members.map((t) => t.user_id),
    );
  }
}

@Resolver(() => ProblemType)
export class ProblemInspectionResolver {
  @FieldResolver(() => InspectionType, {
    nullable: true,
    description: '发现该问题的检查，可见时。The inspection whose findings it lists, when visible to me.',
  })
  async inspection(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<InspectionType | null> {
    if (!p.row.inspection_id) return null;
    const row = await ctx.loaders.visibleInspection.load(p.row.inspection_id);
    return row && InspectionType.from(row);
  }
}
