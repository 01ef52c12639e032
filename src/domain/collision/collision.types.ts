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
  @Field(() => Int, { description: '疑点总数。Hits in the set.' })
  total: number;

  @Field(() => Int, { description: 'Hits still PENDING (待核查).' })
  pending: number;

  @Field(() => Int, { description: 'Hits CONFIRMED (违规属实).' })
  confirmed: number;

  @Field(() => Int, { description: 'Hits EXCLUDED (已排除).' })
  excluded: number;

  @Field(() => MoneyScalar, {
    description: '违规属实疑点的认定金额之和，元。Σ confirmed amount of the CONFIRMED hits.',
  })
  confirmedAmount: string;

  @Field(() => MoneyScalar, { description: '已排除疑点的涉及金额之和，元。Σ amount involved of the EXCLUDED hits.' })
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
registerEnumType(RunStatusEnum, {
  name: 'RunStatus',
  description: '碰撞批次或作业的状态 (run status)。',
  valuesConfig: {
    QUEUED: { description: '排队中' },
    RUNNING: { description: '运行中' },
    SUCCEEDED: { description: '已完成' },
    FAILED: { description: '失败' },
  },
});

@ObjectType('CollisionRunJob', {
  description: '碰撞作业 (run job)：批次中一个（模型, 分片）的作业。One (model, slice) job of a run.',
})
export class CollisionRunJobType {
  @Field(() => CollisionModelEnum, { description: '碰撞模型。' })
  model: string;

  @Field({ description: "分片 (slice)：A month (YYYY-MM), a city prefix, or '' for the whole window." })
  slice: string;

  @Field(() => RunStatusEnum, { description: '作业状态。' })
  status: RunStatus;

  @Field(() => Int, { description: '已尝试次数 (attempts)，失败会重试。' })
  attempts: number;

  @Field(() => Int, { nullable: true, description: '该作业发现的疑点数；完成前为 null。' })
  hits: number | null;

  @Field(() => Int, { nullable: true, description: '耗时，毫秒 (ms)；完成前为 null。' })
  durationMs: number | null;

  @Field(() => String, { nullable: true, description: '最近一次失败的原因。' })
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

@ObjectType('CollisionRun', {
  implements: Node,
  description: '数据碰撞批次 (collision run)：在一个时间窗和区划内运行若干模型，经队列异步执行。',
})
export class CollisionRunType extends Node {
  readonly __typename = 'CollisionRun';

  row: CollisionRunRow;

  @Field(() => [CollisionModelEnum], { description: '运行的模型。' })
  models: string[];

  @Field(() => DateScalar, { description: '结算日期起（含）。' })
  from: string;

  @Field(() => DateScalar, { description: '结算日期止（含）。' })
  to: string;

  @Field(() => String, { nullable: true, description: '行政区划代码（该区划及下级）；null 为不限区划。' })
  regionCode: string | null;

  @Field(() => RunStatusEnum, { description: '批次状态。' })
  status: RunStatus;

  @Field(() => Date, { nullable: true, description: '开始运行时间；排队中为 null。' })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: '结束时间；未结束为 null。' })
  finishedAt: Date | null;

  @Field(() => Int, { description: '发现的疑点数 (hit count)。' })
  hitCount: number;

  @Field(() => Int, { description: '新生成的线索数。' })
  cluesCreated: number;

  @Field(() => JSONScalar, {
    description: '各模型实际使用的参数 (parameters)。The effective parameters of each model, as used by this run.',
  })
  parameters: unknown;

  @Field(() => String, { nullable: true, description: '失败原因 (FAILED 时)。' })
  error: string | null;

  @Field({ description: '发起时间。' })
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

@ObjectType('CollisionRunConnection', { description: '碰撞批次分页列表 (CollisionRun connection)。' })
export class CollisionRunConnection extends ConnectionType(CollisionRunType, 'CollisionRun') {}

@ObjectType('CollisionHit', {
  implements: Node,
  description:
    '疑点 (collision hit)：某模型的一次命中，按（模型, hitKey）唯一。疑点: one hit of a model, unique per (model, hitKey).',
})
export class CollisionHitType extends Node {
  readonly __typename = 'CollisionHit';

  row: CollisionHitRow;

  @Field(() => CollisionModelEnum, { description: '命中的模型。' })
  model: string;

  @Field({ description: '命中键 (hit key)：同一模型内唯一，重复碰撞时用来识别同一疑点。' })
  hitKey: string;

  @Field(() => MoneyScalar, { description: '涉及金额 (amount involved)，元。' })
  amountInvolved: string;

  @Field(() => [String], { description: '证据结算单号 (settlement ids)。' })
  settlementIds: string[];

