import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import type { AuditRow } from './audit.repository';

@ObjectType('AuditEntry', { implements: Node, description: '审计日志条目' })
export class AuditEntryType extends Node {
  readonly __typename = 'AuditEntry';

  @Field()
  at: Date;

  actorId: string | null;

  @Field()
  action: string;

  @Field(() => String, { nullable: true })
  targetType: string | null;

  @Field(() => String, { nullable: true })
  targetId: string | null;

  @Field(() => JSONScalar, { nullable: true })
  detail: unknown;

  @Field()
  hash: string;

  @Field(() => String, { nullable: true })
  prevHash: string | null;

  static fromRow(row: AuditRow): AuditEntryType {
    return Object.assign(new AuditEntryType(), {
      id: toGlobalId('AuditEntry', String(row.id)),
      at: row.at,
      actorId: row.actor_id,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      detail: row.detail,
      hash: row.hash,
      prevHash: row.prev_hash,
    });
  }
}

/** An audit_log row (typed from src/db/tables.ts). */
export type { AuditRow } from './audit.repository';

@ObjectType('AuditEntryConnection')
export class AuditEntryConnection extends ConnectionType(AuditEntryType, 'AuditEntry') {}

@ObjectType('AuditChainReport')
export class AuditChainReportType {
  @Field()
  valid: boolean;

  @Field(() => Int)
  checked: number;

  @Field(() => ID, { nullable: true })
  firstBrokenId: string | null;
}
