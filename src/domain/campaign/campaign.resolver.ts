import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { rowId } from '../../core/ids';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { ARG, connectionOf } from '../../graphql/relay';
import { ClueType, StateChange, timelineFrom } from '../clue/clue.types';
import { CollisionModelEnum } from '../collision/collision.enums';
import { CollisionRunType } from '../collision/collision.types';
import { DocumentType } from '../document/document.types';
import { InspectionType } from '../inspection/inspection.types';
import { ProblemType } from '../problem/problem.types';
import { DepartmentType, InstitutionType } from '../reference/reference.types';
import { SupervisionStats } from '../stats/stats.types';
import {
  advanceCampaign,
  campaignAllowedEvents,
  createCampaign,
  campaignsOfStats,
  listCampaigns,
  listSelfCheckReports,
  recordSelfCheck,
  startCampaignRun,
} from './campaign.service';
import {
  CampaignConnection,
  CampaignFilter,
  CampaignFiguresType,
  CampaignType,
  CreateCampaignInput,
  RecordSelfCheckInput,
  SelfCheckReportConnection,
  SelfCheckReportFilter,
  SelfCheckReportType,
} from './campaign.types';
import { referencedDepartment } from '../reference/reference.resolver';

/** The campaign of a clue, run or problem, when I may see it. */
async function campaignOf(ctx: GraphQLContext, id: string | null): Promise<CampaignType | null> {
  if (!id) return null;
  const row = await ctx.loaders.visibleCampaign.load(id);
  return row && CampaignType.from(row);
}

