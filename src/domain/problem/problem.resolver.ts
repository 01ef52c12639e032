import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { rowId } from '../../core/ids';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { CaseType } from '../case/case.types';
import { ClueType, StateChange, timelineFrom } from '../clue/clue.types';
import { DepartmentType, InstitutionType } from '../reference/reference.types';
import {
  acceptMeasure,
  addMeasure,
  closeProblem,
  createProblem,
  findVisibleProblem,
  listProblems,
  measureAllowedEvents,
  problemAllowedEvents,
  rejectMeasure,
  scheduleRecheck,
  submitMeasure,
} from './problem.service';
import {
  CreateProblemInput,
  MeasureInput,
  ProblemConnection,
  ProblemFilter,
  ProblemType,
  RecheckType,
  RectificationMeasureType,
} from './problem.types';
import { DateScalar } from '../../graphql/scalars';

async function department(ctx: GraphQLContext, id: string): Promise<DepartmentType> {
  const d = await ctx.loaders.department.load(id);
  if (!d) throw new Error(`department ${id} is missing`);
  return DepartmentType.from(d);
}

/** The problem of a measure or recheck: visible, since the measure or recheck was read through it. */
async function problemOf(ctx: GraphQLContext, problemId: string): Promise<ProblemType> {
  const row = await ctx.loaders.visibleProblem.load(problemId);
  return ProblemType.from(row ?? (await findVisibleProblem(ctx.services.db, requireActor(ctx), problemId)));
}

