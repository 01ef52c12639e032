import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { CollisionHitType } from '../collision/collision.types';
import {
  createRule,
  findVisibleRule,
  listRules,
  retireRule,
  ruleStatistics,
  rulesByVersion,
  updateRule,
} from './rule.service';
import { RuleConnection, RuleFilter, RuleInputType, RuleStatType, RuleType } from './rule.types';

@Resolver(() => RuleType)
export class RuleResolver {
  @Query(() => RuleConnection, { description: 'The rule library: current versions of the visible rules, by rule id.' })
  async rules(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => RuleFilter, { nullable: true }) filter?: RuleFilter | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<RuleConnection> {
    const actor = requireActor(ctx);
    const page = await listRules(
      ctx.services.db,
      actor,
      filter ?? {},
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: RuleType.from(e.node) })) };
  }

  @Query(() => RuleType, { nullable: true, description: 'The current version of a rule, by its rule id.' })
  async rule(@Ctx() ctx: GraphQLContext, @Arg('ruleId', () => String) ruleId: string): Promise<RuleType | null> {
    const row = await findVisibleRule(ctx.services.db, requireActor(ctx), ruleId);
    return row && RuleType.from(row);
  }

  @Query(() => [RuleStatType], {
    description: 'Per rule applying in the region: hits, amount and institutions in the window (most hits first).',
  })
  async ruleStats(
    @Ctx() ctx: GraphQLContext,
    @Arg('regionCode', () => String) regionCode: string,
    @Arg('from', () => DateScalar) from: string,
    @Arg('to', () => DateScalar) to: string,
  ): Promise<RuleStatType[]> {
    const rows = await ruleStatistics(ctx.services.db, requireActor(ctx), { regionCode, from, to });
    return rows.map((r) => ({ ...r, rule: RuleType.from(r.rule) }));
  }

  @Mutation(() => RuleType, { description: 'Adds a rule (version 1). ADMIN, or 医保 ANALYST/LEADER for their region.' })
  async createRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RuleInputType) input: RuleInputType,
  ): Promise<RuleType> {
    return RuleType.from(await createRule(ctx.services.db, requireActor(ctx), input));
  }

  @Mutation(() => RuleType, { description: 'Writes a new version of a rule; the old one stays readable.' })
  async updateRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RuleInputType) input: RuleInputType,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number | null,
  ): Promise<RuleType> {
    return RuleType.from(await updateRule(ctx.services.db, requireActor(ctx), input, expectedVersion));
  }

  @Mutation(() => RuleType, { description: 'Ends a rule on effectiveTo (a new version).' })
  async retireRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('ruleId', () => String) ruleId: string,
    @Arg('effectiveTo', () => DateScalar) effectiveTo: string,
  ): Promise<RuleType> {
    return RuleType.from(await retireRule(ctx.services.db, requireActor(ctx), ruleId, effectiveTo));
  }
}

/** CollisionHit.rule: whoever reads a RULE_* hit reads the rule version behind it. */
@Resolver(() => CollisionHitType)
export class CollisionHitRuleResolver {
  @FieldResolver(() => RuleType, { nullable: true, description: 'The rule behind a RULE_* hit.' })
  async rule(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<RuleType | null> {
    const detail = hit.row.detail as { ruleId?: string; ruleVersion?: number } | null;
    if (!hit.row.model.startsWith('RULE_') || !detail?.ruleId || !detail.ruleVersion) return null;
    const [row] = await rulesByVersion(ctx.services.db, [{ ruleId: detail.ruleId, version: detail.ruleVersion }]);
    return row ? RuleType.from(row) : null;
  }
}
