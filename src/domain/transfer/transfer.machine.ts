import { defineMachine } from '../../workflow/machine';

export type TransferStatus = 'PENDING' | 'ACCEPTED' | 'RETURNED' | 'FEEDBACK_GIVEN';

/** The deadline that runs in each state a transfer can be overdue in: 接收期限, then 反馈期限. */
export const TRANSFER_DEADLINES = {
  PENDING: { column: 'accept_deadline', kind: 'accept', label: '接收' },
  ACCEPTED: { column: 'feedback_deadline', kind: 'feedback', label: '反馈' },
} as const satisfies Partial<Record<TransferStatus, { column: string; kind: string; label: string }>>;

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
    EXTEND_FEEDBACK: { label: '延长反馈期限', from: ['ACCEPTED'], by: ['RECEIVER'] },
    /** 指定管辖 of a transfer not yet answered: another receiver, with an accept deadline of its own. */
    DESIGNATED_JURISDICTION: { label: '指定管辖', from: ['PENDING'], by: ['DESIGNATOR'] },
    /** Past the deadline that runs in its state, flagged once by the sweep (transfer.jobs.ts). */
    OVERDUE: {
      label: '逾期',
      from: Object.keys(TRANSFER_DEADLINES) as (keyof typeof TRANSFER_DEADLINES)[],
      by: ['SYSTEM'],
    },
  },
});

export type TransferEvent = keyof typeof transferMachine.events;