@Resolver(() => ProblemType)
export class ProblemResolver {
  @Query(() => ProblemType, { nullable: true, description: 'null when unknown or not visible to me.' })
  async problem(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ProblemType | null> {
    requireActor(ctx);
    const row = await ctx.loaders.visibleProblem.load(rowId(id, 'Problem'));
    return row && ProblemType.from(row);
  }

  @Query(() => ProblemConnection, {
    description:
      'Newest first: problems my department must fix or supervises, those of same-kind departments below, and (纪委) those of my jurisdiction.',
  })
  async problems(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ProblemFilter, { nullable: true }) filter?: ProblemFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<ProblemConnection> {
    const page = await listProblems(
      ctx.services,
      requireActor(ctx),
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: ProblemType.from(e.node) })) };
  }

  @Mutation(() => ProblemType, {
    description: 'A case worker lists a problem, supervised by their department, with at least one measure.',
  })
  async createProblem(
    @Arg('input', () => CreateProblemInput) input: CreateProblemInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProblemType> {
    return ProblemType.from(await createProblem(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationMeasureType, {
    description: 'By the supervising department, while the problem is open.',
  })
  async addMeasure(
    @Arg('problemId', () => ID) problemId: string,
    @Arg('input', () => MeasureInput) input: MeasureInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(await addMeasure(ctx.services, requireActor(ctx), problemId, input));
  }

  @Mutation(() => RectificationMeasureType, { description: '整改报告, by the responsible department.' })
  async submitMeasure(
    @Arg('measureId', () => ID) measureId: string,
    @Arg('report') report: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('evidence', () => [String], { nullable: true }) evidence?: string[] | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await submitMeasure(ctx.services, requireActor(ctx), measureId, report, evidence, expectedVersion),
    );
  }

  @Mutation(() => RectificationMeasureType, { description: '验收, by the supervising department.' })
  async acceptMeasure(
    @Arg('measureId', () => ID) measureId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await acceptMeasure(ctx.services, requireActor(ctx), measureId, note, expectedVersion),
    );
  }

  @Mutation(() => RectificationMeasureType, { description: '验收不通过, with a reason: back to OPEN.' })
  async rejectMeasure(
    @Arg('measureId', () => ID) measureId: string,
    @Arg('reason') reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await rejectMeasure(ctx.services, requireActor(ctx), measureId, reason, expectedVersion),
    );
  }

  @Mutation(() => ProblemType, {
    description:
      '销号, by a leader of the supervising department once every measure is accepted; schedules the 回头看.',
  })
  async closeProblem(
    @Arg('problemId', () => ID) problemId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<ProblemType> {
    return ProblemType.from(await closeProblem(ctx.services, requireActor(ctx), problemId, note, expectedVersion));
  }

  @Mutation(() => RecheckType, { description: 'A manual 回头看 of a closed problem, by the supervising department.' })
  async scheduleRecheck(
    @Arg('problemId', () => ID) problemId: string,
    @Arg('dueOn', () => DateScalar) dueOn: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecheckType> {
    return RecheckType.from(await scheduleRecheck(ctx.services, requireActor(ctx), problemId, dueOn));
  }

  @FieldResolver(() => InstitutionType, { nullable: true, description: 'The subject, when an institution.' })
  async institution(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType | null> {
    if (!p.row.institution_code) return null;
    const row = await ctx.loaders.institution.load(p.row.institution_code);
    return row && InstitutionType.from(row);
  }

  @FieldResolver(() => DepartmentType, { nullable: true, description: 'The subject, when a department.' })
  async subjectDepartment(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType | null> {
    return p.row.subject_department_id ? department(ctx, p.row.subject_department_id) : null;
  }

  @FieldResolver(() => DepartmentType, { description: '整改责任单位.' })
  responsibleDepartment(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    return department(ctx, p.row.responsible_department_id);
  }

  @FieldResolver(() => DepartmentType, { description: '督促整改、验收和销号的单位.' })
  supervisingDepartment(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType> {
    return department(ctx, p.row.supervising_department_id);
  }

  @FieldResolver(() => [RectificationMeasureType], { description: 'Oldest first.' })
  async measures(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<RectificationMeasureType[]> {
    return (await ctx.loaders.problemMeasures.load(p.row.id)).map(RectificationMeasureType.from);
  }

  @FieldResolver(() => [RecheckType], { description: '回头看, by due date.' })
  async rechecks(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<RecheckType[]> {
    return (await ctx.loaders.problemRechecks.load(p.row.id)).map(RecheckType.from);
  }

  @FieldResolver(() => CaseType, { nullable: true, description: 'The case it was found in, when visible to me.' })
  async case(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    if (!p.row.case_id) return null;
    const row = await ctx.loaders.visibleCase.load(p.row.case_id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => ClueType, { nullable: true, description: 'The clue it was found in, when visible to me.' })
  async clue(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!p.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(p.row.clue_id);
    return row && ClueType.from(row);
  }

  @FieldResolver(() => [String], {
    description: 'Events I may fire now (ADD_MEASURE; CLOSE once every measure is accepted; SCHEDULE_RECHECK).',
  })
  async allowedEvents(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return problemAllowedEvents(requireActor(ctx), p.row, await ctx.loaders.problemMeasures.load(p.row.id));
  }

  @FieldResolver(() => [StateChange])
  async timeline(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Problem.load(p.row.id));
  }
}

@Resolver(() => RectificationMeasureType)
export class RectificationMeasureResolver {
  @FieldResolver(() => ProblemType)
  problem(@Root() m: RectificationMeasureType, @Ctx() ctx: GraphQLContext): Promise<ProblemType> {
    return problemOf(ctx, m.row.problem_id);
  }

  @FieldResolver(() => [String], { description: 'Events I may fire now (SUBMIT, ACCEPT, REJECT).' })
  async allowedEvents(@Root() m: RectificationMeasureType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const problem = await problemOf(ctx, m.row.problem_id);
    return measureAllowedEvents(requireActor(ctx), m.row, problem.row);
  }
}

@Resolver(() => RecheckType)
export class RecheckResolver {
  @FieldResolver(() => ProblemType)
  problem(@Root() r: RecheckType, @Ctx() ctx: GraphQLContext): Promise<ProblemType> {
    return problemOf(ctx, r.row.problem_id);
  }

  @FieldResolver(() => ClueType, {
    nullable: true,
    description: 'The RECHECK clue of a recurrence, when visible to me.',
  })
  async clue(@Root() r: RecheckType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!r.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(r.row.clue_id);
    return row && ClueType.from(row);
  }
}

@Resolver(() => ClueType)
export class ClueProblemsResolver {
  @FieldResolver(() => [ProblemType], { description: 'Problems found in this clue that I may see, oldest first.' })
  async problems(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<ProblemType[]> {
    return (await ctx.loaders.clueProblems.load(clue.row.id)).map(ProblemType.from);
  }
}
