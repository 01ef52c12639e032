import { defineMachine } from '../../workflow/machine';

export type MeasureStatus = 'OPEN' | 'SUBMITTED' | 'ACCEPTED';

/**
 * 整改措施: the responsible department (整改责任单位) submits its 整改报告 with evidence; the
 * supervising department accepts it (验收) or sends it back with a reason. The deadline sweep
 * reminds before the deadline and flags it overdue on the day (both keep the state).
 * COMPLETE is the case path's one-step completion (案件整改事项, `completeRectification`): the
 * rectifying or the supervising department (the case's owner) records the measure as done with
 * a note, without a separate report and acceptance.
 */
export const measureMachine = defineMachine({
  entity: 'RectificationMeasure',
  table: 'rectification_measure',
  states: { OPEN: '整改中', SUBMITTED: '待验收', ACCEPTED: '已验收' } satisfies Record<MeasureStatus, string>,
  creation: { ADD: { label: '下达整改措施', to: 'OPEN' } },
  events: {
    SUBMIT: { label: '提交整改报告', from: ['OPEN'], to: 'SUBMITTED', by: ['RECTIFIER'] },
    ACCEPT: { label: '验收通过', from: ['SUBMITTED'], to: 'ACCEPTED', by: ['SUPERVISING'] },
    REJECT: { label: '验收不通过', from: ['SUBMITTED'], to: 'OPEN', by: ['SUPERVISING'] },
    COMPLETE: {
      label: '整改完成（一步办结）',
      from: ['OPEN', 'SUBMITTED'],
      to: 'ACCEPTED',
      by: ['RECTIFIER', 'SUPERVISING'],
    },
    REMIND: { label: '到期提醒', from: ['OPEN'], by: ['SYSTEM'] },
    MARK_OVERDUE: { label: '逾期', from: ['OPEN'], by: ['SYSTEM'] },
  },
});

export type MeasureEvent = keyof typeof measureMachine.events;
