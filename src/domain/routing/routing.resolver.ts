import { Arg, Ctx, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { DepartmentKindEnum } from '../../graphql/enums';
import { GraphQLContext, requireActor } from '../../graphql/context';
import { Node } from '../../graphql/relay';
import { rowId, toGlobalId } from '../../core/ids';
import { JSONScalar } from '../../graphql/scalars';
import { DepartmentKind } from '../reference/department.entity';
import { RoutingRuleRow } from './routing.rules';
import { editRoutingRule, listRoutingRules } from './routing.service';

@ObjectType('RoutingRule', {
  implements: Node,
  description: '分办规则 (routing rule)：按 position 顺序判断，第一条成立的规则决定线索分办给哪类单位。',
})
export class RoutingRuleType extends Node {
  readonly __typename = 'RoutingRule';

  @Field(() => Int, { description: '判断顺序 (position)，小的先判断。' })
  position: number;

  @Field({ description: '规则名称。' })
  name: string;

  @Field(() => JSONScalar, {
    description:
      '条件 (condition)，JSON 数据：{"always": true}、{"any": [...]}、{"all": [...]}、{"publicOfficialInvolved": true}、{"models": [...], "minPersons": n}、{"amountAtLeast": "30000.00"}、{"amountAtLeastSetting": "<地区设置>"}。The rule\'s condition as stored data, e.g. thresholds and model lists.',
  })
  condition: unknown;

  @Field(() => DepartmentKindEnum, { description: '分办到的单位类型 (target kind)。' })
  targetKind: DepartmentKind;

  @Field({ description: '是否启用；停用的规则不参与判断。' })
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
  @Query(() => [RoutingRuleType], {
    description: '分办规则，按判断顺序；登录用户均可查。The routing rules in evaluation order.',
  })
  async routingRules(@Ctx() ctx: GraphQLContext): Promise<RoutingRuleType[]> {
    requireActor(ctx);
    return (await listRoutingRules(ctx.services.db)).map(RoutingRuleType.from);
  }

  @Mutation(() => RoutingRuleType, {
    description:
      '修改分办规则 (update routing rule)：省级单位的系统管理员；只改给出的项。ADMIN of a province: edits a rule (name, condition, target, enabled).',
  })
  async updateRoutingRule(
    @Arg('id', () => ID, { description: '分办规则的全局编号。' }) id: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('name', () => String, { nullable: true, description: '新名称。' }) name?: string | null,
    @Arg('condition', () => JSONScalar, {
      nullable: true,
      description: '新条件（语法见 RoutingRule.condition），不合法报 BAD_USER_INPUT。',
    })
    condition?: unknown,
    @Arg('targetKind', () => DepartmentKindEnum, { nullable: true, description: '新的目标单位类型。' })
    targetKind?: DepartmentKind | null,
    @Arg('enabled', () => Boolean, { nullable: true, description: '启用或停用。' }) enabled?: boolean | null,
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
