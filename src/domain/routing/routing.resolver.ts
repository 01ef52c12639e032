import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { DepartmentKindEnum } from '../../graphql/enums';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { Node } from '../../graphql/relay';
import { rowId, toGlobalId } from '../../core/ids';
import { JSONScalar } from '../../graphql/scalars';
import { DepartmentKind } from '../reference/department.entity';
import { RoutingRuleRow } from './routing.rules';
import { editRoutingRule, listRoutingRules } from './routing.service';

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
    return (await listRoutingRules(ctx.services.db)).map(RoutingRuleType.from);
  }

  @Mutation(() => RoutingRuleType, {
    description: 'ADMIN of a province: edits a rule (name, condition, target, enabled).',
  })
  async updateRoutingRule(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String, { nullable: true }) name?: string | null,
    @Arg('condition', () => JSONScalar, { nullable: true }) condition?: unknown,
    @Arg('targetKind', () => DepartmentKindEnum, { nullable: true }) targetKind?: DepartmentKind | null,
    @Arg('enabled', () => Boolean, { nullable: true }) enabled?: boolean | null,
  ): Promise<RoutingRuleType> {
    const row = await editRoutingRule(ctx.services.db, requireActor(ctx), rowId(id, 'RoutingRule'), {
      name,
      condition,
      targetKind,
      enabled,
    });
    return RoutingRuleType.from(row);
  }
}
