/** Where a clue (线索) comes from (线索来源), with its Chinese label. */
export type ClueSource =
  'DATA_COLLISION' | 'PETITION' | 'INSPECTION' | 'SELF_REPORT' | 'AUDIT' | 'TRANSFER' | 'RECHECK';
export const CLUE_SOURCE_LABELS: Record<ClueSource, string> = {
  DATA_COLLISION: '数据碰撞',
  PETITION: '信访举报',
  INSPECTION: '监督检查',
  SELF_REPORT: '自查自纠',
  AUDIT: '审计发现',
  TRANSFER: '移送',
  RECHECK: '回头看复发',
};
/** Sources a user may register a clue with; the others are created by the system. */
export const REGISTRABLE_SOURCES: readonly ClueSource[] = ['PETITION', 'INSPECTION', 'SELF_REPORT', 'AUDIT'];
