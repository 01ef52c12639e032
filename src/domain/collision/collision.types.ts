import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DateScalar, JSONScalar, MoneyScalar } from '../../graphql/scalars';
import { CollisionModelEnum } from './collision.enums';
import { CollisionHitRow, CollisionRunJobRow, CollisionRunRow, RunStatus } from './collision.repository';
import {
  EXCLUSION_REASONS,
  ExclusionReason,
  HitVerification,
  hitVerificationMachine,
} from './hit-verification.machine';
import type { VerificationProgress } from './hit-verification.service';

const enumOf = <K extends string>(labels: Record<K, string>) =>
  Object.fromEntries(Object.keys(labels).map((k) => [k, k])) as Record<K, K>;
const described = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([v, label]) => [v, { description: label }]));

export const HitVerificationEnum = enumOf<HitVerification>(hitVerificationMachine.states);
registerEnumType(HitVerificationEnum, {
  name: 'HitVerification',
  description: '疑点核查 state of a hit.',
  valuesConfig: described(hitVerificationMachine.states),
});
export const ExclusionReasonEnum = enumOf<ExclusionReason>(EXCLUSION_REASONS);
registerEnumType(ExclusionReasonEnum, {
  name: 'ExclusionReason',
  description: 'Why a hit was excluded (排除原因).',
  valuesConfig: described(EXCLUSION_REASONS),
});

@ObjectType('VerificationProgress', {
  description: '疑点核查 progress of a set of hits: counts and exact amounts per verification state.',
})
export class VerificationProgressType implements VerificationProgress {
  @Field(() => Int, { description: 'Hits in the set.' })
  total: number;

  @Field(() => Int, { description: 'Hits still PENDING (待核查).' })
  pending: number;

  @Field(() => Int, { description: 'Hits CONFIRMED (违规属实).' })
  confirmed: number;

  @Field(() => Int, { description: 'Hits EXCLUDED (已排除).' })
  excluded: number;

  @Field(() => MoneyScalar, { description: 'Σ confirmed amount of the CONFIRMED hits.' })
  confirmedAmount: string;

  @Field(() => MoneyScalar, { description: 'Σ amount involved of the EXCLUDED hits.' })
  excludedAmount: string;

  @Field(() => Float, { nullable: true, description: '清零率: (confirmed + excluded) / total; null when total is 0.' })
  clearedRate: number | null;

  static from(p: VerificationProgress): VerificationProgressType {
    return Object.assign(new VerificationProgressType(), p);
  }
}

export type { CollisionHitRow } from './collision.repository';

export const RunStatusEnum = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
} as const;
registerEnumType(RunStatusEnum, { name: 'RunStatus' });

@ObjectType('CollisionRunJob', { description: 'One (model, slice) job of a run.' })
export class CollisionRunJobType {
  @Field(() => CollisionModelEnum)
  model: string;

  @Field({ description: "A month (YYYY-MM), a city prefix, or '' for the whole window." })
  slice: string;

  @Field(() => RunStatusEnum)
  status: RunStatus;

  @Field(() => Int)
  attempts: number;

  @Field(() => Int, { nullable: true })
  hits: number | null;

  @Field(() => Int, { nullable: true })
  durationMs: number | null;

  @Field(() => String, { nullable: true })
  error: string | null;

  static from(row: CollisionRunJobRow): CollisionRunJobType {
    return Object.assign(new CollisionRunJobType(), {
      model: row.model,
      slice: row.slice_key,
      status: row.status,
      attempts: row.attempts,
      hits: row.hits,
      durationMs: row.duration_ms,
      error: row.error,
    });
  }
}

@ObjectType('CollisionRun', { implements: Node, description: '数据碰撞批次' })
export class CollisionRunType extends Node {
  readonly __typename = 'CollisionRun';

  row: CollisionRunRow;

  @Field(() => [CollisionModelEnum])
  models: string[];

  @Field(() => DateScalar)
  from: string;

  @Field(() => DateScalar)
  to: string;

  @Field(() => String, { nullable: true })
  regionCode: string | null;

  @Field(() => RunStatusEnum)
  status: RunStatus;

  @Field(() => Date, { nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt: Date | null;

  @Field(() => Int)
  hitCount: number;

  @Field(() => Int)
  cluesCreated: number;

  @Field(() => JSONScalar, { description: 'The effective parameters of each model, as used by this run.' })
  parameters: unknown;

  @Field(() => String, { nullable: true })
  error: string | null;

  @Field()
  createdAt: Date;

  static from(row: CollisionRunRow): CollisionRunType {
    return Object.assign(new CollisionRunType(), {
      id: toGlobalId('CollisionRun', row.id),
      row,
      models: row.models,
      from: row.from_date,
      to: row.to_date,
      regionCode: row.region_code,
      status: row.status,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      hitCount: row.hit_count,
      cluesCreated: row.clues_created,
      parameters: row.parameters,
      error: row.error,
      createdAt: row.created_at,
    });
  }
}

@ObjectType('CollisionRunConnection')
export class CollisionRunConnection extends ConnectionType(CollisionRunType, 'CollisionRun') {}

@ObjectType('CollisionHit', { implements: Node, description: '疑点: one hit of a model, unique per (model, hitKey).' })
export class CollisionHitType extends Node {
  readonly __typename = 'CollisionHit';

  row: CollisionHitRow;

  @Field(() => CollisionModelEnum)
  model: string;

  @Field()
  hitKey: string;

  @Field(() => MoneyScalar)
  amountInvolved: string;

  @Field(() => [String])
  settlementIds: string[];

  @Field(() => JSONScalar, { nullable: true })
  detail: unknown;

  @Field()
  createdAt: Date;

  @Field(() => HitVerificationEnum, { description: '疑点核查: PENDING until the owner of its clue verifies it.' })
  verification: HitVerification;

  @Field(() => ExclusionReasonEnum, { nullable: true, description: 'Why it was EXCLUDED.' })
  exclusionReason: ExclusionReason | null;

  @Field(() => String, { nullable: true, description: 'The note of the last verification (or of its reversal).' })
  verificationNote: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'The amount found irregular, when CONFIRMED.' })
  confirmedAmount: string | null;

