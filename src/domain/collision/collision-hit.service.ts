/**
 * 疑点 reads: the hits a caller may see (by collision jurisdiction, or through a visible
 * clue), newest first — as one list, or as the first page of the hits of each of many clues.
 */
import { SqlParams } from '../../core/sql';
import { AppServices } from '../../app';
import { Connection, firstPages, paginate } from '../../core/pagination';
import { Actor, hitVisibleSql } from '../../policy';
import { CollisionHitRow } from './collision.types';

type HitRow = CollisionHitRow & { created_us: string };

/** The order and cursor of every hit list: both readers below page the same way. */
const HIT_PAGES = {
  from: `(SELECT h.*, (extract(epoch FROM h.created_at) * 1000000)::bigint AS created_us FROM collision_hit h) h`,
  orderBy: [
    { column: 'h.created_us', key: 'created_us' },
    { column: 'h.id', key: 'id' },
  ] as { column: string; key: keyof HitRow & string }[],
  descending: true,
  map: (row: HitRow): CollisionHitRow => row,
};

/** Visible hits matching `where` (over `h`, parameters from $1), one page. */
export function listHits(
  db: AppServices['db'],
  actor: Actor,
  where: { sql: string[]; params: SqlParams },
  first: number,
  after: string | null | undefined,
): Promise<Connection<CollisionHitRow>> {
  const params = new SqlParams(where.params.values);
  return paginate<HitRow, CollisionHitRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...HIT_PAGES,
    where: [...where.sql, hitVisibleSql(actor, params)],
    params,
    first,
    after,
  });
}

/** For Clue.hits in lists: the first page of each clue's visible hits, in one query. */
export function firstHitPagesByClueIds(
  db: AppServices['db'],
  actor: Actor,
  clueIds: readonly string[],
  first: number,
): Promise<Map<string, Connection<CollisionHitRow>>> {
  const params = new SqlParams([clueIds]);
  return firstPages<HitRow, CollisionHitRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...HIT_PAGES,
    where: ['h.clue_id = ANY($1::uuid[])', hitVisibleSql(actor, params)],
    params,
    first,
    partitionBy: 'h.clue_id',
    groups: clueIds,
    groupOf: (row) => row.clue_id ?? '',
  });
}
