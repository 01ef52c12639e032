import { defineMachine } from '../../workflow/machine';

export type TransferStatus = 'PENDING' | 'ACCEPTED' | 'RETURNED' | 'FEEDBACK_GIVEN';

/** 线索移送 between any two of the four agencies (双向移送). */
export const transferMachine = defineMachine({
  entity: 'ClueTransfer',
  table: 'clue_transfer',
  states: {
    PENDING: '待接收',
    ACCEPTED: '已接收',
    RETURNED: '已退回',
    FEEDBACK_GIVEN: '已反馈',
  } satisfies Record<TransferStatus, string>,
  creation: { REQUEST: { label: '移送', to: 'PENDING' } },
  events: {
    ACCEPT: { label: '接收', from: ['PENDING'], to: 'ACCEPTED', by: ['RECEIVER'] },
    RETURN: { label: '退回', from: ['PENDING'], to: 'RETURNED', by: ['RECEIVER'] },
    GIVE_FEEDBACK: { label: '反馈结果', from: ['ACCEPTED'], to: 'FEEDBACK_GIVEN', by: ['RECEIVER'] },
  },
});

export type TransferEvent = keyof typeof transferMachine.events;
