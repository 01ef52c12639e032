import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import { DateScalar, JSONScalar, MoneyScalar } from '../../graphql/scalars';
import { CollisionModelEnum } from './collision.enums';
import { CollisionHitRow, CollisionRunJobRow, CollisionRunRow, RunStatus } from './collision.repository';

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

  @Field(() => String, { nullable: true, description: 'The hits of one rule of the rule library (its rule id).' })
  ruleId?: string | null;
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
