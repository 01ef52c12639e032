import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { GraphQLContext, loadPresent, requireActor } from '../../graphql/context';
import { notFound } from '../../graphql/errors';
import { Connection, fromGlobalId, pageSize, paginate } from '../../graphql/relay';
import { Actor, assertCanRunCollision, hitVisibleSql, runVisibleSql } from '../../policy';
import { ClueType } from '../clue/clue.types';
import { findVisibleClue } from '../clue/clue.service';
import { loadSettlements } from '../ingest/settlement.service';
import { SettlementType } from '../ingest/settlement.types';
import { InstitutionType, PersonType } from '../reference/reference.types';
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
  const params: unknown[] = [runId];
  const rows: CollisionRunRow[] = await ctx.services.db.query(
    `SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id::text = $1 AND ${runVisibleSql(actor, params)}`,
    params,
  );
  return rows[0] ?? null;
}

export async function listHits(
  ctx: GraphQLContext,
  actor: Actor,
  where: { sql: string[]; params: unknown[] },
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<CollisionHitType>> {
  const params = [...where.params];
  const conditions = [...where.sql, hitVisibleSql(actor, params)];
  const page = await paginate<CollisionHitRow & { created_us: string }, CollisionHitType>({
    query: (sql, ps) => ctx.services.db.query(sql, ps),
    from: `(SELECT h.*, (extract(epoch FROM h.created_at) * 1000000)::bigint AS created_us FROM collision_hit h) h`,
    where: conditions,
    params,
    orderBy: [
      { column: 'h.created_us', key: 'created_us' },
      { column: 'h.id', key: 'id' },
    ],
    descending: true,
    first: pageSize(first, ctx.services.config.limits.maxPageSize),
    after,
    map: CollisionHitType.from,
  });
  return page;
}

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
    const params: unknown[] = [];
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
    const rows: { model: string; slice_key: string; status: string; attempts: number; hits: number | null; duration_ms: number | null; error: string | null }[] =
      await ctx.services.db.query('SELECT * FROM collision_run_job WHERE run_id = $1 ORDER BY model, slice_key', [run.row.id]);
    return rows.map((r) =>
      Object.assign(new CollisionRunJobType(), {
        model: r.model,
        slice: r.slice_key,
        status: r.status,
        attempts: r.attempts,
        hits: r.hits,
        durationMs: r.duration_ms,
        error: r.error,
      }),
    );
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
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter?.model) sql.push(`h.model = ${p(filter.model)}`);
    if (filter?.runId) sql.push(`h.last_run_id::text = ${p(fromGlobalId(filter.runId, 'CollisionRun').id)}`);
    if (filter?.institutionCode) sql.push(`h.institution_code = ${p(filter.institutionCode)}`);
    if (filter?.regionCode) sql.push(`h.region_code LIKE ${p(`${filter.regionCode.replace(/(00)+$/, '')}%`)}`);
    return listHits(ctx, actor, { sql, params }, first, after);
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
    return (await loadSettlements(ctx.services.db, hit.row.settlement_ids)).map(SettlementType.fromRow);
  }

  @FieldResolver(() => ClueType, { nullable: true })
  async clue(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<ClueType | null> {
    if (!hit.row.clue_id) return null;
    try {
      return ClueType.from(await findVisibleClue(ctx.services.db, requireActor(ctx), hit.row.clue_id));
    } catch {
      return null;
    }
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
  const rows: CollisionRunRow[] = await ctx.services.db.query(`SELECT ${RUN_SELECT} FROM collision_run r WHERE r.id = $1`, [runId]);
  if (!rows[0]) throw notFound('collision run');
  return CollisionRunType.from(rows[0]);
}

@Resolver(() => ClueType)
export class ClueHitsResolver {
  @FieldResolver(() => CollisionHitConnection, { description: 'The hits behind a DATA_COLLISION clue.' })
  hits(
    @Root() clue: ClueType,
    @Ctx() ctx: GraphQLContext,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<CollisionHitConnection> {
    return listHits(ctx, requireActor(ctx), { sql: ['h.clue_id = $1'], params: [clue.row.id] }, first, after);
  }
}
