/**
 * Executes one state-machine transition inside the caller's transaction: checks it with
 * the machine, updates the row only if its version is still the one read
 * (optimistic locking), appends to the entity's timeline and to the audit log.
 */
import { DataSource, EntityManager } from 'typeorm';
import { appendAudit } from '../domain/audit/audit.service';
import type { TimelineRow } from '../domain/clue/clue.types';
import { AppError, notFound } from '../graphql/errors';
import { toGlobalId } from '../graphql/relay';
import { Actor } from '../policy';
import { MachineDefinition, nextState, Party } from './machine';

export interface StatefulRow {
  id: string;
  status: string;
  version: number;
  [column: string]: unknown;
}

export interface TransitionRequest<E extends string, G> {
  id: string;
  event: E;
  /** null for the system (workers, scheduled jobs). */
  actor: Actor | null;
  /** The caller's parties with respect to this entity (from src/policy). */
  parties: ReadonlySet<Party>;
  expectedVersion?: number | null;
  input: G;
  /** Further columns to set with the state change, e.g. { owner_department_id: … }. */
  set?: Record<string, unknown>;
  note?: string | null;
  detail?: Record<string, unknown>;
}

export async function loadForTransition(m: EntityManager, table: string, entity: string, id: string): Promise<StatefulRow> {
  const rows: StatefulRow[] = await m.query(`SELECT * FROM ${table} WHERE id = $1`, [id]);
  if (!rows[0]) throw notFound(entity);
  return rows[0];
}

export async function applyTransition<S extends string, E extends string, G>(
  m: EntityManager,
  machine: MachineDefinition<S, E, G>,
  current: StatefulRow,
  request: TransitionRequest<E, G>,
): Promise<StatefulRow> {
  if (request.expectedVersion != null && request.expectedVersion !== current.version) {
    throw new AppError(
      'VERSION_CONFLICT',
      `${machine.entity} is at version ${current.version}, not ${request.expectedVersion}: reload and retry`,
      { currentVersion: current.version },
    );
  }
  const from = current.status as S;
  const to = nextState(machine, from, request.event, request.parties, request.input);
  const set = { ...(request.set ?? {}) };
  const columns = Object.keys(set);
  const assignments = columns.map((c, i) => `${c} = $${i + 4}`);
  const hasUpdatedAt = 'updated_at' in current;
  const rows: StatefulRow[] = await m.query(
    // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
    `WITH changed AS (
       UPDATE ${machine.table} SET status = $3, version = version + 1${hasUpdatedAt ? ', updated_at = now()' : ''}
         ${assignments.length ? ', ' + assignments.join(', ') : ''}
       WHERE id = $1 AND version = $2 RETURNING *)
     SELECT * FROM changed`,
    [current.id, current.version, to, ...columns.map((c) => set[c])],
  );
  if (!rows[0]) {
    throw new AppError('VERSION_CONFLICT', `${machine.entity} was changed concurrently: reload and retry`);
  }
  await recordTimeline(m, {
    entity: machine.entity,
    entityId: current.id,
    actorId: request.actor?.userId ?? null,
    from,
    to,
    event: request.event,
    note: request.note ?? null,
    detail: request.detail,
  });
  await appendAudit(m, {
    actorId: request.actor?.userId ?? null,
    action: `${machine.entity}.${request.event}`,
    targetType: machine.entity,
    targetId: toGlobalId(machine.entity, current.id),
    detail: { from, to, version: rows[0].version, ...(request.detail ?? {}) },
  });
  return rows[0];
}

/** Appends one timeline entry; `from === to` records an event that changed no state. */
export async function recordTimeline(
  m: EntityManager,
  entry: {
    entity: string;
    entityId: string;
    actorId: string | null;
    from: string | null;
    to: string;
    event: string;
    note?: string | null;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, note, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [entry.entity, entry.entityId, entry.actorId, entry.from, entry.to, entry.event, entry.note ?? null, entry.detail ? JSON.stringify(entry.detail) : null],
  );
}

/** Timeline entries of entities of one type, oldest first. */
export function timelinesByEntityIds(
  db: DataSource | EntityManager,
  entityType: string,
  ids: readonly string[],
): Promise<TimelineRow[]> {
  return db.query(
    `SELECT entity_id, at, actor_id, from_state, to_state, event, note, detail FROM state_change
     WHERE entity_type = $1 AND entity_id = ANY($2::uuid[]) ORDER BY id`,
    [entityType, ids],
  );
}
