/**
 * 疑点 reads: the hits a caller may see (by collision jurisdiction, or through a visible
 * clue), newest first — as one list, or as the first page of the hits of each of many clues.
 */
import { DataSource, EntityManager } from 'typeorm';
import { optionalRowId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { Actor } from '../../policy';
import { CollisionHitRow, HitListFilter, pageHits, visibleHitById } from './collision.repository';

export { firstHitPagesByClueIds } from './collision.repository';

type Db = DataSource | EntityManager;

/** The filter of `collisionHits` as the API gives it: the list filter's fields, ids still global ids. */
export type HitFilterInput = HitListFilter;

/**
 * Visible hits matching `filter`, one page; its run and clue ids are global ids, decoded here
 * for every caller (the GraphQL list and the export alike).
 */
export const listHits = (
  db: Db,
  actor: Actor,
  filter: HitFilterInput | null | undefined,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionHitRow>> =>
  pageHits(
    db,
    actor,
    {
      ...filter,
      runId: optionalRowId(filter?.runId, 'CollisionRun'),
      clueId: optionalRowId(filter?.clueId, 'Clue'),
    },
    first,
    after,
  );

/** Visible hits of one clue (a row id), one page. */
export const clueHitsPage = (
  db: Db,
  actor: Actor,
  clueId: string,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionHitRow>> => pageHits(db, actor, { clueId }, first, after);

/** A hit the actor may see, or null. */
export const findVisibleHit = (db: Db, actor: Actor, hitId: string): Promise<CollisionHitRow | null> =>
  visibleHitById(db, actor, hitId);