  @Field(() => JSONScalar, { nullable: true, description: '命中详情 (detail)，随模型而异。' })
  detail: unknown;

  @Field({ description: '首次发现时间。' })
  createdAt: Date;

  @Field(() => HitVerificationEnum, { description: '疑点核查状态: PENDING until the owner of its clue verifies it.' })
  verification: HitVerification;

  @Field(() => ExclusionReasonEnum, { nullable: true, description: '排除原因。Why it was EXCLUDED.' })
  exclusionReason: ExclusionReason | null;

  @Field(() => String, {
    nullable: true,
    description: '最近一次核查（或撤销）的备注。The note of the last verification (or of its reversal).',
  })
  verificationNote: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: '认定违规金额，元，违规属实时。The amount found irregular, when CONFIRMED.',
  })
  confirmedAmount: string | null;

  @Field(() => Date, {
    nullable: true,
    description: '当前结论的核查时间（待核查时为 null）。When its current verdict was given (null while PENDING).',
  })
  verifiedAt: Date | null;

  @Field(() => Int, { description: '版本号：每次核查事件加 1。Bumped by every verification event.' })
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

@ObjectType('CollisionHitConnection', { description: '疑点分页列表 (CollisionHit connection)。' })
export class CollisionHitConnection extends ConnectionType(CollisionHitType, 'CollisionHit') {}

@InputType('CollisionHitFilter', { description: '疑点筛选 (hit filter)：各条件同时满足。' })
export class CollisionHitFilter {
  @Field(() => CollisionModelEnum, { nullable: true, description: '碰撞模型。' })
  model?: string | null;

  @Field(() => ID, { nullable: true, description: '碰撞批次的全局编号：最近一次由该批次发现的疑点。' })
  runId?: string | null;

  @Field(() => String, { nullable: true, description: '机构编码。' })
  institutionCode?: string | null;

  @Field(() => String, {
    nullable: true,
    description: '机构在此区划内的疑点。Hits whose institution lies in this region.',
  })
  regionCode?: string | null;

  @Field(() => HitVerificationEnum, { nullable: true, description: '核查状态。Hits in this verification state.' })
  verification?: HitVerification | null;

  @Field(() => String, {
    nullable: true,
    description: '规则库某条规则（规则编号）的疑点。The hits of one rule of the rule library (its rule id).',
  })
  ruleId?: string | null;
}

@InputType('VerifyHitsInput', { description: '疑点核查 of up to 1,000 hits in one call (all or nothing).' })
export class VerifyHitsInput {
  @Field(() => [ID], { description: '疑点的全局编号，最多 1000 个。CollisionHit ids, at most 1,000.' })
  hitIds: string[];

  @Field(() => HitVerificationEnum, {
    description:
      '核查结论：待核查的疑点给 CONFIRMED 或 EXCLUDED；已核查的疑点改为此结论（可回到 PENDING）。CONFIRMED or EXCLUDED for PENDING hits; a verified hit is reversed to this outcome (PENDING included).',
  })
  outcome: HitVerification;

  @Field(() => ExclusionReasonEnum, {
    nullable: true,
    description: '排除原因：EXCLUDED 时必填。Required with EXCLUDED.',
  })
  exclusionReason?: ExclusionReason | null;

  @Field(() => String, {
    nullable: true,
    description: '备注；撤销结论时必填，作为理由。Note; required as the reason when reversing a verdict.',
  })
  note?: string | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description:
      "认定违规金额，元：只用于单个违规属实的疑点；缺省为其涉及金额。Only with a single CONFIRMED hit; default the hit's amount involved (0 < amount ≤ amount involved).",
  })
  confirmedAmount?: string | null;
}

@ObjectType('VerifyHitsPayload', { description: '疑点核查结果 (verify hits payload)。' })
export class VerifyHitsPayload {
  @Field(() => Int, { description: '变更的疑点数。Hits changed.' })
  updated: number;

  @Field(() => [CollisionHitType], {
    description: '变更后的疑点，按给出的顺序。The hits as changed, in the order given.',
  })
  hits: CollisionHitType[];
}

@InputType('RunCollisionInput', { description: '发起数据碰撞 (run collision) 的输入。' })
export class RunCollisionInput {
  @Field(() => [CollisionModelEnum], {
    nullable: true,
    description: '运行的模型；缺省或为空时全部模型。Empty or absent means all models.',
  })
  models?: string[] | null;

  @Field(() => DateScalar, { description: '结算日期起（含）。' })
  from: string;

  @Field(() => DateScalar, { description: '结算日期止（含），不早于 from。' })
  to: string;

  @Field(() => String, { nullable: true, description: '行政区划代码，须在调用者辖区内；省级用户可省略（全部区划）。' })
  regionCode?: string | null;
}
