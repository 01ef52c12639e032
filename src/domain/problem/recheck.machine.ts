import { defineMachine } from '../../workflow/machine';

export type RecheckStatus = 'SCHEDULED' | 'RUNNING' | 'PASSED' | 'RECURRED';

/** The contract's RecheckResult: a running recheck has no result yet. */
export type RecheckResult = 'SCHEDULED' | 'PASSED' | 'RECURRED';
export type Recommendation = 'INTERVIEW' | 'SUSPEND_SETTLEMENT' | 'TERMINATE_AGREEMENT';

/** 处理建议 of a recurrence, each a step more severe than the one before (PRODUCT.md §9). */
export const RECOMMENDATIONS: Record<Recommendation, string> = {
  INTERVIEW: '约谈',
  SUSPEND_SETTLEMENT: '暂停结算',
  TERMINATE_AGREEMENT: '解除定点协议',
};

/**
 * 回头看: scheduled when a problem is closed (or by hand); on its day a worker re-runs the
 * models behind the problem's hits for the institution over the window after closure —
 * no new hit: PASSED; new hits: RECURRED (the problem reopens, a RECHECK clue goes one level up).
 */
export const recheckMachine = defineMachine({
  entity: 'Recheck',
  table: 'recheck',
  states: { SCHEDULED: '待回头看', RUNNING: '回头看中', PASSED: '未复发', RECURRED: '复发' } satisfies Record<
    RecheckStatus,
    string
  >,
  creation: { SCHEDULE: { label: '安排回头看', to: 'SCHEDULED' } },
  events: {
    START: { label: '开始回头看', from: ['SCHEDULED'], to: 'RUNNING', by: ['SYSTEM'] },
    /** Its collision run failed: a new run replaces it (recheck-runner.ts). */
    RERUN: { label: '重新碰撞', from: ['RUNNING'], by: ['SYSTEM'] },
    PASS: { label: '回头看未发现复发', from: ['RUNNING'], to: 'PASSED', by: ['SYSTEM'] },
    RECUR: { label: '回头看发现复发', from: ['RUNNING'], to: 'RECURRED', by: ['SYSTEM'] },
  },
});

export type RecheckEvent = keyof typeof recheckMachine.events;
