import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { RuleClassEnum, RulePeriodEnum, VisitTypeEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { RuleRow } from './rule.service';

@ObjectType('Rule', { implements: Node, description: '规则 (rule)：规则库的一条规则（一个版本）: RULES.md.' })
export class RuleType extends Node {
  readonly __typename = 'Rule';

  @Field({ description: '规则编号 (rule id)，各版本相同。The rule key (rules.csv rule_id), shared by its versions.' })
  ruleId: string;

  @Field(() => RuleClassEnum, { description: '规则类别。The class: which RULE_* model checks it.' })
  ruleClass: string;

  @Field({ description: '项目编码 (item code)。The item the rule is about.' })
  itemCode: string;

  @Field({ description: '适用范围：此区划及下级的机构。Scope: institutions of this region or below it.' })
  regionCode: string;

  @Field(() => DateScalar, { description: '生效日期（按收费日期）。First day the rule applies to (charged_on).' })
  effectiveFrom: string;

  @Field(() => DateScalar, {
    nullable: true,
    description: '失效日期（含）；null 为长期有效。Last day it applies to; null = open.',
  })
  effectiveTo: string | null;

  @Field(() => String, {
    nullable: true,
    description: '限性别：唯一可支付的性别。SEX: the only gender the item is paid for (M, F).',
  })
  gender: string | null;

  @Field(() => Int, {
    nullable: true,
    description: '限年龄：最低年龄（周岁）。AGE: the lowest allowed age in full years.',
  })
  minAge: number | null;

  @Field(() => Int, {
    nullable: true,
    description: '限年龄：最高年龄（周岁）。AGE: the highest allowed age in full years.',
  })
  maxAge: number | null;

  @Field(() => [VisitTypeEnum], {
    nullable: true,
    description: '限就医方式：可支付的就医方式。VISIT_TYPE: the visit types paid for.',
  })
  visitTypes: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: '限医院等级：最低可支付等级。LEVEL: the lowest institution level paid for.',
  })
  minLevel: string | null;

  @Field(() => [String], {
    nullable: true,
    description: '限适应症：可支付的诊断编码前缀。DIAGNOSIS: the diagnosis code prefixes paid for.',
  })
  diagnosisPrefixes: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: '互斥项目：同日不得同时收费的项目。EXCLUSIVE: the item not to be charged the same day.',
  })
  otherItemCode: string | null;

  @Field(() => Float, { nullable: true, description: '限频次：数量上限。FREQUENCY: the cap of Σquantity.' })
  maxUnits: number | null;

  @Field(() => RulePeriodEnum, {
    nullable: true,
    description: '限频次：计数范围。FREQUENCY: the group the cap applies to.',
  })
  period: string | null;

  @Field({ description: '中文 description shown to users.' })
  description: string;

  @Field(() => Int, { description: '版本号。The version: updateRule and retireRule write a new one.' })
  version: number;

  static from(row: RuleRow): RuleType {
    return Object.assign(new RuleType(), {
      id: toGlobalId('Rule', row.id),
      ruleId: row.rule_id,
      ruleClass: row.rule_class,
      itemCode: row.item_code,
      regionCode: row.region_code,
      effectiveFrom: row.effective_from,
      effectiveTo: row.effective_to,
      gender: row.gender,
      minAge: row.min_age,
      maxAge: row.max_age,
      visitTypes: row.visit_types,
      minLevel: row.min_level,
      diagnosisPrefixes: row.diagnosis_prefixes,
      otherItemCode: row.other_item_code,
      maxUnits: row.max_units === null ? null : Number(row.max_units),
      period: row.period,
      description: row.description,
      version: row.version,
    });
  }
}

@ObjectType('RuleConnection', { description: '规则分页列表 (Rule connection)。' })
export class RuleConnection extends ConnectionType(RuleType, 'Rule') {}

@InputType('RuleFilter', { description: '规则筛选 (rule filter)：各条件同时满足。' })
export class RuleFilter {
  @Field(() => RuleClassEnum, { nullable: true, description: '规则类别。Rules of this class.' })
  ruleClass?: string | null;

  @Field(() => String, { nullable: true, description: '项目编码。Rules about this item.' })
  itemCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '在该区划内（部分）适用的规则。Rules that apply somewhere in this region.',
  })
  regionCode?: string | null;

  @Field(() => DateScalar, { nullable: true, description: '该日有效的规则。Rules in force on this day.' })
  activeOn?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '搜索：规则编号、项目编码或说明中包含的文字。Text in the rule id, item code or description.',
  })
  search?: string | null;
}

@InputType('RuleInput', {
  description: '规则 (rule input)：各类别只填本类的参数（RULES.md）；校验不通过报 BAD_USER_INPUT。',
})
export class RuleInputType {
  @Field({ description: '规则编号 (rule id)：新建时不可重复（重复报 CONFLICT），修改时指定要改的规则。The rule key.' })
  ruleId: string;

  @Field(() => RuleClassEnum, { description: '规则类别；修改时不可变。' })
  ruleClass: string;

  @Field({ description: '项目编码 (item code)。' })
  itemCode: string;

  @Field({ description: '适用范围：行政区划代码，须在调用者辖区内。Scope: a region code.' })
  regionCode: string;

  @Field(() => DateScalar, { description: '生效日期（按收费日期）。' })
  effectiveFrom: string;

  @Field(() => DateScalar, { nullable: true, description: '失效日期（含）；null 为长期有效。' })
  effectiveTo?: string | null;

  @Field(() => String, { nullable: true, description: 'SEX：限定性别，M 或 F。' })
  gender?: string | null;

  @Field(() => Int, { nullable: true, description: 'AGE：最低年龄（周岁）。' })
  minAge?: number | null;

  @Field(() => Int, { nullable: true, description: 'AGE：最高年龄（周岁）。' })
  maxAge?: number | null;

  @Field(() => [VisitTypeEnum], { nullable: true, description: 'VISIT_TYPE：可支付的就医方式。' })
  visitTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'LEVEL：最低医院等级（TERTIARY、SECONDARY、PRIMARY）。' })
  minLevel?: string | null;

  @Field(() => [String], { nullable: true, description: 'DIAGNOSIS：可支付的诊断编码前缀。' })
  diagnosisPrefixes?: string[] | null;

  @Field(() => String, { nullable: true, description: 'EXCLUSIVE：同日不得同时收费的另一项目编码。' })
  otherItemCode?: string | null;

  @Field(() => Float, { nullable: true, description: 'FREQUENCY：数量上限。' })
  maxUnits?: number | null;

  @Field(() => RulePeriodEnum, { nullable: true, description: 'FREQUENCY：上限的计数范围。' })
  period?: string | null;

  @Field({ description: '规则说明（中文）。中文 description.' })
  description: string;
}

@ObjectType('RuleStat', {
  description: "规则命中统计 (rule stat)：一条规则在区划和时间窗内的疑点。One rule's hits in a region and window.",
})
export class RuleStatType {
  @Field(() => RuleType, { description: '规则（当前版本）。' })
  rule: RuleType;

  @Field(() => Int, { description: '疑点数：锚定结算在时间窗内的。Hits whose anchor settlement lies in the window.' })
  hits: number;

  @Field(() => MoneyScalar, { description: '疑点涉及金额之和，元。Σ amount involved of those hits.' })
  amount: string;

  @Field(() => Int, { description: '涉及机构数（去重）。Distinct subject institutions of those hits.' })
  institutions: number;
}
