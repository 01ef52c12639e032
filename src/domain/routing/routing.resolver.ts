import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { DepartmentKindEnum } from '../../graphql/enums';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { badInput, forbidden, notFound } from '../../core/errors';
import { Node } from '../../graphql/relay';
import { fromGlobalId, toGlobalId } from '../../core/ids';
import { JSONScalar } from '../../graphql/scalars';
import { hasRole } from '../../policy';
import { DepartmentKind } from '../reference/department.entity';
import { RoutingRuleRow, validateCondition } from './routing.rules';

@ObjectType('RoutingRule', { implements: Node, description: '分办规则' })
export class RoutingRuleType extends Node {
  readonly __typename = 'RoutingRule';

  @Field(() => Int)
  position: number;

  @Field()
  name: string;

  @Field(() => JSONScalar, { description: "The rule's condition as stored data, e.g. thresholds and model lists." })
  condition: unknown;

  @Field(() => DepartmentKindEnum)
  targetKind: DepartmentKind;

  @Field()
  enabled: boolean;

  static from(row: RoutingRuleRow): RoutingRuleType {
    return Object.assign(new RoutingRuleType(), {
      id: toGlobalId('RoutingRule', row.id),
      position: row.position,
      name: row.name,
      condition: row.condition,
      targetKind: row.target_kind,
      enabled: row.enabled,
    });
  }
}

@Resolver(() => RoutingRuleType)
export class RoutingRuleResolver {
  @Query(() => [RoutingRuleType], { description: 'The routing rules in evaluation order.' })
  async routingRules(@Ctx() ctx: GraphQLContext): Promise<RoutingRuleType[]> {
    requireActor(ctx);
    const rows: RoutingRuleRow[] = await ctx.services.db.query('SELECT * FROM routing_rule ORDER BY position');
    return rows.map(RoutingRuleType.from);
  }

  @Mutation(() => RoutingRuleType, { description: 'ADMIN of a province: edits a rule (name, condition, target, enabled).' })
  async updateRoutingRule(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
    @Arg('condition', () => JSONScalar, { nullable: true }) condition?: unknown,
    @Arg('targetKind', () => DepartmentKindEnum, { nullable: true }) targetKind?: DepartmentKind | null,
    @Arg('enabled', () => Boolean, { nullable: true }) enabled?: boolean | null,
  ): Promise<RoutingRuleType> {
    const actor = requireActor(ctx);
    if (!hasRole(actor, 'ADMIN') || actor.department.regionLevel !== 'PROVINCE') {
      throw forbidden('routing rules are edited by provincial administrators');
    }
    if (condition !== undefined && condition !== null) {
      const problem = validateCondition(condition);
      if (problem) throw badInput(`condition: ${problem}`);
    }
    const rows: RoutingRuleRow[] = await ctx.services.db.query(
      `WITH changed AS (
         UPDATE routing_rule SET name = coalesce($2, name), condition = coalesce($3::jsonb, condition),
                target_kind = coalesce($4, target_kind), enabled = coalesce($5, enabled), updated_at = now()
         WHERE id::text = $1 RETURNING *)
       SELECT * FROM changed`,
      [fromGlobalId(id, 'RoutingRule').id, name ?? null, condition == null ? null : JSON.stringify(condition), targetKind ?? null, enabled ?? null],
    );
    if (!rows[0]) throw notFound('routing rule');
    return RoutingRuleType.from(rows[0]);
  }
}
