import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { rowId } from '../../core/ids';
import { pageSize } from '../../core/pagination';
import { ARG, connectionOf } from '../../graphql/relay';
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
import { optionalDepartment, optionalInstitution, referencedDepartment } from '../reference/reference.resolver';

/** The problem of a measure or recheck: visible, since the measure or recheck was read through it. */
async function problemOf(ctx: GraphQLContext, problemId: string): Promise<ProblemType> {
  const row = await ctx.loaders.visibleProblem.load(problemId);
  return ProblemType.from(row ?? (await findVisibleProblem(ctx.services.db, requireActor(ctx), problemId)));
}

@Resolver(() => ProblemType)
export class ProblemResolver {
  @Query(() => ProblemType, {
    nullable: true,
    description: '按编号查问题；不存在或不可见时为 null。null when unknown or not visible to me.',
  })
  async problem(
    @Arg('id', () => ID, { description: '问题的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProblemType | null> {
    requireActor(ctx);
    const row = await ctx.loaders.visibleProblem.load(rowId(id, 'Problem'));
    return row && ProblemType.from(row);
  }

  @Query(() => ProblemConnection, {
    description:
      '问题清单 (problems)，最新的在前：本单位负责整改或督办的、同类下级单位的，以及（纪委）辖区内的。Newest first: problems my department must fix or supervises, those of same-kind departments below, and (纪委) those of my jurisdiction.',
  })
  async problems(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => ProblemFilter, { nullable: true, description: '筛选条件。' }) filter?: ProblemFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<ProblemConnection> {
    const page = await listProblems(
      ctx.services,
      requireActor(ctx),
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => ProblemType.from(row));
  }

  @Mutation(() => ProblemType, {
    description:
      '列入问题清单 (create problem)：办案人员、科室负责人或领导，由本单位督办，至少一项整改措施；责任单位收到通知。A case worker lists a problem, supervised by their department, with at least one measure.',
  })
  async createProblem(
    @Arg('input', () => CreateProblemInput, { description: '问题及其整改措施。' }) input: CreateProblemInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProblemType> {
    return ProblemType.from(await createProblem(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => RectificationMeasureType, {
    description:
      '增加整改措施 (add measure)：督办单位，问题整改中或复发整改中时。By the supervising department, while the problem is open.',
  })
  async addMeasure(
    @Arg('problemId', () => ID, { description: '问题的全局编号。' }) problemId: string,
    @Arg('input', () => MeasureInput, { description: '整改措施。' }) input: MeasureInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(await addMeasure(ctx.services, requireActor(ctx), problemId, input));
  }

  @Mutation(() => RectificationMeasureType, {
    description:
      '提交整改报告 (submit measure)：责任单位，措施整改中时；措施转为待验收。整改报告, by the responsible department.',
  })
  async submitMeasure(
    @Arg('measureId', () => ID, { description: '整改措施的全局编号。' }) measureId: string,
    @Arg('report', { description: '整改报告，不能为空。' }) report: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('evidence', () => [String], { nullable: true, description: '佐证材料（文件引用、链接）。' })
    evidence?: string[] | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await submitMeasure(ctx.services, requireActor(ctx), measureId, report, evidence, expectedVersion),
    );
  }

  @Mutation(() => RectificationMeasureType, {
    description: '验收通过 (accept measure)：督办单位，措施待验收时。验收, by the supervising department.',
  })
  async acceptMeasure(
    @Arg('measureId', () => ID, { description: '整改措施的全局编号。' }) measureId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true, description: '验收意见。' }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await acceptMeasure(ctx.services, requireActor(ctx), measureId, note, expectedVersion),
    );
  }

  @Mutation(() => RectificationMeasureType, {
    description:
      '验收不通过 (reject measure)：督办单位说明理由，措施回到整改中。验收不通过, with a reason: back to OPEN.',
  })
  async rejectMeasure(
    @Arg('measureId', () => ID, { description: '整改措施的全局编号。' }) measureId: string,
    @Arg('reason', { description: '不通过的理由，不能为空。' }) reason: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<RectificationMeasureType> {
    return RectificationMeasureType.from(
      await rejectMeasure(ctx.services, requireActor(ctx), measureId, reason, expectedVersion),
    );
  }

  @Mutation(() => ProblemType, {
    description:
      '销号 (close problem)：销号, by a leader of the supervising department once every measure is accepted; schedules the 回头看.',
  })
  async closeProblem(
    @Arg('problemId', () => ID, { description: '问题的全局编号。' }) problemId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('note', () => String, { nullable: true, description: '销号意见。' }) note?: string | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<ProblemType> {
    return ProblemType.from(await closeProblem(ctx.services, requireActor(ctx), problemId, note, expectedVersion));
  }

  @Mutation(() => RecheckType, {
    description:
      '安排回头看 (schedule recheck)：督办单位，对已销号的问题手动安排。A manual 回头看 of a closed problem, by the supervising department.',
  })
  async scheduleRecheck(
    @Arg('problemId', () => ID, { description: '问题的全局编号。' }) problemId: string,
    @Arg('dueOn', () => DateScalar, { description: '回头看日期：不早于今天（Asia/Shanghai）。' }) dueOn: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<RecheckType> {
    return RecheckType.from(await scheduleRecheck(ctx.services, requireActor(ctx), problemId, dueOn));
  }

  @FieldResolver(() => InstitutionType, {
    nullable: true,
    description: '问题对象（机构时）。The subject, when an institution.',
  })
  institution(
    @Root() p: ProblemType,
    @Ctx() ctx: GraphQLContext,
  ): InstitutionType | null | Promise<InstitutionType | null> {
    return optionalInstitution(ctx, p.row.institution_code);
  }

  @FieldResolver(() => DepartmentType, {
    nullable: true,
    description: '问题对象（单位时）。The subject, when a department.',
  })
  subjectDepartment(
    @Root() p: ProblemType,
    @Ctx() ctx: GraphQLContext,
  ): DepartmentType | null | Promise<DepartmentType> {
    return optionalDepartment(ctx, p.row.subject_department_id);
  }

  @FieldResolver(() => DepartmentType, { description: '整改责任单位 (responsible department).' })
  responsibleDepartment(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, p.row.responsible_department_id);
  }

  @FieldResolver(() => DepartmentType, {
    description: '督办单位 (supervising department)：督促整改、验收和销号的单位.',
  })
  supervisingDepartment(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, p.row.supervising_department_id);
  }

  @FieldResolver(() => [RectificationMeasureType], { description: '整改措施，从早到晚。Oldest first.' })
  async measures(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<RectificationMeasureType[]> {
    return (await ctx.loaders.problemMeasures.load(p.row.id)).map(RectificationMeasureType.from);
  }

  @FieldResolver(() => [RecheckType], { description: '回头看，按日期。回头看, by due date.' })
  async rechecks(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<RecheckType[]> {
    return (await ctx.loaders.problemRechecks.load(p.row.id)).map(RecheckType.from);
  }

  @FieldResolver(() => CaseType, {
    nullable: true,
    description: '发现问题的案件，可见时。The case it was found in, when visible to me.',
  })
  async case(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<CaseType | null> {
    if (!p.row.case_id) return null;
    const row = await ctx.loaders.visibleCase.load(p.row.case_id);
    return row && CaseType.from(row);
  }

  @FieldResolver(() => ClueType, {
    nullable: true,
    description: '发现问题的线索，可见时。The clue it was found in, when visible to me.',
  })
  async clue(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!p.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(p.row.clue_id);
    return row && ClueType.from(row);
  }

  @FieldResolver(() => [String], {
    description:
      '调用者现在可触发的事件。Events I may fire now (ADD_MEASURE; CLOSE once every measure is accepted; SCHEDULE_RECHECK).',
  })
  async allowedEvents(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    return problemAllowedEvents(requireActor(ctx), p.row, await ctx.loaders.problemMeasures.load(p.row.id));
  }

  @FieldResolver(() => [StateChange], { description: '时间线，从早到晚。' })
  async timeline(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Problem.load(p.row.id));
  }
}

@Resolver(() => RectificationMeasureType)
export class RectificationMeasureResolver {
  @FieldResolver(() => ProblemType, { description: '所属问题。' })
  problem(@Root() m: RectificationMeasureType, @Ctx() ctx: GraphQLContext): Promise<ProblemType> {
    return problemOf(ctx, m.row.problem_id);
  }

  @FieldResolver(() => [String], {
    description: '调用者现在可触发的事件。Events I may fire now (SUBMIT, ACCEPT, REJECT).',
  })
  async allowedEvents(@Root() m: RectificationMeasureType, @Ctx() ctx: GraphQLContext): Promise<string[]> {
    const problem = await problemOf(ctx, m.row.problem_id);
    return measureAllowedEvents(requireActor(ctx), m.row, problem.row);
  }
}

@Resolver(() => RecheckType)
export class RecheckResolver {
  @FieldResolver(() => ProblemType, { description: '回头看的问题。' })
  problem(@Root() r: RecheckType, @Ctx() ctx: GraphQLContext): Promise<ProblemType> {
    return problemOf(ctx, r.row.problem_id);
  }

  @FieldResolver(() => ClueType, {
    nullable: true,
    description: '复发时生成的回头看复发线索，可见时。The RECHECK clue of a recurrence, when visible to me.',
  })
  async clue(@Root() r: RecheckType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!r.row.clue_id) return null;
    const row = await ctx.loaders.visibleClue.load(r.row.clue_id);
    return row && ClueType.from(row);
  }
}

@Resolver(() => ClueType)
export class ClueProblemsResolver {
  @FieldResolver(() => [ProblemType], {
    description:
      '该线索中发现的、调用者可见的问题，从早到晚。Problems found in this clue that I may see, oldest first.',
  })
  async problems(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<ProblemType[]> {
    return (await ctx.loaders.clueProblems.load(clue.row.id)).map(ProblemType.from);
  }
}
