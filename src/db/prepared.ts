/**
 * Reads as named prepared statements, for the hot reads of the API (the clue list, a clue).
 * PostgreSQL parses, analyses and plans an unnamed statement on every execution: for the clue
 * list with its visibility predicate that was ~0.5 ms of database CPU per request, more than
 * running it. A named statement is prepared once per pooled connection; after five executions
 * PostgreSQL keeps a generic plan when it costs no more than the custom ones (plan_cache_mode
 * auto), and re-plans by itself when a table it reads changes (DDL, ANALYZE).
 *
 * The name is a hash of the text, so one text is one statement on every connection. At most
 * MAX_NAMES distinct texts are prepared per process (filters combine into a few dozen texts;
 * anything beyond runs unnamed), so the backends' memory stays bounded. Outside a transaction
 * only: a statement run this way takes any connection of the pool. Read-only statements whose
 * connection was lost are run again, as `db.query` does (connection-loss.ts).
 */
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { afterConnectionLoss, isConnectionLoss, isReadOnly, MAX_ATTEMPTS } from './connection-loss';

const MAX_NAMES = 500;
const names = new Map<string, string>();

function nameOf(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMES) {
    name = `r_${createHash('sha1').update(sql).digest('base64url').slice(0, 24)}`;
    names.set(sql, name);
  }
  return name;
}

/** The pg pool behind a DataSource (TypeORM's postgres driver keeps it as `master`). */
function poolOf(db: DataSource): Pool | undefined {
  return (db.driver as unknown as { master?: Pool }).master;
}

/**
 * Runs a read-only statement as a named prepared statement; the rows. Given an EntityManager
 * (a transaction's, whose statements must run on its connection), a DataSource without a pg
 * pool or a statement that is not a read, it is `db.query`.
 */
export async function preparedRead<Row>(
  db: DataSource | EntityManager,
  sql: string,
  params: unknown[],
): Promise<Row[]> {
  if (!(db instanceof DataSource)) return db.query(sql, params);
  const pool = poolOf(db);
  if (!pool || !isReadOnly(sql)) return db.query(sql, params);
  const name = nameOf(sql);
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await pool.query({ name, text: sql, values: params });
      return result.rows as Row[];
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isConnectionLoss(error)) throw error;
      await afterConnectionLoss(attempt);
    }
  }
}
