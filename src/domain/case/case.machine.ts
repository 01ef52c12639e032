import { defineMachine } from '../../workflow/machine';

export type CaseStatus = 'FILED' | 'INVESTIGATING' | 'REVIEWING' | 'DECIDED' | 'RECTIFYING' | 'CLOSED';

export interface CaseGuardInput {
  sanctions: number;
  noActionDecision: boolean;
  openRectifications: number;
}

/** 案件: 立案 → 调查 → 审理 → 处理决定 → 整改 → 结案. */
export const caseMachine = defineMachine({
  entity: 'Case',
  table: '"case"',
  states: {
    FILED: '立案',
    INVESTIGATING: '调查',
    REVIEWING: '审理',
    DECIDED: '处理决定',
    RECTIFYING: '整改',
    CLOSED: '结案',
  } satisfies Record<CaseStatus, string>,
  creation: { FILE: { label: '立案', to: 'FILED' } },
  events: {
    START_INVESTIGATION: { label: '开始调查', from: ['FILED'], to: 'INVESTIGATING', by: ['OWNER'] },
    SUBMIT_FOR_REVIEW: { label: '提请审理', from: ['INVESTIGATING'], to: 'REVIEWING', by: ['OWNER'] },
    DECIDE: {
      label: '作出处理决定',
      from: ['REVIEWING'],
      to: 'DECIDED',
      by: ['OWNER'],
      guard: (c: CaseGuardInput) =>
        c.sanctions > 0 || c.noActionDecision ? null : 'a decision needs at least one sanction or a recorded no-action decision',
    },
    START_RECTIFICATION: { label: '开始整改', from: ['DECIDED'], to: 'RECTIFYING', by: ['OWNER'] },
    CLOSE: {
      label: '结案',
      from: ['DECIDED', 'RECTIFYING'],
      to: 'CLOSED',
      by: ['OWNER'],
      guard: (c: CaseGuardInput) =>
        c.openRectifications === 0 ? null : `${c.openRectifications} rectification item(s) are not done yet`,
    },
    /** 指定管辖 moves a case not yet closed to another owner (set with the event, supervision.service.ts). */
    DESIGNATED_JURISDICTION: {
      label: '指定管辖',
      from: ['FILED', 'INVESTIGATING', 'REVIEWING', 'DECIDED', 'RECTIFYING'],
      by: ['DESIGNATOR'],
    },
  },
});

export type CaseEvent = keyof typeof caseMachine.events;

/**
 * Sanctions are recorded from the investigation (an interim 暂停协议 or 约谈) until the
 * decision; DECIDE needs them already there, and a decided case may still get further ones.
 */
export const SANCTION_STATES: readonly CaseStatus[] = ['INVESTIGATING', 'REVIEWING', 'DECIDED'];

/**
 * Rectification items come from supervisory recommendations (纪检监察建议书), issued from the
 * review on; CLOSE then waits for every one of them.
 */
export const RECTIFICATION_STATES: readonly CaseStatus[] = ['REVIEWING', 'DECIDED', 'RECTIFYING'];
