import { defineMachine } from '../../workflow/machine';

export type InspectionStatus = 'PLANNED' | 'IN_PROGRESS' | 'REPORTED' | 'CLOSED';

export type InspectionKind = 'ROUTINE' | 'JOINT' | 'CROSS' | 'FLIGHT';

/** 检查方式, with the Chinese label frontends show. */
export const INSPECTION_KINDS: Record<InspectionKind, string> = {
  ROUTINE: '日常检查',
  JOINT: '联合检查',
  CROSS: '交叉检查',
  FLIGHT: '飞行检查',
};

/** What REPORT needs: the findings (检查发现), non-empty. */
export interface InspectionGuardInput {
  findings: string | null;
}

/**
 * 检查: planned by a leader or section head, carried out and reported by the lead department's
 * case workers and the team's members; the report's findings become a problem (source
 * INSPECTION), and further problems are listed by hand (createProblem with inspectionId,
 * ADD_PROBLEM); the lead department closes it.
 */
export const inspectionMachine = defineMachine({
  entity: 'Inspection',
  table: 'inspection',
  states: {
    PLANNED: '已计划',
    IN_PROGRESS: '检查中',
    REPORTED: '已报告',
    CLOSED: '已结束',
  } satisfies Record<InspectionStatus, string>,
  creation: { PLAN: { label: '制定检查计划', to: 'PLANNED' } },
  events: {
    START: { label: '进驻检查', from: ['PLANNED'], to: 'IN_PROGRESS', by: ['OWNER', 'TEAM_MEMBER'] },
    REPORT: {
      label: '报告检查发现',
      from: ['IN_PROGRESS'],
      to: 'REPORTED',
      by: ['OWNER', 'TEAM_MEMBER'],
      guard: (i: InspectionGuardInput) => (i.findings?.trim() ? null : 'a report needs its findings'),
    },
    ADD_PROBLEM: { label: '登记检查发现问题', from: ['IN_PROGRESS', 'REPORTED'], by: ['OWNER', 'TEAM_MEMBER'] },
    CLOSE: { label: '结束检查', from: ['REPORTED'], to: 'CLOSED', by: ['OWNER'] },
  },
});

export type InspectionEvent = keyof typeof inspectionMachine.events;
