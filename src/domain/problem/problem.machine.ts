import { defineMachine } from '../../workflow/machine';

export type ProblemStatus = 'OPEN' | 'CLOSED' | 'REOPENED';

export type ProblemSource =
  'CASE' | 'CLUE' | 'INSPECTION' | 'SELF_CHECK' | 'AUDIT' | 'INSPECTION_TOUR' | 'SUPERVISION' | 'RECHECK';

/** 问题来源, with the Chinese label frontends show. */
export const PROBLEM_SOURCES: Record<ProblemSource, string> = {
  CASE: '案件查办',
  CLUE: '线索核查',
  INSPECTION: '监督检查',
  SELF_CHECK: '自查自纠',
  AUDIT: '审计发现',
  INSPECTION_TOUR: '巡察',
  SUPERVISION: '督办',
  RECHECK: '回头看',
};

export interface ProblemGuardInput {
  /** How many measures the problem has, and how many of them are not yet ACCEPTED. */
  measures: number;
  openMeasures: number;
}

/**
 * 问题清单 entry: open while its rectification measures (整改措施) are worked; closed (销号) by a
 * leader of the supervising department once every measure is accepted; reopened when a
 * recheck (回头看) finds the problem again.
 */
export const problemMachine = defineMachine({
  entity: 'Problem',
  table: 'problem',
  states: { OPEN: '整改中', CLOSED: '已销号', REOPENED: '复发整改中' } satisfies Record<ProblemStatus, string>,
  creation: { CREATE: { label: '列入问题清单', to: 'OPEN' } },
  events: {
    ADD_MEASURE: { label: '增加整改措施', from: ['OPEN', 'REOPENED'], by: ['SUPERVISING'] },
    CLOSE: {
      label: '销号',
      from: ['OPEN', 'REOPENED'],
      to: 'CLOSED',
      by: ['SUPERVISING_LEADER'],
      guard: (p: ProblemGuardInput) =>
        p.measures === 0
          ? 'a problem without rectification measures cannot be closed'
          : p.openMeasures > 0
            ? `${p.openMeasures} rectification measure(s) are not accepted yet`
            : null,
    },
    SCHEDULE_RECHECK: { label: '安排回头看', from: ['CLOSED'], by: ['SUPERVISING', 'SYSTEM'] },
    REOPEN: { label: '回头看复发，重新整改', from: ['CLOSED'], to: 'REOPENED', by: ['SYSTEM'] },
  },
});

export type ProblemEvent = keyof typeof problemMachine.events;
