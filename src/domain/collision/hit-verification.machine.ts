import { defineMachine } from '../../workflow/machine';

export type HitVerification = 'PENDING' | 'CONFIRMED' | 'EXCLUDED';
export type ExclusionReason = 'DATA_ERROR' | 'POLICY_ALLOWED' | 'DUPLICATE_BILLING_CORRECTED' | 'OTHER';

export const EXCLUSION_REASONS: Record<ExclusionReason, string> = {
  DATA_ERROR: '数据错误',
  POLICY_ALLOWED: '政策允许',
  DUPLICATE_BILLING_CORRECTED: '重复收费已更正',
  OTHER: '其他',
};

export interface HitVerificationInput {
  /** The outcome asked for (REVERSE moves to it: back to PENDING, or to the other verdict). */
  outcome: HitVerification;
  /** The hit's verification when the event is asked for (REVERSE must change it). */
  current?: HitVerification;
}

/**
 * 疑点核查: each collision hit is verified by the owner of its clue — 违规属实 (CONFIRMED, with
 * the confirmed amount) or 排除 (EXCLUDED, with a reason); a section head of the owner may
 * reverse a verdict with a reason. State column `verification` of collision_hit.
 */
export const hitVerificationMachine = defineMachine({
  entity: 'CollisionHit',
  table: 'collision_hit',
  stateColumn: 'verification',
  states: { PENDING: '待核查', CONFIRMED: '违规属实', EXCLUDED: '已排除' } satisfies Record<HitVerification, string>,
  creation: { DETECT: { label: '碰撞发现', to: 'PENDING' } },
  events: {
    CONFIRM: { label: '核查属实', from: ['PENDING'], to: 'CONFIRMED', by: ['OWNER'] },
    EXCLUDE: { label: '核查排除', from: ['PENDING'], to: 'EXCLUDED', by: ['OWNER'] },
    REVERSE: {
      label: '撤销核查结论',
      from: ['CONFIRMED', 'EXCLUDED'],
      to: (input: HitVerificationInput) => input.outcome,
      by: ['OWNER_SUPERVISOR'],
      guard: (input: HitVerificationInput) =>
        input.current === input.outcome ? `the hit is already ${input.outcome}: nothing to reverse` : null,
    },
  },
});

export type HitVerificationEvent = keyof typeof hitVerificationMachine.events;
