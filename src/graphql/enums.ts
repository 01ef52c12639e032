import { registerEnumType } from 'type-graphql';
import { ENUM_LABELS } from '../domain/labels';

/** A TS enum-like object built from the label table, so values and labels cannot drift. */
function enumFrom<K extends keyof typeof ENUM_LABELS>(name: K) {
  const values = Object.fromEntries(Object.keys(ENUM_LABELS[name]).map((v) => [v, v])) as {
    [V in keyof (typeof ENUM_LABELS)[K]]: V;
  };
  registerEnumType(values, {
    name,
    valuesConfig: Object.fromEntries(
      Object.entries(ENUM_LABELS[name]).map(([v, label]) => [v, { description: label as string }]),
    ) as never,
  });
  return values;
}

export const DepartmentKindEnum = enumFrom('DepartmentKind');
export const RegionLevelEnum = enumFrom('RegionLevel');
export const RoleEnum = enumFrom('Role');
export const InstitutionKindEnum = enumFrom('InstitutionKind');
export const VisitTypeEnum = enumFrom('VisitType');
export const ItemKindEnum = enumFrom('ItemKind');
export const RuleClassEnum = enumFrom('RuleClass');
export const RulePeriodEnum = enumFrom('RulePeriod');
export const SanctionKindEnum = enumFrom('SanctionKind');
export const CaseRelationKindEnum = enumFrom('CaseRelationKind');
export const RectificationStatusEnum = enumFrom('RectificationStatus');
export const SupervisionKindEnum = enumFrom('SupervisionKind');
export const ExportListEnum = enumFrom('ExportList');
export const ExportFormatEnum = enumFrom('ExportFormat');
