import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../graphql/scalars';
import { ConnectionType, Node } from '../../graphql/relay';
import { toGlobalId } from '../../core/ids';
import type { AuditRow } from './audit.repository';

@ObjectType('AuditEntry', {
  implements: Node,
  description: '审计日志条目 (audit entry)：哈希链 (hash chain) 上的一条记录，只增不改。',
})
export class AuditEntryType extends Node {
  readonly __typename = 'AuditEntry';

  @Field({ description: '发生时间 (UTC)。' })
  at: Date;

  actorId: string | null;

  @Field({
    description:
      '操作 (action)：变更为 mutation.<名称>，被拒绝的访问为 denied，登录为 auth.login / auth.login.failed / auth.login.refused，另有系统事件如 CollisionRun.START。',
  })
  action: string;

  @Field(() => String, { nullable: true, description: '对象类型 (target type)：GraphQL 类型名，如 Clue。' })
  targetType: string | null;

  @Field(() => String, { nullable: true, description: '对象的全局编号 (global id)，可用于 node(id:)。' })
  targetId: string | null;

  @Field(() => JSONScalar, { nullable: true, description: '详情 (detail)：参数（口令等已脱敏）、原因等。' })
  detail: unknown;

  @Field({ description: '本条哈希 (hash)：由上一条哈希和本条内容计算。' })
  hash: string;

  @Field(() => String, { nullable: true, description: '上一条的哈希 (previous hash)；第一条为 null。' })
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

@ObjectType('AuditEntryConnection', { description: '审计日志分页列表 (AuditEntry connection)。' })
export class AuditEntryConnection extends ConnectionType(AuditEntryType, 'AuditEntry') {}

@ObjectType('AuditChainReport', { description: '审计哈希链校验结果 (audit chain report)。' })
export class AuditChainReportType {
  @Field({ description: '整条链完好 (valid)：没有被修改或删除的条目。' })
  valid: boolean;

  @Field(() => Int, { description: '校验的条数。' })
  checked: number;

  @Field(() => ID, { nullable: true, description: '第一条断链条目的全局编号；链完好时为 null。' })
  firstBrokenId: string | null;
}
