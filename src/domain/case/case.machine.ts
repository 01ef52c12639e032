import { defineMachine, EventDefinition } from '../../workflow/machine';

export type CaseStatus = 'FILED' | 'INVESTIGATING' | 'REVIEWING' | 'DECIDED' | 'RECTIFYING' | 'CLOSED';

export interface CaseGuardInput {
  sanctions: number;
  noActionDecision: boolean;
  openRectifications: number;
}

const STATES = {
  FILED: '立案',
  INVESTIGATING: '调查',
  REVIEWING: '审理',
  DECIDED: '处理决定',
  RECTIFYING: '整改',
  CLOSED: '结案',
} satisfies Record<CaseStatus, string>;

const ANY_STATE = Object.keys(STATES) as CaseStatus[];

type CaseEventDefinition = EventDefinition<CaseStatus, CaseGuardInput>;

/** The events that move the case along its workflow: `transitionCase`, the GraphQL enum CaseEvent. */
const TRANSITIONS = {
  START_INVESTIGATION: { label: '开始调查', from: ['FILED'], to: 'INVESTIGATING', by: ['OWNER'] },
  SUBMIT_FOR_REVIEW: { label: '提请审理', from: ['INVESTIGATING'], to: 'REVIEWING', by: ['OWNER'] },
  DECIDE: {
    label: '作出处理决定',
    from: ['REVIEWING'],
    to: 'DECIDED',
    by: ['OWNER'],
    guard: (c: CaseGuardInput) =>
      c.sanctions > 0 || c.noActionDecision
        ? null
        : 'a decision needs at least one sanction or a recorded no-action decision',
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
} satisfies Record<string, CaseEventDefinition>;

/**
 * Changes of the case's content that keep its state, each with a mutation of its own (its
 * effect — the sanction, the rectification item, the relation — is written with the event).
 */
const CONTENT_EVENTS = {
  /**
   * Sanctions are recorded from the investigation (an interim 暂停协议 or 约谈) until the
   * decision; DECIDE needs them already there, and a decided case may still get further ones.
   */
  ADD_SANCTION: { label: '追加处理处罚', from: ['INVESTIGATING', 'REVIEWING', 'DECIDED'], by: ['OWNER'] },
  /**
   * Rectification items come from supervisory recommendations (纪检监察建议书), issued from the
   * review on; CLOSE then waits for every one of them.
   */
  ADD_RECTIFICATION: { label: '下达整改事项', from: ['REVIEWING', 'DECIDED', 'RECTIFYING'], by: ['OWNER'] },
  /** A rectification item of the case was completed (its measure's one-step COMPLETE: problem/measure.machine.ts). */
  COMPLETE_RECTIFICATION: { label: '整改事项完成', from: ANY_STATE, by: ['OWNER', 'RECTIFIER'] },
  /** 关联案件 / 一案双查: recorded on both cases, in any state. */
  LINK: { label: '关联案件', from: ANY_STATE, by: ['OWNER'] },
  /** 指定管辖 moves a case not yet closed to another owner (set with the event, supervision.service.ts). */
  DESIGNATED_JURISDICTION: {
    label: '指定管辖',
    from: ['FILED', 'INVESTIGATING', 'REVIEWING', 'DECIDED', 'RECTIFYING'],
    by: ['DESIGNATOR'],
  },
} satisfies Record<string, CaseEventDefinition>;

/** 案件: 立案 → 调查 → 审理 → 处理决定 → 整改 → 结案. */
export const caseMachine = defineMachine<CaseStatus, CaseEvent, CaseGuardInput>({
  entity: 'Case',
  table: '"case"',
  states: STATES,
  creation: { FILE: { label: '立案', to: 'FILED' } },
  events: { ...TRANSITIONS, ...CONTENT_EVENTS },
});

/** An event fired by transitionCase. */
export type CaseTransition = keyof typeof TRANSITIONS;
export type CaseContentEvent = keyof typeof CONTENT_EVENTS;
export type CaseEvent = CaseTransition | CaseContentEvent;

/** The events of transitionCase, the GraphQL enum CaseEvent and Case.allowedEvents. */
export const CASE_TRANSITIONS = Object.keys(TRANSITIONS) as CaseTransition[];

export const isCaseTransition = (event: string): event is CaseTransition => Object.hasOwn(TRANSITIONS, event);
