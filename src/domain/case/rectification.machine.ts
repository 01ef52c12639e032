import { defineMachine } from '../../workflow/machine';

export type RectificationStatus = 'OPEN' | 'DONE';

/**
 * 整改事项: issued with the case's ADD_RECTIFICATION, completed by the department that must
 * rectify (整改责任单位) or by the case's owner; the case's CLOSE waits for all of them.
 */
export const rectificationMachine = defineMachine({
  entity: 'RectificationItem',
  table: 'rectification_item',
  states: { OPEN: '整改中', DONE: '已整改' } satisfies Record<RectificationStatus, string>,
  creation: { ISSUE: { label: '下达整改', to: 'OPEN' } },
  events: {
    COMPLETE: { label: '整改完成', from: ['OPEN'], to: 'DONE', by: ['RECTIFIER', 'OWNER'] },
  },
});

export type RectificationEvent = keyof typeof rectificationMachine.events;
