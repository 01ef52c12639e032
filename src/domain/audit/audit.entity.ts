import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * 审计日志: append-only and hash-chained. `hash` covers the previous entry's hash and this
 * entry's fields (see audit.service.ts for the exact formula); a trigger refuses UPDATE
 * and DELETE.
 */
@Entity('audit_log')
export class AuditEntryEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text', nullable: true })
  targetType: string | null;

  @Index()
  @Column({ type: 'text', nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  detail: Record<string, unknown> | null;

  @Column({ type: 'char', length: 64, nullable: true })
  prevHash: string | null;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
