import { defineMachine } from '../../workflow/machine';

export type ClueStatus =
  | 'NEW'
  | 'ASSIGNED'
  | 'VERIFYING'
  | 'TRANSFER_PENDING'
  | 'SUBSTANTIATED'
  | 'UNSUBSTANTIATED'
  | 'CASE_OPENED'
  | 'CLOSED';

export interface ClueEventInput {
  /** TRANSFER_RETURNED restores the state the clue had when the transfer was requested. */
  statusBeforeTransfer?: ClueStatus;
  /** A verdict (CONCLUDE_*): how many of the clue's collision hits are still PENDING verification. */
  pendingHits?: number;
}

/** 疑点核查 before the verdict: a clue leaves VERIFYING only when none of its hits is PENDING (PRODUCT.md §9). */
const allHitsVerified = (input: ClueEventInput): string | null =>
  input.pendingHits
    ? `${input.pendingHits} of its collision hits still PENDING verification (疑点未核查完毕): verify them first`
    : null;

/** The states in which new collision hits still join a clue (MODELS.md "Clues from hits"). */
export const OPEN_CLUE_STATES: readonly ClueStatus[] = ['NEW', 'ASSIGNED', 'VERIFYING'];

/** 线索: from 待分办 through 初核 to 立案 or 办结, with 移送 in between. */
export const clueMachine = defineMachine({
  entity: 'Clue',
  table: 'clue',
  states: {
    NEW: '待分办',
    ASSIGNED: '已分办',
    VERIFYING: '初核中',
    TRANSFER_PENDING: '移送待接收',
    SUBSTANTIATED: '属实',
    UNSUBSTANTIATED: '不属实',
    CASE_OPENED: '已立案',
    CLOSED: '已办结',
  } satisfies Record<ClueStatus, string>,
  creation: { REGISTER: { label: '登记', to: 'NEW' } },
  events: {
    ROUTE: { label: '分办', from: ['NEW'], to: 'ASSIGNED', by: ['SYSTEM'] },
    /** 抄送: routing copies a large clue to 纪委 of its region; the state stays. */
    COPY: { label: '抄送', from: ['ASSIGNED'], by: ['SYSTEM'] },
    /** A collision run joined new hits to the open clue of their model and institution. */
    HITS_ADDED: { label: '新增疑点', from: OPEN_CLUE_STATES, by: ['SYSTEM'] },
    START_VERIFICATION: { label: '开始初核', from: ['ASSIGNED'], to: 'VERIFYING', by: ['OWNER'] },
    CONCLUDE_SUBSTANTIATED: {
      label: '初核属实',
      from: ['VERIFYING'],
      to: 'SUBSTANTIATED',
      by: ['OWNER'],
      guard: allHitsVerified,
    },
    CONCLUDE_UNSUBSTANTIATED: {
      label: '初核不属实',
      from: ['VERIFYING'],
      to: 'UNSUBSTANTIATED',
      by: ['OWNER'],
      guard: allHitsVerified,
    },
    REQUEST_TRANSFER: {
      label: '申请移送',
      from: ['ASSIGNED', 'VERIFYING', 'SUBSTANTIATED'],
      to: 'TRANSFER_PENDING',
      by: ['OWNER'],
    },
    TRANSFER_ACCEPTED: { label: '移送已接收', from: ['TRANSFER_PENDING'], to: 'ASSIGNED', by: ['RECEIVER'] },
    TRANSFER_RETURNED: {
      label: '移送被退回',
      from: ['TRANSFER_PENDING'],
      to: (input: ClueEventInput) => input.statusBeforeTransfer ?? 'ASSIGNED',
      by: ['RECEIVER'],
    },
    OPEN_CASE: { label: '立案', from: ['SUBSTANTIATED'], to: 'CASE_OPENED', by: ['OWNER'] },
    CLOSE: { label: '办结', from: ['SUBSTANTIATED', 'UNSUBSTANTIATED'], to: 'CLOSED', by: ['OWNER'] },
    /**
     * 指定管辖 moves work in hand to another owner: a clue between routing and its conclusion
     * (not one waiting for routing, being transferred — designate the transfer instead — or
     * already filed or closed). The new owner is set with the event (supervision.service.ts).
     */
    DESIGNATED_JURISDICTION: {
      label: '指定管辖',
      from: ['ASSIGNED', 'VERIFYING', 'SUBSTANTIATED', 'UNSUBSTANTIATED'],
      by: ['DESIGNATOR'],
    },
  },
});

export type ClueEvent = keyof typeof clueMachine.events;
