/** The timelines of workflow entities (state_change): one row per event, creation included. */
import { DataSource, EntityManager } from 'typeorm';
import { preparedRead } from '../db/prepared';

type Db = DataSource | EntityManager;

/** One timeline entry as stored; `from_state === to_state` is an event that kept the state. */
export interface TimelineRow {
  entity_id: string;
  at: Date;
  actor_id: string | null;
  from_state: string | null;
  to_state: string;
  event: string;
  note: string | null;
  detail: unknown;
}

export interface TimelineEntry {
  entity: string;
  entityId: string;
  actorId: string | null;
  from: string | null;
  to: string;
  event: string;
  note?: string | null;
  detail?: Record<string, unknown>;
}

export async function insertTimelineEntry(m: EntityManager, entry: TimelineEntry): Promise<void> {
  await m.query(
    `INSERT INTO state_change (entity_type, entity_id, actor_id, from_state, to_state, event, note, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.entity,
      entry.entityId,
      entry.actorId,
      entry.from,
      entry.to,
      entry.event,
      entry.note ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
    ],
  );
}

/** Timeline entries of entities of one type, oldest first. */
export function timelinesByEntityIds(db: Db, entityType: string, ids: readonly string[]): Promise<TimelineRow[]> {
  return preparedRead(
    db,
    `SELECT entity_id, at, actor_id, from_state, to_state, event, note, detail FROM state_change
     WHERE entity_type = $1 AND entity_id = ANY($2::uuid[]) ORDER BY id`,
    [entityType, ids],
  );
}
