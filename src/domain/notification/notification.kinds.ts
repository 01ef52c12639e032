/**
 * What a notification can be about (PRODUCT.md §9: every assignment, transfer received,
 * deadline reminder, overdue, recheck result and document received), with its Chinese label.
 * A new kind is one line here.
 */
export const NOTIFICATION_KINDS = {
  CLUE_ASSIGNED: '线索分办',
  TRANSFER_RECEIVED: '收到移送',
  TRANSFER_OVERDUE: '移送逾期',
  SUPERVISION_ASSIGNED: '收到督办',
  SUPERVISION_REMINDER: '督办到期提醒',
  SUPERVISION_OVERDUE: '督办逾期',
  PROBLEM_ASSIGNED: '收到整改问题',
  MEASURE_REMINDER: '整改到期提醒',
  MEASURE_OVERDUE: '整改逾期',
  MEASURE_SUBMITTED: '整改报告待验收',
  MEASURE_REJECTED: '整改验收未通过',
  PROBLEM_CLOSED: '问题销号',
  RECHECK_PASSED: '回头看通过',
  RECHECK_RECURRED: '回头看发现复发',
  DOCUMENT_RECEIVED: '收到文书',
  CAMPAIGN_DEPLOYED: '专项行动部署',
  CAMPAIGN_PHASE: '专项行动进入新阶段',
  INSPECTION_ASSIGNED: '检查任务',
} as const;

export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
