/**
 * A lost connection to PostgreSQL (a backend terminated, a server restart, a broken socket) is
 * not the client's fault and, where it is safe, not the client's problem: a read outside a
 * transaction is run again on a fresh connection, and a transaction that lost its connection
 * before COMMIT is run again from the start (src/db/transaction.ts), up to MAX_ATTEMPTS in all. Nothing is
 * retried once COMMIT was sent: its outcome is unknown, and the error reaches the caller.
 */
import { DataSource, QueryRunner } from 'typeorm';

/** SQLSTATEs of a lost connection: admin shutdown, crash shutdown, cannot connect now, class 08. */
const CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const MESSAGES =
  /Connection terminated|terminating connection|connection not open|Client has encountered a connection error|ECONNRESET|ECONNREFUSED|EPIPE/i;

/**
 * TypeORM releases a query runner as soon as its client reports the lost connection (even
 * between two statements of a transaction); its next statement then fails with one of these.
 */
const RELEASED = new Set(['QueryRunnerProviderAlreadyReleasedError', 'QueryRunnerAlreadyReleasedError']);

export function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  if (RELEASED.has((e as { name?: string }).name ?? '')) return true;
  const code = e.driverError?.code ?? e.code;
  if (typeof code === 'string' && CODES.has(code)) return true;
  return MESSAGES.test(`${String(e.message ?? '')} ${String(e.driverError?.message ?? '')}`);
}

/**
 * How often a statement or a transaction is tried in all. The other idle connections of the
 * pool may have been lost with the first (a server restart, every backend terminated).
 */
export const MAX_ATTEMPTS = 3;

/** A pause before the next attempt (50 ms, then 200 ms), in which the pool hears of its other lost connections. */
export const afterConnectionLoss = (attempt: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 50 * 4 ** (attempt - 1)));

const READ = /^\s*(SELECT|WITH|VALUES|SHOW)\b/i;
const WRITES =
  /\b(INSERT|UPDATE|DELETE|MERGE|COPY|LOCK|NOTIFY|pg_notify|nextval|setval|FOR\s+(NO\s+KEY\s+)?UPDATE|FOR\s+(KEY\s+)?SHARE)\b/i;

/** A statement that changes nothing, so that running it twice is the same as once. */
export const isReadOnly = (sql: string): boolean => READ.test(sql) && !WRITES.test(sql);

/**
 * Makes `dataSource.query` — the path of every `db.query` and `manager.query` outside a
 * transaction — run a read-only statement again when its connection was lost.
 */
export function retryReadsOnConnectionLoss(dataSource: DataSource): DataSource {
  const query = dataSource.query.bind(dataSource);
  dataSource.query = async function retrying<T = unknown>(
    sql: string,
    parameters?: unknown[],
    queryRunner?: QueryRunner,
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await query<T>(sql, parameters, queryRunner);
      } catch (error) {
        if (queryRunner || attempt >= MAX_ATTEMPTS || !isConnectionLoss(error) || !isReadOnly(sql)) throw error;
        await afterConnectionLoss(attempt);
      }
    }
  };
  return dataSource;
}
