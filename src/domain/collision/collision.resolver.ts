import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { loadPresent } from '../../graphql/loaders';
import { Connection, pageSize } from '../../core/pagination';
import { MoneyScalar } from '../../graphql/scalars';
import { ARG, connectionOf } from '../../graphql/relay';
import { optionalRowId, rowId } from '../../core/ids';
import { assertCanRunCollision } from '../../policy';
import { ClueType } from '../clue/clue.types';
import { SettlementType } from '../ingest/settlement.types';
import { InstitutionType, PersonType } from '../reference/reference.types';
import { clueHitsPage, listHits } from './collision-hit.service';
import { findVisibleRun, listRuns, startCollisionRun } from './collision-run.service';
import {
  CollisionHitConnection,
  CollisionHitFilter,
  CollisionRunFilter,
  CollisionHitRow,
  CollisionHitType,
  CollisionRunConnection,
  CollisionRunJobType,
  CollisionRunType,
  RunCollisionInput,
  VerificationProgressType,
  VerifyHitsInput,
  VerifyHitsPayload,
} from './collision.types';
import { progressFrom, verifyHits } from './hit-verification.service';
import { UserType } from '../auth/auth.types';

const hitConnection = (page: Connection<CollisionHitRow>): Connection<CollisionHitType> =>
  connectionOf(page, (row) => CollisionHitType.from(row));

