import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../core/ids';
import { RuleClassEnum, RulePeriodEnum, VisitTypeEnum } from '../../graphql/enums';
import { ConnectionType, Node } from '../../graphql/relay';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { RuleRow } from './rule.service';

@ObjectType('Rule', { implements: Node, description: '规则库的一条规则（一个版本）: RULES.md.' })
export class RuleType extends Node {
  readonly __typename = 'Rule';

  @Field({ description: 'The rule key (rules.csv rule_id), shared by its versions.' })
  ruleId: string;

  @Field(() => RuleClassEnum, { description: 'The class: which RULE_* model checks it.' })
  ruleClass: string;

  @Field({ description: 'The item the rule is about.' })
  itemCode: string;

  @Field({ description: 'Scope: institutions of this region or below it.' })
  regionCode: string;

  @Field(() => DateScalar, { description: 'First day the rule applies to (charged_on).' })
  effectiveFrom: string;

  @Field(() => DateScalar, { nullable: true, description: 'Last day it applies to; null = open.' })
  effectiveTo: string | null;

  @Field(() => String, { nullable: true, description: 'SEX: the only gender the item is paid for (M, F).' })
  gender: string | null;

  @Field(() => Int, { nullable: true, description: 'AGE: the lowest allowed age in full years.' })
  minAge: number | null;

  @Field(() => Int, { nullable: true, description: 'AGE: the highest allowed age in full years.' })
  maxAge: number | null;

  @Field(() => [VisitTypeEnum], { nullable: true, description: 'VISIT_TYPE: the visit types paid for.' })
  visitTypes: string[] | null;

  @Field(() => String, { nullable: true, description: 'LEVEL: the lowest institution level paid for.' })
  minLevel: string | null;

  @Field(() => [String], { nullable: true, description: 'DIAGNOSIS: the diagnosis code prefixes paid for.' })
  diagnosisPrefixes: string[] | null;

  @Field(() => String, { nullable: true, description: 'EXCLUSIVE: the item not to be charged the same day.' })
  otherItemCode: string | null;

  @Field(() => Float, { nullable: true, description: 'FREQUENCY: the cap of Σquantity.' })
  maxUnits: number | null;

  @Field(() => RulePeriodEnum, { nullable: true, description: 'FREQUENCY: the group the cap applies to.' })
  period: string | null;

  @Field({ description: '中文 description shown to users.' })
  description: string;

  @Field(() => Int, { description: 'The version: updateRule and retireRule write a new one.' })
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

@ObjectType('RuleConnection')
export class RuleConnection extends ConnectionType(RuleType, 'Rule') {}

@InputType('RuleFilter')
export class RuleFilter {
  @Field(() => RuleClassEnum, { nullable: true, description: 'Rules of this class.' })
  ruleClass?: string | null;

  @Field(() => String, { nullable: true, description: 'Rules about this item.' })
  itemCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Rules that apply somewhere in this region.' })
  regionCode?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Rules in force on this day.' })
  activeOn?: string | null;

  @Field(() => String, { nullable: true, description: 'Text in the rule id, item code or description.' })
  search?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Rules in force on some day on or after this one.' })
  inForceFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Rules in force on some day on or before this one.' })
  inForceTo?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Rules with (true) or without (false) an end of validity (effectiveTo, i.e. retired).',
  })
  retired?: boolean | null;
}

@InputType('RuleInput')
export class RuleInputType {
  @Field({ description: 'The rule key.' })
  ruleId: string;

  @Field(() => RuleClassEnum)
  ruleClass: string;

  @Field()
  itemCode: string;

  @Field({ description: 'Scope: a region code.' })
  regionCode: string;

  @Field(() => DateScalar)
  effectiveFrom: string;

  @Field(() => DateScalar, { nullable: true })
  effectiveTo?: string | null;

  @Field(() => String, { nullable: true })
  gender?: string | null;

  @Field(() => Int, { nullable: true })
  minAge?: number | null;

  @Field(() => Int, { nullable: true })
  maxAge?: number | null;

  @Field(() => [VisitTypeEnum], { nullable: true })
  visitTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  minLevel?: string | null;

  @Field(() => [String], { nullable: true })
  diagnosisPrefixes?: string[] | null;

  @Field(() => String, { nullable: true })
  otherItemCode?: string | null;

  @Field(() => Float, { nullable: true })
  maxUnits?: number | null;

  @Field(() => RulePeriodEnum, { nullable: true })
  period?: string | null;

  @Field({ description: '中文 description.' })
  description: string;
}

@ObjectType('RuleStat', { description: "One rule's hits in a region and window." })
export class RuleStatType {
  @Field(() => RuleType)
  rule: RuleType;

  @Field(() => Int, { description: 'Hits whose anchor settlement lies in the window.' })
  hits: number;

  @Field(() => MoneyScalar, { description: 'Σ amount involved of those hits.' })
  amount: string;

  @Field(() => Int, { description: 'Distinct subject institutions of those hits.' })
  institutions: number;
}
