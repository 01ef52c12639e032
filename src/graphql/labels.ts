/**
 * Chinese display labels for every enum value the API exposes: the frontends show these.
 * Registered enums read their value lists from here (see enums.ts), so one table holds both.
 */
export const ENUM_LABELS = {
  DepartmentKind: {
    MEDICAL_INSURANCE: '医疗保障局',
    HEALTH: '卫生健康委员会',
    PUBLIC_SECURITY: '公安局',
    DISCIPLINE: '纪委监委',
  },
  RegionLevel: { PROVINCE: '省', CITY: '市', COUNTY: '县(区)' },
  Role: { INVESTIGATOR: '办案人员', SUPERVISOR: '科室负责人', LEADER: '领导', ANALYST: '数据分析员', ADMIN: '系统管理员' },
  InstitutionKind: { HOSPITAL: '医院', CLINIC: '诊所', VILLAGE_CLINIC: '村卫生室', PHARMACY: '定点药店' },
} as const satisfies Record<string, Record<string, string>>;

export type LabelledEnum = keyof typeof ENUM_LABELS;
