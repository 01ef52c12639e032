/**
 * 疑点核查 (PRODUCT.md §9): the owner of a hit's clue verifies hits in bulk — 违规属实
 * (CONFIRMED, with the confirmed amount) or 排除 (EXCLUDED, with a reason) — and a section
 * head of the owner reverses a verdict with a reason. One call, one transaction, all or
 * nothing; every hit's change is its machine's event (applyEventToEach). Decisions where the
 * spec is silent: docs/OUTCOMES.md, "Hit verification and statistics".
 */
import { DataSource, EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { formatMoney } from '../../core/dates';
import { AppError, badInput } from '../../core/errors';
import { toGlobalId } from '../../core/ids';
import { inTransaction } from '../../db/transaction';
import { Actor, partiesOf } from '../../policy';
import { applyEventToEach, EventRequest } from '../../workflow/transition';
import {
  CollisionHitRow,
  HitForVerification,
  hitsByIds,
  lockVisibleHits,
  verificationProgressBy,
  VerificationProgressRow,
  PROGRESS_GROUPS,
} from './collision.repository';
import {
  ExclusionReason,
  HitVerification,
  HitVerificationEvent,
  HitVerificationInput,
  hitVerificationMachine,
} from './hit-verification.machine';

type Db = DataSource | EntityManager;

/** At most this many hits per verifyHits call. */
export const MAX_HITS_PER_VERIFICATION = 1000;

export interface VerifyHits {
  /** Row ids (decoded). */
  hitIds: readonly string[];
  outcome: HitVerification;
  exclusionReason?: ExclusionReason | null;
  note?: string | null;
  confirmedAmount?: string | null;
}

const cents = (money: string): bigint => BigInt(formatMoney(money).replace('.', ''));

/** The parties of the actor with respect to a hit: those of its clue's owner. */
export const hitParties = (actor: Actor | null, hit: Pick<HitForVerification, 'owner_department_id'>) =>
  partiesOf(actor, { ownerDepartmentId: hit.owner_department_id });

/** The event that moves a hit in `current` to the outcome asked for. */
const eventFor = (current: HitVerification): HitVerificationEvent | null => (current === 'PENDING' ? null : 'REVERSE');

function checkInput(input: VerifyHits): void {
  if (!input.hitIds.length) throw badInput('hitIds must not be empty');
  if (input.hitIds.length > MAX_HITS_PER_VERIFICATION) {
    throw badInput(`at most ${MAX_HITS_PER_VERIFICATION} hits per call, got ${input.hitIds.length}`, {
      max: MAX_HITS_PER_VERIFICATION,
    });
  }
  if (input.outcome === 'EXCLUDED' && !input.exclusionReason) throw badInput('EXCLUDED needs an exclusionReason');
  if (input.outcome !== 'EXCLUDED' && input.exclusionReason) {
    throw badInput('exclusionReason goes with the outcome EXCLUDED only');
  }
  if (input.confirmedAmount != null) {
    if (input.outcome !== 'CONFIRMED' || input.hitIds.length !== 1) {
      throw badInput('confirmedAmount is given only with a single CONFIRMED hit');
    }
    if (cents(input.confirmedAmount) <= 0n) throw badInput('confirmedAmount must be positive');
  }
}

/**
 * Verifies (or reverses the verification of) up to MAX_HITS_PER_VERIFICATION hits, all in one
 * transaction: NOT_FOUND when any hit is not visible to the actor; INVALID_TRANSITION for a
 * hit without a clue (nobody owns its verification yet) or one already in the outcome asked
 * for; FORBIDDEN unless the actor is the party of each event; VERSION_CONFLICT when any hit
 * moved on between reading and writing. Returns the hits as updated, in the order given.
 */
export async function verifyHits(
  services: AppServices,
  actor: Actor,
  input: VerifyHits,
): Promise<{ updated: number; hits: CollisionHitRow[] }> {
  checkInput(input);
  const ids = [...new Set(input.hitIds)];
  const note = input.note?.trim() || null;
  const updated = await inTransaction(services.db, async (m) => {
    const rows = await lockVisibleHits(m, actor, ids);
    if (rows.length !== ids.length) {
      const missing = ids.filter((id) => !rows.some((r) => r.id === id)).map((id) => toGlobalId('CollisionHit', id));
      throw new AppError('NOT_FOUND', `collision hit not found: ${missing.slice(0, 5).join(', ')}`, {
        ids: missing,
      });
    }
    const orphan = rows.find((r) => !r.owner_department_id);
    if (orphan) {
      throw new AppError(
        'INVALID_TRANSITION',
        `CollisionHit ${toGlobalId('CollisionHit', orphan.id)} has no clue yet: hits are verified by their clue's owner`,
        { currentState: orphan.status },
      );
    }
    if (input.confirmedAmount != null && cents(input.confirmedAmount) > cents(rows[0].amount_involved)) {
      throw badInput(`confirmedAmount must not exceed the hit's amount involved (${rows[0].amount_involved})`);
    }
    if (!note && rows.some((r) => r.status !== 'PENDING')) {
      throw badInput('reversing a verification needs the reason as note');
    }
    const now = new Date();
    const request = (
      row: HitForVerification,
    ): EventRequest<HitVerificationEvent, HitVerificationInput, HitForVerification> => {
      const event: HitVerificationEvent =
        eventFor(row.status) ?? (input.outcome === 'EXCLUDED' ? 'EXCLUDE' : 'CONFIRM');
      if (row.status === 'PENDING' && input.outcome === 'PENDING') {
        throw new AppError(
          'INVALID_TRANSITION',
          `CollisionHit ${toGlobalId('CollisionHit', row.id)} is PENDING (待核查) already`,
          { currentState: row.status },
        );
      }
      const verdict = input.outcome !== 'PENDING';
      return {
        event,
        actor,
        parties: hitParties(actor, row),
        input: { outcome: input.outcome, current: row.status },
        set: {
          confirmed_amount:
            input.outcome === 'CONFIRMED' ? formatMoney(input.confirmedAmount ?? row.amount_involved) : null,
          exclusion_reason: input.outcome === 'EXCLUDED' ? input.exclusionReason! : null,
          verification_note: note,
          verified_at: verdict ? now : null,
          verified_by: verdict ? actor.userId : null,
        },
        note,
        detail: {
          outcome: input.outcome,
          ...(input.outcome === 'CONFIRMED'
            ? { confirmedAmount: formatMoney(input.confirmedAmount ?? row.amount_involved) }
            : {}),
          ...(input.outcome === 'EXCLUDED' ? { exclusionReason: input.exclusionReason } : {}),
        },
      };
    };
    return applyEventToEach(m, hitVerificationMachine, rows, request, {
      actor,
      auditDetail: { outcome: input.outcome },
    });
  });
  const fresh = new Map(
    (
      await hitsByIds(
        services.db,
        updated.map((u) => u.id),
      )
    ).map((h) => [h.id, h]),
  );
  return { updated: updated.length, hits: ids.map((id) => fresh.get(id)!) };
}

/** VerificationProgress as the API shows it. */
export interface VerificationProgress {
  total: number;
  pending: number;
  confirmed: number;
  excluded: number;
  confirmedAmount: string;
  excludedAmount: string;
  clearedRate: number | null;
}

const VERIFICATION_STATES = {
  pending: 'PENDING',
  confirmed: 'CONFIRMED',
  excluded: 'EXCLUDED',
} as const satisfies Record<string, HitVerification>;

export const progressFrom = (row: VerificationProgressRow | null | undefined): VerificationProgress => {
  const total = row?.total ?? 0;
  const confirmed = row?.confirmed ?? 0;
  const excluded = row?.excluded ?? 0;
  return {
    total,
    pending: row?.pending ?? 0,
    confirmed,
    excluded,
    confirmedAmount: formatMoney(row?.confirmed_amount ?? '0'),
    excludedAmount: formatMoney(row?.excluded_amount ?? '0'),
    clearedRate: total ? (confirmed + excluded) / total : null,
  };
};

/** The verification progress of the hits the actor sees, per clue, run or institution (one query). */
export const verificationProgressOf = (
  db: Db,
  actor: Actor,
  group: keyof typeof PROGRESS_GROUPS,
  keys: readonly string[],
): Promise<VerificationProgressRow[]> => verificationProgressBy(db, actor, group, keys, VERIFICATION_STATES);
