/**
 * The one path by which a workflow entity changes: `applyEvent` checks the event with the
 * entity's machine (party, state, guard), updates the row only if its version is still the
 * one read (optimistic locking) together with the event's columns, and appends to the
 * entity's timeline and to the audit log — all in the caller's transaction. Creation is
 * `recordCreation`. Nothing else writes a workflow entity's state, version or timeline.
 */
import { EntityManager } from 'typeorm';
import { appendAudit } from '../domain/audit/audit.service';
import { AppError } from '../core/errors';
import { toGlobalId } from '../core/ids';
import type { Actor } from '../policy';
import { SqlParams } from '../core/sql';
import { MachineDefinition, nextState, Party } from './machine';
import { insertTimelineEntry } from './timeline.repository';

/** What applyEvent needs of a row: its id, state and version. */
export interface VersionedRow<S extends string = string> {
  id: string;
  status: S;
  version: number;
}

export interface EventRequest<E extends string, G, Row> {
  event: E;
  /** null for the system (workers, scheduled jobs). */
  actor: Actor | null;
  /** The caller's parties with respect to this entity (from src/policy). */
  parties: ReadonlySet<Party>;
  /** The version the client last read; VERSION_CONFLICT when the row has moved on. */
  expectedVersion?: number | null;
  /** What the event's guard and target function read. */
  input: G;
  /** Further columns of the entity's own table to set with the event. */
  set?: { [K in Exclude<keyof Row, 'id' | 'status' | 'version'>]?: Row[K] };
  note?: string | null;
  detail?: Record<string, unknown>;
}