@Resolver(() => CampaignType)
export class CampaignResolver {
  @Query(() => CampaignType, {
    nullable: true,
    description: '按编号查专项行动；不存在或不可见时为 null。null when unknown or not visible to me.',
  })
  async campaign(
    @Arg('id', () => ID, { description: '专项行动的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CampaignType | null> {
    requireActor(ctx);
    return campaignOf(ctx, rowId(id, 'Campaign'));
  }

  @Query(() => CampaignConnection, {
    description: 'Newest first: campaigns my department leads or takes part in, and (纪委) those of my jurisdiction.',
  })
  async campaigns(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CampaignFilter, { nullable: true, description: '筛选条件。' }) filter?: CampaignFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<CampaignConnection> {
    const page = await listCampaigns(
      ctx.services,
      requireActor(ctx),
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => CampaignType.from(row));
  }

  @Query(() => SelfCheckReportConnection, {
    name: 'selfCheckReports',
    description: '自查自纠报告 (self-check reports) of the campaigns I see, newest recorded first.',
  })
  async selfCheckReportList(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => SelfCheckReportFilter, { nullable: true, description: '筛选条件 (filters).' })
    filter?: SelfCheckReportFilter | null,
    @Arg('first', () => Int, { nullable: true, description: '每页条数 (page size), at most the configured maximum.' })
    first?: number | null,
    @Arg('after', () => String, { nullable: true, description: '游标 (cursor): the endCursor of the previous page.' })
    after?: string | null,
  ): Promise<SelfCheckReportConnection> {
    const page = await listSelfCheckReports(
      ctx.services,
      requireActor(ctx),
      filter,
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => SelfCheckReportType.from(row));
  }

  @Mutation(() => CampaignType, {
    description: '部署专项行动: a leader, over a region of their jurisdiction; their department leads it.',
  })
  async createCampaign(
    @Arg('input', () => CreateCampaignInput, { description: '专项行动。' }) input: CreateCampaignInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CampaignType> {
    return CampaignType.from(await createCampaign(ctx.services, requireActor(ctx), input));
  }

  @Mutation(() => CampaignType, {
    description:
      '进入下一阶段 (advance campaign)：牵头单位的领导。The next phase, by a leader of the leading department.',
  })
  async advanceCampaign(
    @Arg('campaignId', () => ID, { description: '专项行动的全局编号。' }) campaignId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<CampaignType> {
    return CampaignType.from(await advanceCampaign(ctx.services, requireActor(ctx), campaignId, expectedVersion));
  }

  @Mutation(() => CollisionRunType, {
    description:
      'A collision run over the campaign’s scope window and region, restricted to its targets (医保 analysts and leaders of a participating department).',
  })
  async startCampaignRun(
    @Arg('campaignId', () => ID, { description: '专项行动的全局编号。' }) campaignId: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('models', () => [CollisionModelEnum], { nullable: true, description: '运行的模型；缺省或为空时全部模型。' })
    models?: string[] | null,
  ): Promise<CollisionRunType> {
    return CollisionRunType.from(await startCampaignRun(ctx.services, requireActor(ctx), campaignId, models));
  }

  @Mutation(() => SelfCheckReportType, {
    description: '自查自纠 report of a target institution, by a case worker of a participating 医保 department.',
  })
  async recordSelfCheck(
    @Arg('input', () => RecordSelfCheckInput, { description: '自查自纠报告。' }) input: RecordSelfCheckInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SelfCheckReportType> {
    return SelfCheckReportType.from(await recordSelfCheck(ctx.services, requireActor(ctx), input));
  }

  @FieldResolver(() => DepartmentType, { description: '牵头单位 (lead department).' })
  leadDepartment(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): DepartmentType | Promise<DepartmentType> {
    return referencedDepartment(ctx, g.row.lead_department_id);
  }

  @FieldResolver(() => [DepartmentType], {
    description: '参与单位 (participants)，含牵头单位 (the leading department among them).',
  })
  participants(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): Promise<DepartmentType[]> {
    return Promise.all(g.row.participant_department_ids.map((id) => referencedDepartment(ctx, id)));
  }

  @FieldResolver(() => [CollisionRunType], {
    description: '专项行动发起的、调用者可见的碰撞批次，最新的在前。Its collision runs that I may see, newest first.',
  })
  async runs(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): Promise<CollisionRunType[]> {
    return (await ctx.loaders.campaignRuns.load(g.row.id)).map(CollisionRunType.from);
  }

  @FieldResolver(() => CampaignFiguresType, { description: '成效数字 (figures)，专项行动全程合计。' })
  async figures(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): Promise<CampaignFiguresType> {
    const figures = await ctx.loaders.campaignFigures.load(g.row.id);
    if (!figures) throw new Error(`figures of campaign ${g.row.id} are missing`);
    return CampaignFiguresType.from(figures);
  }

  @FieldResolver(() => [SelfCheckReportType], {
    description: '自查自纠报告，从早到晚。自查自纠 reports, oldest first.',
  })
  async selfCheckReports(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): Promise<SelfCheckReportType[]> {
    return (await ctx.loaders.campaignSelfChecks.load(g.row.id)).map(SelfCheckReportType.from);
  }

  @FieldResolver(() => [String], {
    description: '调用者现在可触发的事件。Events I may fire now (ADVANCE, START_RUN, RECORD_SELF_CHECK).',
  })
  allowedEvents(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): string[] {
    return campaignAllowedEvents(requireActor(ctx), g.row);
  }

  @FieldResolver(() => [StateChange], {
    description:
      '时间线：各阶段及日期、发起的碰撞、登记的自查报告。Phases with their dates, runs started, self-checks recorded.',
  })
  async timeline(@Root() g: CampaignType, @Ctx() ctx: GraphQLContext): Promise<StateChange[]> {
    return timelineFrom(await ctx.loaders.timeline.Campaign.load(g.row.id));
  }
}

@Resolver(() => SelfCheckReportType)
export class SelfCheckReportResolver {
  @FieldResolver(() => CampaignType, { description: '所属专项行动。' })
  async campaign(@Root() r: SelfCheckReportType, @Ctx() ctx: GraphQLContext): Promise<CampaignType> {
    const campaign = await campaignOf(ctx, r.row.campaign_id);
    if (!campaign) throw new Error(`campaign ${r.row.campaign_id} of a visible report is not visible`);
    return campaign;
  }

  @FieldResolver(() => InstitutionType, { description: '自查的目标机构。' })
  async institution(@Root() r: SelfCheckReportType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const row = await ctx.loaders.institution.load(r.row.institution_code);
    if (!row) throw new Error(`institution ${r.row.institution_code} is missing`);
    return InstitutionType.from(row);
  }

  @FieldResolver(() => [ProblemType], {
    description: '报告列出的、调用者可见的自查问题。The SELF_CHECK problems it listed that I may see.',
  })
  async problems(@Root() r: SelfCheckReportType, @Ctx() ctx: GraphQLContext): Promise<ProblemType[]> {
    const links = await ctx.loaders.selfCheckProblemIds.load(r.row.id);
    const rows = await Promise.all(links.map((l) => ctx.loaders.visibleProblem.load(l.problem_id)));
    return rows.filter((p) => p !== null).map(ProblemType.from);
  }
}

@Resolver(() => ClueType)
export class ClueCampaignResolver {
  @FieldResolver(() => CampaignType, {
    nullable: true,
    description: '来自的专项行动，可见时。The campaign it came from, when visible to me.',
  })
  campaign(@Root() c: ClueType, @Ctx() ctx: GraphQLContext): Promise<CampaignType | null> {
    return campaignOf(ctx, c.row.campaign_id);
  }
}

@Resolver(() => CollisionRunType)
export class RunCampaignResolver {
  @FieldResolver(() => CampaignType, {
    nullable: true,
    description: '发起它的专项行动，可见时。The campaign that started it, when visible to me.',
  })
  campaign(@Root() r: CollisionRunType, @Ctx() ctx: GraphQLContext): Promise<CampaignType | null> {
    return campaignOf(ctx, r.row.campaign_id);
  }
}

@Resolver(() => ProblemType)
export class ProblemCampaignResolver {
  @FieldResolver(() => CampaignType, {
    nullable: true,
    description: '所属专项行动，可见时。The campaign it belongs to, when visible to me.',
  })
  campaign(@Root() p: ProblemType, @Ctx() ctx: GraphQLContext): Promise<CampaignType | null> {
    return campaignOf(ctx, p.row.campaign_id);
  }
}

@Resolver(() => InspectionType)
export class InspectionCampaignResolver {
  @FieldResolver(() => CampaignType, {
    nullable: true,
    description: '所属专项行动，可见时。The campaign it belongs to, when visible to me.',
  })
  campaign(@Root() i: InspectionType, @Ctx() ctx: GraphQLContext): Promise<CampaignType | null> {
    return campaignOf(ctx, i.row.campaign_id);
  }
}

@Resolver(() => DocumentType)
export class DocumentCampaignResolver {
  @FieldResolver(() => CampaignType, {
    nullable: true,
    description: '所属专项行动，可见时。The campaign it was issued in, when visible to me.',
  })
  campaign(@Root() d: DocumentType, @Ctx() ctx: GraphQLContext): Promise<CampaignType | null> {
    return campaignOf(ctx, d.row.campaign_id);
  }
}

@Resolver(() => SupervisionStats)
export class StatsCampaignsResolver {
  @FieldResolver(() => [CampaignType], {
    description:
      '按专项行动。By campaign: campaigns I see whose region lies inside this one, deployed by the end of the window, oldest first; their `figures` are the campaign totals (not windowed).',
  })
  async byCampaign(@Root() stats: SupervisionStats, @Ctx() ctx: GraphQLContext): Promise<CampaignType[]> {
    const rows = await campaignsOfStats(ctx.services.db, requireActor(ctx), stats.regionCode, stats.to);
    return rows.map(CampaignType.from);
  }
}
