import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { SqlParams } from '../../core/sql';
import { codePrefix } from '../../core/regions';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { notFound } from '../../core/errors';
import { loadPresent } from '../../graphql/loaders';
import { Connection, pageSize, paginate } from '../../core/pagination';
import { fromGlobalId } from '../../core/ids';
import { Actor, assertCanRunCollision, runVisibleSql } from '../../policy';
import { ClueType } from '../clue/clue.types';
import { SettlementType } from '../ingest/settlement.types';
import { InstitutionType, PersonType } from '../reference/reference.types';
import { listHits } from './collision-hit.service';
import { CollisionRunRow, RUN_SELECT, startCollisionRun } from './collision-run.service';
import {
  CollisionHitConnection,
  CollisionHitFilter,
  CollisionHitRow,
  CollisionHitType,
  CollisionRunConnection,
  CollisionRunJobType,
  CollisionRunType,
  RunCollisionInput,
} from './collision.types';

async function visibleRun(ctx: GraphQLContext, actor: Actor, runId: string): Promise<CollisionRunRow | null> {
  const params = new SqlParams([runId]);
  const rows: CollisionRunRow[] = await ctx.services.db.query(
    `SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id::text = $1 AND ${runVisibleSql(actor, params)}`,
    params.values,
  );
  return rows[0] ?? null;
}

const hitConnection = (page: Connection<CollisionHitRow>): Connection<CollisionHitType> => ({
  ...page,
  edges: page.edges.map((e) => ({ cursor: e.cursor, node: CollisionHitType.from(e.node) })),
});

@Resolver(() => CollisionRunType)
export class CollisionRunResolver {
  @Query(() => CollisionRunType, { nullable: true })
  async collisionRun(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<CollisionRunType | null> {
    const row = await visibleRun(ctx, requireActor(ctx), fromGlobalId(id, 'CollisionRun').id);
    return row && CollisionRunType.from(row);
  }

  @Query(() => CollisionRunConnection, { description: 'Newest first.' })
  async collisionRuns(
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CollisionRunConnection> {
    const actor = requireActor(ctx);
    const params = new SqlParams();
    return paginate<CollisionRunRow & { created_us: string }, CollisionRunType>({
      query: (sql, ps) => ctx.services.db.query(sql, ps),
      from: `(SELECT ${RUN_SELECT}, (extract(epoch FROM r.created_at) * 1000000)::bigint AS created_us FROM collision_run r) r`,
      where: [runVisibleSql(actor, params)],
      params,
      orderBy: [
        { column: 'r.created_us', key: 'created_us' },
        { column: 'r.id', key: 'id' },
      ],
      descending: true,
      first: pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
      map: CollisionRunType.from,
    });
  }

  @Mutation(() => CollisionRunType, { description: 'Starts a run through the queue; poll collisionRun for its status.' })
  async runCollision(@Arg('input') input: RunCollisionInput, @Ctx() ctx: GraphQLContext): Promise<CollisionRunType> {
    const actor = requireActor(ctx);
    assertCanRunCollision(actor, input.regionCode ?? null);
    return CollisionRunType.from(await startCollisionRun(ctx.services, { ...input, createdBy: actor.userId }));
  }

  @FieldResolver(() => [CollisionRunJobType], { description: 'The jobs the run was split into.' })
  async jobs(@Root() run: CollisionRunType, @Ctx() ctx: GraphQLContext): Promise<CollisionRunJobType[]> {
    return (await ctx.loaders.collisionRunJobs.load(run.row.id)).map(CollisionRunJobType.from);
  }
}

@Resolver(() => CollisionHitType)
export class CollisionHitResolver {
  @Query(() => CollisionHitConnection, { description: 'Hits the caller may see, newest first.' })
  async collisionHits(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => CollisionHitFilter, { nullable: true }) filter?: CollisionHitFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CollisionHitConnection> {
    const actor = requireActor(ctx);
    const sql: string[] = [];
    const params = new SqlParams();
    const p = (v: unknown) => params.add(v);
    if (filter?.model) sql.push(`h.model = ${p(filter.model)}`);
    if (filter?.runId) sql.push(`h.last_run_id::text = ${p(fromGlobalId(filter.runId, 'CollisionRun').id)}`);
    if (filter?.institutionCode) sql.push(`h.institution_code = ${p(filter.institutionCode)}`);
    if (filter?.regionCode) sql.push(`h.region_code LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
    const size = pageSize(first, ctx.services.config.limits.maxPageSize);
    return hitConnection(await listHits(ctx.services.db, actor, { sql, params }, size, after));
  }

  @FieldResolver(() => InstitutionType)
  async institution(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<InstitutionType> {
    const found = await ctx.loaders.institution.load(hit.row.institution_code);
    if (!found) throw notFound('institution');
    return InstitutionType.from(found);
  }

  @FieldResolver(() => [PersonType])
  async persons(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<PersonType[]> {
    return (await loadPresent(ctx.loaders.person, hit.row.person_ids)).map(PersonType.from);
  }

  @FieldResolver(() => [SettlementType], { description: 'The settlements of the evidence, with their lines.' })
  async settlements(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<SettlementType[]> {
    return (await loadPresent(ctx.loaders.settlement, hit.row.settlement_ids)).map(SettlementType.fromRow);
  }

  @FieldResolver(() => ClueType, { nullable: true })
  async clue(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!hit.row.clue_id) return null;
    const clue = await ctx.loaders.visibleClue.load(hit.row.clue_id);
    return clue && ClueType.from(clue);
  }

  @FieldResolver(() => CollisionRunType)
  firstRun(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext) {
    return runOf(ctx, hit.row.first_run_id);
  }

  @FieldResolver(() => CollisionRunType)
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

@Resolver(() => ClueType)
export class ClueHitsResolver {
  /** The first page is batched over the clues of a list; a page further on is read for its one clue. */
  @FieldResolver(() => CollisionHitConnection, { description: 'The hits behind a DATA_COLLISION clue.' })
  async hits(
    @Root() clue: ClueType,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CollisionHitConnection> {
    const actor = requireActor(ctx);
    const size = pageSize(first, ctx.services.config.limits.maxPageSize);
    const page = after
      ? await listHits(ctx.services.db, actor, { sql: ['h.clue_id = $1'], params: new SqlParams([clue.row.id]) }, size, after)
      : await ctx.loaders.clueHits.load({ clueId: clue.row.id, first: size });
    return hitConnection(page);
  }
}