export async function applyEvent<S extends string, E extends string, G, Row extends VersionedRow<S>>(
  m: EntityManager,
  machine: MachineDefinition<S, E, G>,
  current: Row,
  request: EventRequest<E, G, Row>,
): Promise<Row> {
  if (request.expectedVersion != null && request.expectedVersion !== current.version) {
    throw new AppError(
      'VERSION_CONFLICT',
      `${machine.entity} is at version ${current.version}, not ${request.expectedVersion}: reload and retry`,
      { currentVersion: current.version },
    );
  }
  const from = current.status;
  const stateColumn = machine.stateColumn ?? 'status';
  const to = nextState(machine, from, request.event, request.parties, request.input);
  const set = (request.set ?? {}) as Record<string, unknown>;
  const columns = Object.keys(set).filter((c) => set[c] !== undefined);
  const assignments = columns.map((c, i) => `${c} = $${i + 4}`);
  const touchesUpdatedAt = 'updated_at' in current && !columns.includes('updated_at');
  const rows: Row[] = await m.query(
    // Wrapped in a CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
    `WITH changed AS (
       UPDATE ${machine.table} SET ${stateColumn} = $3, version = version + 1${touchesUpdatedAt ? ', updated_at = now()' : ''}
         ${assignments.length ? ', ' + assignments.join(', ') : ''}
       WHERE id = $1 AND version = $2 RETURNING *, ${stateColumn} AS status)
     SELECT * FROM changed`,
    [current.id, current.version, to, ...columns.map((c) => set[c])],
  );
  if (!rows[0]) {
    throw new AppError('VERSION_CONFLICT', `${machine.entity} was changed concurrently: reload and retry`);
  }
  await insertTimelineEntry(m, {
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
  return { ...current, ...rows[0] };
}

/**
 * Records the creation of an entity the caller has just inserted: its first timeline entry
 * (from no state to the machine's initial state for `event`) and, unless `audit` is false
 * (creations audited by the caller with more detail), an audit entry.
 */
export async function recordCreation<S extends string, C extends string>(
  m: EntityManager,
  machine: MachineDefinition<S, string, never, C>,
  entry: {
    id: string;
    event: C;
    actor: Actor | null;
    note?: string | null;
    detail?: Record<string, unknown>;
    audit?: boolean;
  },
): Promise<void> {
  const to = machine.creation[entry.event].to;
  await insertTimelineEntry(m, {
    entity: machine.entity,
    entityId: entry.id,
    actorId: entry.actor?.userId ?? null,
    from: null,
    to,
    event: entry.event,
    note: entry.note ?? null,
    detail: entry.detail,
  });
  if (entry.audit !== false) {
    await appendAudit(m, {
      actorId: entry.actor?.userId ?? null,
      action: `${machine.entity}.${entry.event}`,
      targetType: machine.entity,
      targetId: toGlobalId(machine.entity, entry.id),
      detail: entry.detail,
    });
  }
}

/**
 * The set-based twin of `recordCreation`, for entities created in bulk by the system (clues of
 * a collision run): one timeline entry per entity, with its own detail, and one audit entry
 * for the batch (unless `audit` is false).
 */
export async function recordCreationInBulk<S extends string, C extends string>(
  m: EntityManager,
  machine: MachineDefinition<S, string, never, C>,
  entries: {
    event: C;
    created: readonly { id: string; detail?: Record<string, unknown> }[];
    audit?: boolean;
    auditDetail?: Record<string, unknown>;
  },
): Promise<void> {
  if (!entries.created.length) return;
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, detail)
     SELECT $1, x.id, NULL, NULL, $2, $3, x.detail
     FROM unnest($4::uuid[], $5::jsonb[]) WITH ORDINALITY AS x(id, detail, n) ORDER BY x.n`,
    [
      machine.entity,
      machine.creation[entries.event].to,
      entries.event,
      entries.created.map((c) => c.id),
      entries.created.map((c) => (c.detail ? JSON.stringify(c.detail) : null)),
    ],
  );
  if (entries.audit !== false) {
    await appendAudit(m, {
      actorId: null,
      action: `${machine.entity}.${entries.event}`,
      targetType: machine.entity,
      detail: { ...(entries.auditDetail ?? {}), ids: entries.created.map((c) => toGlobalId(machine.entity, c.id)) },
    });
  }
}

/**
 * The set-based twin of `applyEvent`, for SYSTEM events over many rows at once (deadline
 * sweeps, collision runs): of the rows whose ids `candidates` selects, those in a state the
 * event fires from are claimed (FOR UPDATE SKIP LOCKED: concurrent sweeps split the work),
 * moved (or kept) and versioned with the `set` expressions, each gets its timeline entry
 * (`detail`, a jsonb expression over the updated row `t`), and the batch one audit entry.
 * The event must be for SYSTEM, without a guard and with a fixed or no target state.
 */
export async function applySystemEventInBulk<S extends string, E extends string>(
  m: EntityManager,
  machine: MachineDefinition<S, E, never>,
  event: E,
  options: {
    /** A SELECT of ids; its placeholders index into `params`. */
    candidates: string;
    params: SqlParams;
    /** Column → SQL expression over the row aliased `t`, e.g. { overdue: 'true' }. */
    set?: Record<string, string>;
    /** jsonb expression over the updated row `t` for each timeline entry. */
    detail?: string;
    /**
     * A SELECT of (id, detail jsonb), placeholders into `params`: each row's timeline detail
     * when it is known per row rather than computable from the row (e.g. hits per clue of a run).
     */
    detailSource?: string;
    /** false: wait for rows locked by others instead of skipping them (the event must reach every candidate). */
    skipLocked?: boolean;
    auditDetail?: Record<string, unknown>;
  },
): Promise<{ id: string; from_state: S; to_state: S }[]> {
  const def = machine.events[event];
  if (!def.by.includes('SYSTEM') || def.guard || typeof def.to === 'function') {
    throw new Error(`${machine.entity}.${event} cannot be applied in bulk`);
  }
  const params = new SqlParams(options.params.values);
  const from = params.add(def.from, 'text[]');
  const to = params.add(def.to ?? null, 'text');
  const entity = params.add(machine.entity, 'text');
  const name = params.add(event, 'text');
  const state = machine.stateColumn ?? 'status';
  const set = Object.entries(options.set ?? {})
    .map(([column, expression]) => `, ${column} = ${expression}`)
    .join('');
  const changed: { id: string; from_state: S; to_state: S }[] = await m.query(
    `WITH due AS (
       SELECT t.id, t.${state} AS status FROM ${machine.table} t
       WHERE t.id IN (${options.candidates}) AND t.${state} = ANY(${from})
       ORDER BY t.id FOR UPDATE${options.skipLocked === false ? '' : ' SKIP LOCKED'}
     ),
     changed AS (
       UPDATE ${machine.table} t SET ${state} = coalesce(${to}, due.status), version = t.version + 1${set}
       FROM due WHERE t.id = due.id AND t.${state} = ANY(${from})
       RETURNING t.id, due.status AS from_state, t.${state} AS to_state, ${options.detail ?? 'NULL::jsonb'} AS detail
     ),
     recorded AS (
       INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, detail)
       SELECT ${entity}, changed.id, NULL, from_state, to_state, ${name}, ${
         options.detailSource ? 'coalesce(per_row.detail, changed.detail)' : 'changed.detail'
       }
       FROM changed ${options.detailSource ? `LEFT JOIN (${options.detailSource}) AS per_row(id, detail) ON per_row.id = changed.id` : ''}
     )
     SELECT id, from_state, to_state FROM changed`,
    params.values,
  );
  if (changed.length) {
    await appendAudit(m, {
      actorId: null,
      action: `${machine.entity}.${event}`,
      targetType: machine.entity,
      detail: { ...(options.auditDetail ?? {}), ids: changed.map((c) => toGlobalId(machine.entity, c.id)) },
    });
  }
  return changed;
}

/**
 * The set-based twin of `applyEvent` for a PERSON's change of many rows at once (bulk
 * verification of hits): each row's request is checked with the machine like `applyEvent`
 * (party, state, guard, expected version), then every row is moved in ONE UPDATE … FROM
 * unnest(ids, versions, states, columns) that requires each row's version to be the one read —
 * a row that moved on since (any mismatch) is VERSION_CONFLICT and the caller's transaction
 * rolls the whole call back. One INSERT records every row's timeline entry, and the call gets
 * ONE audit entry listing the ids (per event). Rows are in the caller's transaction and should
 * have been read FOR UPDATE. The `set` columns of a row's request are applied to that row only
 * (a column another row sets is left as it is on this one). Returns the updated rows, in the
 * order given.
 */
export async function applyEventToEach<S extends string, E extends string, G, Row extends VersionedRow<S>>(
  m: EntityManager,
  machine: MachineDefinition<S, E, G>,
  rows: readonly Row[],
  requestFor: (row: Row) => EventRequest<E, G, Row>,
  options: { actor: Actor | null; auditDetail?: Record<string, unknown> },
): Promise<Row[]> {
  if (!rows.length) return [];
  const planned = rows.map((row) => {
    const request = requestFor(row);
    if (request.expectedVersion != null && request.expectedVersion !== row.version) {
      throw new AppError(
        'VERSION_CONFLICT',
        `${machine.entity} ${toGlobalId(machine.entity, row.id)} is at version ${row.version}, not ${request.expectedVersion}: reload and retry`,
        { currentVersion: row.version },
      );
    }
    const to = nextState(machine, row.status, request.event, request.parties, request.input);
    const set = Object.fromEntries(
      Object.entries((request.set ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined),
    );
    return { row, request, to, set };
  });
  const stateColumn = machine.stateColumn ?? 'status';
  const columns = [...new Set(planned.flatMap((p) => Object.keys(p.set)))];
  for (const c of columns) {
    if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`${machine.entity}: bad column ${c}`);
  }
  // Each row's columns travel as one jsonb object, typed by the table's own row type.
  const assignments = columns.map(
    (c) =>
      `, ${c} = CASE WHEN x.set ? '${c}' THEN (jsonb_populate_record(NULL::${machine.table}, x.set)).${c} ELSE t.${c} END`,
  );
  const touchesUpdatedAt = 'updated_at' in rows[0] && !columns.includes('updated_at');
  const updated: (Row & { from_state: S })[] = await m.query(
    `WITH x AS (
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::text[], $4::jsonb[]) AS x(id, version, to_state, set)),
     changed AS (
       UPDATE ${machine.table} t SET ${stateColumn} = x.to_state, version = t.version + 1${touchesUpdatedAt ? ', updated_at = now()' : ''}
         ${assignments.join('')}
       FROM x WHERE t.id = x.id AND t.version = x.version
       RETURNING t.*, t.${stateColumn} AS status)
     SELECT * FROM changed`,
    [
      planned.map((p) => p.row.id),
      planned.map((p) => p.row.version),
      planned.map((p) => p.to),
      planned.map((p) => JSON.stringify(p.set)),
    ],
  );
  if (updated.length !== rows.length) {
    const moved = rows.filter((r) => !updated.some((u) => u.id === r.id)).map((r) => toGlobalId(machine.entity, r.id));
    throw new AppError(
      'VERSION_CONFLICT',
      `${moved.length} ${machine.entity} row(s) changed concurrently (${moved.slice(0, 5).join(', ')}${moved.length > 5 ? ', …' : ''}): nothing was changed; reload and retry`,
      { ids: moved },
    );
  }
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, note, detail)
     SELECT $1, x.id, x.actor, x.from_state, x.to_state, x.event, x.note, x.detail
     FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[])
       WITH ORDINALITY AS x(id, actor, from_state, to_state, event, note, detail, n) ORDER BY x.n`,
    [
      machine.entity,
      planned.map((p) => p.row.id),
      planned.map((p) => p.request.actor?.userId ?? null),
      planned.map((p) => p.row.status),
      planned.map((p) => p.to),
      planned.map((p) => p.request.event),
      planned.map((p) => p.request.note ?? null),
      planned.map((p) => (p.request.detail ? JSON.stringify(p.request.detail) : null)),
    ],
  );
  const events = [...new Set(planned.map((p) => p.request.event))].sort();
  await appendAudit(m, {
    actorId: options.actor?.userId ?? null,
    action: `${machine.entity}.${events.join('+')}`,
    targetType: machine.entity,
    detail: {
      ...(options.auditDetail ?? {}),
      ids: planned.map((p) => toGlobalId(machine.entity, p.row.id)),
      ...(events.length > 1
        ? {
            events: Object.fromEntries(
              events.map((e) => [
                e,
                planned.filter((p) => p.request.event === e).map((p) => toGlobalId(machine.entity, p.row.id)),
              ]),
            ),
          }
        : {}),
    },
  });
  const byId = new Map(updated.map((u) => [u.id, u]));
  return rows.map((r) => ({ ...r, ...byId.get(r.id)! }));
}
