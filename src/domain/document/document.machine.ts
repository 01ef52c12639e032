import { defineMachine } from '../../workflow/machine';
import { DepartmentKind } from '../reference/department.entity';

export type DocumentStatus = 'ISSUED';

export type DocumentKind =
  'DISCIPLINE_RECOMMENDATION' | 'WORK_SUGGESTION' | 'SUPERVISION_NOTICE' | 'INTERVIEW_RECORD' | 'PUBLIC_NOTICE';

/** 文书种类, with the Chinese label frontends show. */
export const DOCUMENT_KINDS: Record<DocumentKind, string> = {
  DISCIPLINE_RECOMMENDATION: '纪检监察建议书',
  WORK_SUGGESTION: '工作建议函',
  SUPERVISION_NOTICE: '督办通知',
  INTERVIEW_RECORD: '约谈记录',
  PUBLIC_NOTICE: '通报',
};

/** The kinds whose requested measures (整改措施) become a problem of each recipient. */
export const KINDS_WITH_MEASURES: readonly DocumentKind[] = ['DISCIPLINE_RECOMMENDATION', 'WORK_SUGGESTION'];

/**
 * 文号 prefix (机关代字) = the first character of the issuer's region name + the agency's
 * character(s) + the kind's character: 宝鸡市纪委监委's 纪检监察建议书 → 宝纪建, 渭滨区医保局's
 * 工作建议函 → 渭医保函.
 */
export const AGENCY_MARKS: Record<DepartmentKind, string> = {
  DISCIPLINE: '纪',
  MEDICAL_INSURANCE: '医保',
  HEALTH: '卫健',
  PUBLIC_SECURITY: '公',
};
export const KIND_MARKS: Record<DocumentKind, string> = {
  DISCIPLINE_RECOMMENDATION: '建',
  WORK_SUGGESTION: '函',
  SUPERVISION_NOTICE: '督',
  INTERVIEW_RECORD: '谈',
  PUBLIC_NOTICE: '通',
};

export const documentPrefix = (regionName: string, agency: DepartmentKind, kind: DocumentKind): string =>
  `${[...regionName][0] ?? ''}${AGENCY_MARKS[agency]}${KIND_MARKS[kind]}`;

/** `<prefix>〔YYYY〕N号`. */
export const documentNumber = (prefix: string, year: number, seq: number): string => `${prefix}〔${year}〕${seq}号`;

/**
 * A person's name as a 通报 shows it: the surname (first character) and one '*' per remaining
 * character (张三 → 张*, 张三丰 → 张**); a one-character name becomes '*'.
 */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * 文书 are immutable once issued: one state, no events. The machine records the issue (ISSUE)
 * on the timeline and in the audit log like every other creation.
 */
export const documentMachine = defineMachine({
  entity: 'Document',
  table: 'document',
  states: { ISSUED: '已印发' } satisfies Record<DocumentStatus, string>,
  creation: { ISSUE: { label: '印发', to: 'ISSUED' } },
  events: {},
});
