import { defineMachine } from '../../workflow/machine';

export type SupervisionStatus = 'OPEN' | 'OVERDUE' | 'COMPLETED' | 'CANCELLED';

/** An item is in hand, and can be reported on, completed or cancelled, until it is closed. */
const IN_HAND: readonly SupervisionStatus[] = ['OPEN', 'OVERDUE'];

/** 督办事项: open until completed or cancelled; a scheduled job marks it overdue at its deadline. */
export const supervisionMachine = defineMachine({
  entity: 'SupervisionItem',
  table: 'supervision_item',
  states: {
    OPEN: '督办中',
    OVERDUE: '已逾期',
    COMPLETED: '已办结',
    CANCELLED: '已撤销',
  } satisfies Record<SupervisionStatus, string>,
  creation: { CREATE: { label: '交办', to: 'OPEN' } },
  events: {
    MARK_OVERDUE: { label: '逾期', from: ['OPEN'], to: 'OVERDUE', by: ['SYSTEM'] },
    /** The deadline reminder to the assigned department, once (supervisionReminderHours ahead). */
    REMIND: { label: '到期提醒', from: ['OPEN'], by: ['SYSTEM'] },
    COMPLETE: { label: '办结', from: IN_HAND, to: 'COMPLETED', by: ['CREATOR_LEADER'] },
    CANCEL: { label: '撤销', from: IN_HAND, to: 'CANCELLED', by: ['CREATOR_LEADER'] },
    /** 督办进展: by the assigned department or the supervising one; the report is its effect. */
    REPORT_PROGRESS: { label: '报告进展', from: IN_HAND, by: ['ASSIGNEE', 'SUPERVISING'] },
  },
});

export type SupervisionEvent = keyof typeof supervisionMachine.events;
