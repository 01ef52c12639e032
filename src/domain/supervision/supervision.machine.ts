import { defineMachine } from '../../workflow/machine';

export type SupervisionStatus = 'OPEN' | 'OVERDUE' | 'COMPLETED' | 'CANCELLED';

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
    COMPLETE: { label: '办结', from: ['OPEN', 'OVERDUE'], to: 'COMPLETED', by: ['CREATOR_LEADER'] },
    CANCEL: { label: '撤销', from: ['OPEN', 'OVERDUE'], to: 'CANCELLED', by: ['CREATOR_LEADER'] },
  },
});

export type SupervisionEvent = keyof typeof supervisionMachine.events;
