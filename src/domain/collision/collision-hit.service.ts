/**
 * 疑点 reads: the hits a caller may see (by collision jurisdiction, or through a visible
 * clue), newest first — as one list, or as the first page of the hits of each of many clues.
 */
import { DataSource, EntityManager } from 'typeorm';
import { Connection } from '../../core/pagination';
import { Actor } from '../../policy';
import { CollisionHitRow, HitListFilter, pageHits, visibleHitById } from './collision.repository';

export { firstHitPagesByClueIds } from './collision.repository';

type Db = DataSource | EntityManager;

/** Visible hits matching `filter`, one page. */
export const listHits = (
  db: Db,
  actor: Actor,
  filter: HitListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionHitRow>> => pageHits(db, actor, filter, first, after);

/** A hit the actor may see, or null. */
export const findVisibleHit = (db: Db, actor: Actor, hitId: string): Promise<CollisionHitRow | null> =>
  visibleHitById(db, actor, hitId);
