/**
 * The one transaction helper services use. A caller higher up (the GraphQL audit middleware)
 * may register work that must commit with the change — `withBeforeCommit` — and the helper
 * runs it inside the transaction, after the service's work and before COMMIT, so that a crash
 * cannot keep one without the other.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { afterConnectionLoss, isConnectionLoss, MAX_ATTEMPTS } from './connection-loss';

/**
 * Runs inside the transaction before it commits; `result` is what the transaction's work
 * returned. What it returns, if anything, is called once the transaction has committed (not
 * when it was rolled back and runs again: the hook runs again in the next attempt).
 */
export type BeforeCommit = (m: EntityManager, result: unknown) => Promise<void | (() => void)>;

const beforeCommitScope = new AsyncLocalStorage<BeforeCommit>();

/** Runs `fn` so that every `inTransaction` it reaches calls `hook` before committing. */
export function withBeforeCommit<T>(hook: BeforeCommit, fn: () => Promise<T>): Promise<T> {
  return beforeCommitScope.run(hook, fn);
}

/**
 * Runs `fn` in a transaction: its own, or the caller's when `db` is a manager already inside
 * one (the outer transaction then runs the hook when it ends).
 */
export async function inTransaction<T>(
  db: DataSource | EntityManager,
  fn: (m: EntityManager) => Promise<T>,
): Promise<T> {
  if (!(db instanceof DataSource) && db.queryRunner?.isTransactionActive) return fn(db);
  const dataSource = db instanceof DataSource ? db : db.connection;
  // A transaction whose connection was lost before COMMIT left nothing: it runs again (twice at
  // most). Its work must therefore touch nothing but the database until it returns. One lost
  // during COMMIT is asked after: committed, it returns; aborted, it runs again.
  for (let attempt = 1; ; attempt++) {
    const runner = dataSource.createQueryRunner();
    let committing = false;
    try {
      await runner.connect();
      await runner.startTransaction();
      const result = await fn(runner.manager);
      const committed = await beforeCommitScope.getStore()?.(runner.manager, result);
      const [{ xid }] = await runner.query('SELECT pg_current_xact_id_if_assigned()::text AS xid');
      committing = true;
      try {
        await runner.commitTransaction();
      } catch (error) {
        if (!isConnectionLoss(error)) throw error;
        const outcome = await commitOutcome(dataSource, xid).catch(() => 'unknown' as const);
        if (outcome === 'unknown' || (outcome === 'aborted' && attempt >= MAX_ATTEMPTS)) throw error;
        if (outcome === 'aborted') {
          committing = false; // nothing stored: it runs again
          throw error;
        }
      }
      committed?.();
      return result;
    } catch (error) {
      if (runner.isTransactionActive && !committing) await runner.rollbackTransaction().catch(() => undefined);
      if (committing || attempt >= MAX_ATTEMPTS || !isConnectionLoss(error)) throw error;
    } finally {
      await runner.release().catch(() => undefined);
    }
    await afterConnectionLoss(attempt);
  }
}

/**
 * What became of a transaction whose connection was lost while COMMIT was under way, asked on
 * another connection (`pg_xact_status`): `committed` (its work is stored: the caller gets its
 * result), `aborted` (nothing stored: it may run again), or `unknown`. A transaction that
 * wrote nothing has no id and nothing to lose: `committed`. One still in progress (its backend
 * not yet gone) is asked again for up to two seconds.
 */
export async function commitOutcome(
  dataSource: DataSource,
  xid: string | null,
): Promise<'committed' | 'aborted' | 'unknown'> {
  if (xid === null) return 'committed';
  for (let asked = 0; asked < 40; asked++) {
    const [row] = await dataSource.query('SELECT pg_xact_status($1::xid8) AS status', [xid]);
    if (row.status === 'committed' || row.status === 'aborted') return row.status;
    if (row.status !== 'in progress') return 'unknown';
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 'unknown';
}
