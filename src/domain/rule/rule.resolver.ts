import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../core/pagination';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { DateScalar } from '../../graphql/scalars';
import { ARG, connectionOf } from '../../graphql/relay';
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
  @Query(() => RuleConnection, {
    description:
      '规则库 (rule library)：可见规则的当前版本，按规则编号排序。系统管理员及医保、纪委的非管理员用户可见适用范围与其辖区重叠的规则。The rule library: current versions of the visible rules, by rule id.',
  })
  async rules(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => RuleFilter, { nullable: true, description: '筛选条件。' }) filter?: RuleFilter | null,
    @Arg('first', () => Int, { nullable: true, description: ARG.first }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: ARG.after }) after?: string | null,
  ): Promise<RuleConnection> {
    const actor = requireActor(ctx);
    const page = await listRules(
      ctx.services.db,
      actor,
      filter ?? {},
      pageSize(first, ctx.services.config.limits.maxPageSize),
      after,
    );
    return connectionOf(page, (row) => RuleType.from(row));
  }

  @Query(() => RuleType, {
    nullable: true,
    description: '按规则编号查规则的当前版本；不存在或不可见时为 null。The current version of a rule, by its rule id.',
  })
  async rule(
    @Ctx() ctx: GraphQLContext,
    @Arg('ruleId', () => String, { description: '规则编号。' }) ruleId: string,
  ): Promise<RuleType | null> {
    const row = await findVisibleRule(ctx.services.db, requireActor(ctx), ruleId);
    return row && RuleType.from(row);
  }

  @Query(() => [RuleStatType], {
    description:
      '规则命中统计 (rule stats)：领导和数据分析员，区划在其辖区内；区划内适用的每条规则在时间窗内的疑点数、金额和机构数，疑点多的在前。Per rule applying in the region: hits, amount and institutions in the window (most hits first).',
  })
  async ruleStats(
    @Ctx() ctx: GraphQLContext,
    @Arg('regionCode', () => String, { description: '行政区划代码。' }) regionCode: string,
    @Arg('from', () => DateScalar, { description: '时间窗起（含）。' }) from: string,
    @Arg('to', () => DateScalar, { description: '时间窗止（含），不早于 from。' }) to: string,
  ): Promise<RuleStatType[]> {
    const rows = await ruleStatistics(ctx.services.db, requireActor(ctx), { regionCode, from, to });
    return rows.map((r) => ({ ...r, rule: RuleType.from(r.rule) }));
  }

  @Mutation(() => RuleType, {
    description:
      '新建规则 (create rule)，版本 1：系统管理员，或医保的数据分析员、领导，适用范围在其辖区内。Adds a rule (version 1). ADMIN, or 医保 ANALYST/LEADER for their region.',
  })
  async createRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RuleInputType, { description: '规则。' }) input: RuleInputType,
  ): Promise<RuleType> {
    return RuleType.from(await createRule(ctx.services.db, requireActor(ctx), input));
  }

  @Mutation(() => RuleType, {
    description:
      '修改规则 (update rule)：写入新版本，旧版本仍可读；权限同 createRule。Writes a new version of a rule; the old one stays readable.',
  })
  async updateRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => RuleInputType, { description: '规则的新内容（按 ruleId 指定规则）。' }) input: RuleInputType,
    @Arg('expectedVersion', () => Int, { nullable: true, description: ARG.expectedVersion })
    expectedVersion?: number | null,
  ): Promise<RuleType> {
    return RuleType.from(await updateRule(ctx.services.db, requireActor(ctx), input, expectedVersion));
  }

  @Mutation(() => RuleType, {
    description:
      '停用规则 (retire rule)：到 effectiveTo 为止（写入新版本）；权限同 createRule。Ends a rule on effectiveTo (a new version).',
  })
  async retireRule(
    @Ctx() ctx: GraphQLContext,
    @Arg('ruleId', () => String, { description: '规则编号。' }) ruleId: string,
    @Arg('effectiveTo', () => DateScalar, { description: '最后适用日期（含），不早于生效日期。' }) effectiveTo: string,
  ): Promise<RuleType> {
    return RuleType.from(await retireRule(ctx.services.db, requireActor(ctx), ruleId, effectiveTo));
  }
}

/** CollisionHit.rule: whoever reads a RULE_* hit reads the rule version behind it. */
@Resolver(() => CollisionHitType)
export class CollisionHitRuleResolver {
  @FieldResolver(() => RuleType, {
    nullable: true,
    description: 'RULE_* 疑点所依据的规则版本。The rule behind a RULE_* hit.',
  })
  async rule(@Root() hit: CollisionHitType, @Ctx() ctx: GraphQLContext): Promise<RuleType | null> {
    const detail = hit.row.detail as { ruleId?: string; ruleVersion?: number } | null;
    if (!hit.row.model.startsWith('RULE_') || !detail?.ruleId || !detail.ruleVersion) return null;
    const [row] = await rulesByVersion(ctx.services.db, [{ ruleId: detail.ruleId, version: detail.ruleVersion }]);
    return row ? RuleType.from(row) : null;
  }
}
