/**
 * Chinese display labels for every enum value the API exposes: the frontends show these.
 * Registered enums read their value lists from here (see enums.ts), so one table holds both.
 */
import { SUPERVISION_KINDS } from './supervision/supervision.kinds';

/** The labels of a table of kinds declared with their concept (`{ CODE: { label, … } }`). */
const labelsOf = <T extends Record<string, { label: string }>>(kinds: T) =>
  Object.fromEntries(Object.entries(kinds).map(([code, kind]) => [code, kind.label])) as {
    [K in keyof T]: T[K]['label'];
  };

export const ENUM_LABELS = {
  DepartmentKind: {
    MEDICAL_INSURANCE: '医疗保障局',
    HEALTH: '卫生健康委员会',
    PUBLIC_SECURITY: '公安局',
    DISCIPLINE: '纪委监委',
  },
  RegionLevel: { PROVINCE: '省', CITY: '市', COUNTY: '县(区)' },
  Role: {
    INVESTIGATOR: '办案人员',
    SUPERVISOR: '科室负责人',
    LEADER: '领导',
    ANALYST: '数据分析员',
    ADMIN: '系统管理员',
  },
  InstitutionKind: { HOSPITAL: '医院', CLINIC: '诊所', VILLAGE_CLINIC: '村卫生室', PHARMACY: '定点药店' },
  VisitType: { OUTPATIENT: '门诊', INPATIENT: '住院', PHARMACY: '药店购药' },
  RuleClass: {
    SEX: '限性别',
    AGE: '限年龄',
    VISIT_TYPE: '限就医方式',
    LEVEL: '限医院等级',
    DIAGNOSIS: '限适应症（诊断）',
    EXCLUSIVE: '互斥项目',
    FREQUENCY: '限频次',
  },
  RulePeriod: { DAY: '每日（每次结算）', SETTLEMENT: '每次结算', YEAR: '每人每年' },
  ItemKind: {
    DRUG: '药品',
    EXAM: '检查',
    LAB: '检验',
    TREATMENT: '治疗',
    MATERIAL: '医用耗材',
    BED: '床位',
    OTHER: '其他',
  },
  SanctionKind: {
    PARTY_DISCIPLINE: '党纪处分',
    GOVERNMENT_SANCTION: '政务处分',
    ADMINISTRATIVE_PENALTY: '行政处罚(罚款)',
    FUND_RECOVERY: '追回医保基金',
    AGREEMENT_SUSPENSION: '暂停医保协议',
    AGREEMENT_TERMINATION: '解除医保协议',
    INTERVIEW: '约谈',
    POLICE_REFERRAL: '移送公安',
    PROCURATORATE_REFERRAL: '移送检察机关',
  },
  CaseRelationKind: { RELATED: '关联案件', DUAL_INVESTIGATION: '一案双查' },
  RectificationStatus: { OPEN: '整改中', DONE: '已整改' },
  SupervisionKind: labelsOf(SUPERVISION_KINDS),
  ExportList: { CLUES: '线索清单', CASES: '案件清单', HITS: '疑点清单', PROBLEMS: '问题清单', STATS: '督办统计' },
  ExportFormat: { CSV: 'CSV 文件', XLSX: 'Excel 工作簿 (XLSX)' },
} as const satisfies Record<string, Record<string, string>>;

export type LabelledEnum = keyof typeof ENUM_LABELS;