  @Field(() => Date, { nullable: true, description: 'When its current verdict was given (null while PENDING).' })
  verifiedAt: Date | null;

  @Field(() => Int, { description: 'Bumped by every verification event.' })
  version: number;

  static from(row: CollisionHitRow): CollisionHitType {
    return Object.assign(new CollisionHitType(), {
      id: toGlobalId('CollisionHit', row.id),
      row,
      model: row.model,
      hitKey: row.hit_key,
      amountInvolved: row.amount_involved,
      settlementIds: row.settlement_ids,
      detail: row.detail,
      createdAt: row.created_at,
      verification: row.verification as HitVerification,
      exclusionReason: row.exclusion_reason as ExclusionReason | null,
      verificationNote: row.verification_note,
      confirmedAmount: row.confirmed_amount,
      verifiedAt: row.verified_at,
      version: row.version,
    });
  }
}

@ObjectType('CollisionHitConnection')
export class CollisionHitConnection extends ConnectionType(CollisionHitType, 'CollisionHit') {}

@InputType('CollisionHitFilter')
export class CollisionHitFilter {
  @Field(() => CollisionModelEnum, { nullable: true })
  model?: string | null;

  @Field(() => ID, { nullable: true })
  runId?: string | null;

  @Field(() => String, { nullable: true })
  institutionCode?: string | null;

  @Field(() => String, { nullable: true, description: 'Hits whose institution lies in this region.' })
  regionCode?: string | null;

  @Field(() => HitVerificationEnum, { nullable: true, description: 'Hits in this verification state.' })
  verification?: HitVerification | null;

  @Field(() => String, { nullable: true, description: 'The hits of one rule of the rule library (its rule id).' })
  ruleId?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Amount involved at least this.' })
  minAmount?: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Amount involved at most this.' })
  maxAmount?: string | null;

  @Field(() => String, { nullable: true, description: 'Hits involving this person (参保人员 id).' })
  personId?: string | null;

  @Field(() => ID, { nullable: true, description: 'The hits of this clue.' })
  clueId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Hits that formed a clue (true) or not (false).' })
  hasClue?: boolean | null;

  @Field(() => DateScalar, { nullable: true, description: 'First found on or after this day.' })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'First found on or before this day.' })
  createdTo?: string | null;
}

@InputType('CollisionRunFilter')
export class CollisionRunFilter {
  @Field(() => [RunStatusEnum], { nullable: true })
  status?: string[] | null;

  @Field(() => CollisionModelEnum, { nullable: true, description: 'Runs that ran this model.' })
  model?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Runs over this region or a region inside it (runs over all regions are not included).',
  })
  regionCode?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Runs whose window (from–to) ends on or after this day.' })
  periodFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Runs whose window starts on or before this day.' })
  periodTo?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Started (requested) on or after this day.' })
  createdFrom?: string | null;

  @Field(() => DateScalar, { nullable: true, description: 'Started (requested) on or before this day.' })
  createdTo?: string | null;

  @Field(() => ID, { nullable: true, description: 'Runs of this campaign.' })
  campaignId?: string | null;
}

@InputType('VerifyHitsInput', { description: '疑点核查 of up to 1,000 hits in one call (all or nothing).' })
export class VerifyHitsInput {
  @Field(() => [ID], { description: 'CollisionHit ids, at most 1,000.' })
  hitIds: string[];

  @Field(() => HitVerificationEnum, {
    description:
      'CONFIRMED or EXCLUDED for PENDING hits; a verified hit is reversed to this outcome (PENDING included).',
  })
  outcome: HitVerification;

  @Field(() => ExclusionReasonEnum, { nullable: true, description: 'Required with EXCLUDED.' })
  exclusionReason?: ExclusionReason | null;

  @Field(() => String, { nullable: true, description: 'Note; required as the reason when reversing a verdict.' })
  note?: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: "Only with a single CONFIRMED hit; default the hit's amount involved (0 < amount ≤ amount involved).",
  })
  confirmedAmount?: string | null;
}

@ObjectType('VerifyHitsPayload')
export class VerifyHitsPayload {
  @Field(() => Int, { description: 'Hits changed.' })
  updated: number;

  @Field(() => [CollisionHitType], { description: 'The hits as changed, in the order given.' })
  hits: CollisionHitType[];
}

@InputType('RunCollisionInput')
export class RunCollisionInput {
  @Field(() => [CollisionModelEnum], { nullable: true, description: 'Empty or absent means all models.' })
  models?: string[] | null;

  @Field(() => DateScalar)
  from: string;

  @Field(() => DateScalar)
  to: string;

  @Field(() => String, { nullable: true })
  regionCode?: string | null;
}
