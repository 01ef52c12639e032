import { DataSource, EntityManager } from 'typeorm';
import { inTransaction } from '../../db/transaction';
import { Connection } from '../../core/pagination';
import { Actor, canReadAuditLog } from '../../policy';
import {
  auditEntryById,
  auditEntryPage,
  AuditInput,
  AuditRow,
  checkAuditChain,
  insertAuditEntry,
} from './audit.repository';

export type { AuditInput } from './audit.repository';

/**
 * Appends one entry to the hash-chained audit log. Inside the caller's transaction when
 * given a transactional manager (the entry then commits or rolls back with the change it
 * records); otherwise in a transaction of its own.
 */
export function appendAudit(db: DataSource | EntityManager, entry: AuditInput): Promise<string> {
  // Its own transaction is not a change of the mutation's: no before-commit work runs in it.
  if (db instanceof DataSource) return db.transaction((m) => insertAuditEntry(m, entry));
  return inTransaction(db, (m) => insertAuditEntry(m, entry));
}

export interface AuditChainReport {
  valid: boolean;
  checked: number;
  firstBrokenId: string | null;
}

/**
 * Recomputes every entry's hash and link. An edited entry fails its own hash; a deleted
 * one breaks the link of the entry after it.
 */
export async function verifyAuditChain(db: DataSource | EntityManager): Promise<AuditChainReport> {
  const { checked, firstBrokenId } = await checkAuditChain(db);
  return { valid: firstBrokenId === null, checked, firstBrokenId };
}

/** The audit log, newest first, optionally of one target (its GraphQL id). */
export function listAuditEntries<T>(
  db: DataSource,
  options: { targetId?: string | null; first: number; after?: string | null; map: (row: AuditRow) => T },
): Promise<Connection<T>> {
  return auditEntryPage(db, options);
}

/** One entry, for those who read the audit log; null for others and for unknown ids. */
export async function findAuditEntry(
  db: DataSource | EntityManager,
  actor: Actor,
  id: string,
): Promise<AuditRow | null> {
  return canReadAuditLog(actor) ? auditEntryById(db, id) : null;
}
