import { registerEnumType } from 'type-graphql';
import { ENUM_LABELS } from '../domain/labels';

/** A TS enum-like object built from the label table, so values and labels cannot drift. */
function enumFrom<K extends keyof typeof ENUM_LABELS>(name: K, description: string) {
  const values = Object.fromEntries(Object.keys(ENUM_LABELS[name]).map((v) => [v, v])) as {
    [V in keyof (typeof ENUM_LABELS)[K]]: V;
  };
  registerEnumType(values, {
    name,
    description,
    valuesConfig: Object.fromEntries(
      Object.entries(ENUM_LABELS[name]).map(([v, label]) => [v, { description: label as string }]),
    ) as never,
  });
  return values;
}

export const DepartmentKindEnum = enumFrom('DepartmentKind', '单位类型 (department kind)：四类监管单位。');
export const RegionLevelEnum = enumFrom('RegionLevel', '行政区划级别 (region level)。');
export const RoleEnum = enumFrom('Role', '用户角色 (role)：一个用户可有多个。');
export const InstitutionKindEnum = enumFrom('InstitutionKind', '定点医药机构类型 (institution kind)。');
export const VisitTypeEnum = enumFrom('VisitType', '就医方式 (visit type)。');
export const ItemKindEnum = enumFrom('ItemKind', '收费项目类别 (item kind)。');
export const RuleClassEnum = enumFrom('RuleClass', '规则类别 (rule class)：每类由一个 RULE_* 碰撞模型检查。');
export const RulePeriodEnum = enumFrom('RulePeriod', '限频次规则的计数范围 (period)。');
export const SanctionKindEnum = enumFrom('SanctionKind', '处理处罚种类 (sanction kind)。');
export const CaseRelationKindEnum = enumFrom('CaseRelationKind', '案件关联类型 (case relation kind)。');
export const RectificationStatusEnum = enumFrom(
  'RectificationStatus',
  '整改事项状态 (rectification status)：措施验收后为 DONE。',
);
export const SupervisionKindEnum = enumFrom('SupervisionKind', '督办方式 (supervision kind)。');