@Resolver(() => CollisionRunType)
export class CollisionRunResolver {
  @Query(() => CollisionRunType, {
    nullable: true,
    description:
      '按编号查碰撞批次（轮询其状态）；不存在或不可见时为 null。医保、纪委用户可见全部区划的或与其辖区重叠的批次。',
  })
  async collisionRun(
    @Arg('id', () => ID, { description: '碰撞批次的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollisionRunType | null> {
    const row = await findVisibleRun(ctx.services.db, requireActor(ctx), rowId(id, 'CollisionRun'));
    return row && CollisionRunType.from(row);
  }

  @Query(() => CollisionRunConnection, {
    description: '碰撞批次列表，最新的在前；可见范围同 collisionRun。Newest first.',
  })
  async collisionRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
    @Arg('filter', () => CollisionRunFilter, { nullable: true, description: '筛选条件 (filters)。' })
    filter?: CollisionRunFilter | null,
  ): Promise<CollisionRunConnection> {
    const actor = requireActor(ctx);
    const page = await listRuns(
      ctx.services.db,
      actor,
      { ...filter, campaignId: optionalRowId(filter?.campaignId, 'Campaign') },
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => CollisionRunType.from(row));
  }

  @Mutation(() => CollisionRunType, {
    description:
      '发起数据碰撞 (run collision)：医保的数据分析员或领导，区划在其辖区内；经队列异步执行，用 collisionRun 轮询状态。未知模型、区划或 from 晚于 to 报 BAD_USER_INPUT。Starts a run through the queue; poll collisionRun for its status.',
  })
  async runCollision(
    @Arg('input', { description: '批次参数。' }) input: RunCollisionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollisionRunType> {
    const actor = requireActor(ctx);
    assertCanRunCollision(actor, input.regionCode ?? null);
    return CollisionRunType.from(await startCollisionRun(ctx.services, { ...input, createdBy: actor.userId }));
  }

  @FieldResolver(() => VerificationProgressType, {
    description:
      "疑点核查 progress of the run's hits: those whose last run is this one (re-detected hits count for their latest run), as far as the caller sees them.",
  })
  async verificationProgress(
    @Root() run: CollisionRunType,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationProgressType> {
    return VerificationProgressType.from(progressFrom(await ctx.loaders.verificationProgress.run.load(run.row.id)));
  }

  @FieldResolver(() => [CollisionRunJobType], { description: '批次拆分成的作业。The jobs the run was split into.' })
  async jobs(@Root() run: CollisionRunType, @Ctx() ctx: GraphQLContext): Promise<CollisionRunJobType[]> {
    return (await ctx.loaders.collisionRunJobs.load(run.row.id)).map(CollisionRunJobType.from);
  }
}

@Resolver(() => CollisionHitType)
export class CollisionHitResolver {
  @Query(() => CollisionHitConnection, {
    description:
      '疑点列表 (collision hits)，最新的在前：机构在医保、纪委用户辖区内的，以及所属线索可见的。Hits the caller may see, newest first.',
  })
  async collisionHits(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CollisionHitFilter, { nullable: true, description: '筛选条件。' })
    filter?: CollisionHitFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<CollisionHitConnection> {
    const actor = requireActor(ctx);
    const size = pageSize(first, ctx.services.config.limits.maxPageSize);
    return hitConnection(await listHits(ctx.services.db, actor, filter, size, after));
  }

  @Mutation(() => VerifyHitsPayload, {
    description:
      "疑点核查 in bulk (≤ 1,000 hits, one transaction, all or nothing) by case workers of the owner of each hit's clue; reversing a verdict is for its section heads (SUPERVISOR), with the reason as note.",
  })
  async verifyHits(
    @Arg('input', { description: '核查结论及疑点。' }) input: VerifyHitsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerifyHitsPayload> {
    const actor = requireActor(ctx);
    const result = await verifyHits(ctx.services, actor, {
      ...input,
      hitIds: input.hitIds.map((id) => rowId(id, 'CollisionHit')),
    });
    return Object.assign(new VerifyHitsPayload(), {
      updated: result.updated,
      hits: result.hits.map(CollisionHitType.from),
    });
  }

  @FieldResolver(() => UserType, {
    nullable: true,
    description: '当前结论的核查人（待核查时为 null）。Who gave the current verdict (null while PENDING).',
  })
  async verifiedBy(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<UserType | null> {
    if (!hit.row.verified_by) return null;
    const user = await ctx.loaders.user.load(hit.row.verified_by);
    return user && UserType.from(user);
  }

  @FieldResolver(() => InstitutionType, { description: '涉及的定点医药机构。' })
  async institution(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const found = await ctx.loaders.institution.load(hit.row.institution_code);
    if (!found) throw notFound('institution');
    return InstitutionType.from(found);
  }

  @FieldResolver(() => [PersonType], { description: '涉及人员。' })
  async persons(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<PersonType[]> {
    return (await loadPresent(ctx.loaders.person, hit.row.person_ids)).map(PersonType.from);
  }

  @FieldResolver(() => [SettlementType], {
    description: '证据结算单及其明细。The settlements of the evidence, with their lines.',
  })
  async settlements(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<SettlementType[]> {
    return (await loadPresent(ctx.loaders.settlement, hit.row.settlement_ids)).map(SettlementType.fromRow);
  }

  @FieldResolver(() => ClueType, { nullable: true, description: '疑点所属线索，可见时。' })
  async clue(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!hit.row.clue_id) return null;
    const clue = await ctx.loaders.visibleClue.load(hit.row.clue_id);
    return clue && ClueType.from(clue);
  }

  @FieldResolver(() => CollisionRunType, { description: '首次发现该疑点的批次。' })
  firstRun(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext) {
    return runOf(ctx, hit.row.first_run_id);
  }

  @FieldResolver(() => CollisionRunType, { description: '最近一次发现该疑点的批次。' })
  lastRun(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext) {
    return runOf(ctx, hit.row.last_run_id);
  }
}

/** A hit's run, shown to whoever sees the hit. */
async function runOf(ctx: GraphQLContext, runId: string): Promise<CollisionRunType> {
  const run = await ctx.loaders.collisionRun.load(runId);
  if (!run) throw notFound('collision run');
  return CollisionRunType.from(run);
}

@Resolver(() => InstitutionType)
export class InstitutionVerificationResolver {
  @FieldResolver(() => VerificationProgressType, {
    description: "疑点核查 progress of the institution's hits, as far as the caller sees them.",
  })
  async verificationProgress(
    @Root() institution: InstitutionType,
    @Ctx() ctx: GraphQLContext,
  ): Promise<VerificationProgressType> {
    return VerificationProgressType.from(
      progressFrom(await ctx.loaders.verificationProgress.institution.load(institution.code)),
    );
  }
}

@Resolver(() => ClueType)
export class ClueHitsResolver {
  @FieldResolver(() => VerificationProgressType, { description: "疑点核查 progress of the clue's hits." })
  async verificationProgress(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<VerificationProgressType> {
    return VerificationProgressType.from(progressFrom(await ctx.loaders.verificationProgress.clue.load(clue.row.id)));
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      '查实金额 (substantiated amount)，元：违规属实疑点的认定金额之和。Σ confirmed amount of its CONFIRMED hits (0.00 for a clue without hits, e.g. registered by hand).',
  })
  async substantiatedAmount(@Root() clue: ClueType, @Ctx() ctx: GraphQLContext): Promise<string> {
    return progressFrom(await ctx.loaders.verificationProgress.clue.load(clue.row.id)).confirmedAmount;
  }

  /** The first page is batched over the clues of a list; a page further on is read for its one clue. */
  @FieldResolver(() => CollisionHitConnection, {
    description: '数据碰撞线索的疑点。The hits behind a DATA_COLLISION clue.',
  })
  async hits(
    @Root() clue: ClueType,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<CollisionHitConnection> {
    const actor = requireActor(ctx);
    const size = pageSize(first, ctx.services.config.limits.maxPageSize);
    const page = after
      ? await clueHitsPage(ctx.services.db, actor, clue.row.id, size, after)
      : await ctx.loaders.clueHits.load({ clueId: clue.row.id, first: size });
    return hitConnection(page);
  }
}
