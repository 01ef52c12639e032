/** Notifications (通知): one row per recipient user; all SQL of the concept. */
import { dateRangeSql } from '../../core/filters';
import { DataSource, EntityManager } from 'typeorm';
import { Connection, paginate } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import type { NotificationTable } from '../../db/tables';
import type { NotificationKind } from './notification.kinds';

type Db = DataSource | EntityManager;

export type NotificationRow = Omit<NotificationTable, 'kind'> & { kind: NotificationKind };

/** Who receives a notification: users by id, and/or the active users of departments (optionally with some roles). */
export interface Recipients {
  userIds?: readonly string[];
  departmentIds?: readonly string[];
  /** Only users of those departments with one of these roles; all of them when absent. */
  roles?: readonly string[];
}

export interface NewNotification {
  kind: NotificationKind;
  title: string;
  body?: string | null;
  entityType?: string | null;
  entityId?: string | null;
  /** Makes the notification once per recipient: the recipient's id is appended. */
  dedupeKey?: string | null;
}

/** Inserts one notification for each active recipient; returns how many were inserted. */
export async function insertNotifications(m: EntityManager, n: NewNotification, to: Recipients): Promise<number> {
  const rows: { id: string }[] = await m.query(
    `INSERT INTO notification (user_id, kind, entity_type, entity_id, message, body, dedupe_key)
     SELECT u.id, $1, $2, $3, $4, $5, CASE WHEN $6::text IS NULL THEN NULL ELSE $6 || ':' || u.id END
     FROM app_user u
     WHERE u.active AND (u.id = ANY($7::uuid[])
       OR (u.department_id = ANY($8::uuid[]) AND ($9::text[] IS NULL OR u.roles && $9::text[])))
     ORDER BY u.id
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      n.kind,
      n.entityType ?? null,
      n.entityId ?? null,
      n.title,
      n.body ?? null,
      n.dedupeKey ?? null,
      to.userIds ?? [],
      to.departmentIds ?? [],
      to.roles ?? null,
    ],
  );
  return rows.length;
}

/**
 * Set-based twin for sweeps: `select` yields the columns (user_id, kind, entity_type,
 * entity_id, message (the title), body, dedupe_key), one row per recipient. Returns how many were inserted.
 */
export async function insertNotificationsFrom(m: EntityManager, select: string, params: SqlParams): Promise<number> {
  const rows: { id: string }[] = await m.query(
    `INSERT INTO notification (user_id, kind, entity_type, entity_id, message, body, dedupe_key)
     SELECT user_id, kind, entity_type, entity_id, message, body, dedupe_key FROM (${select}) n
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    params.values,
  );
  return rows.length;
}

/** A user's notifications, newest first. */
export function listUserNotifications(
  db: Db,
  userId: string,
  options: {
    unreadOnly: boolean;
    first: number;
    after?: string | null;
    kinds?: readonly string[] | null;
    entityType?: string | null;
    /** Civil dates (TIME_ZONE), inclusive. */
    createdFrom?: string | null;
    createdTo?: string | null;
  },
): Promise<Connection<NotificationRow>> {
  const params = new SqlParams();
  const where = [`n.user_id = ${params.add(userId)}`];
  if (options.unreadOnly) where.push('n.read_at IS NULL');
  if (options.kinds?.length) where.push(`n.kind = ANY(${params.add(options.kinds)})`);
  if (options.entityType) where.push(`n.entity_type = ${params.add(options.entityType)}`);
  where.push(...dateRangeSql(params, 'n.created_at', { from: options.createdFrom, to: options.createdTo }, 'created'));
  return paginate<NotificationRow, NotificationRow>({
    query: (sql, values) => db.query(sql, values),
    from: 'notification n',
    where,
    params,
    orderBy: [{ column: 'n.id', key: 'id' }],
    descending: true,
    first: options.first,
    after: options.after,
    map: (row) => row,
  });
}

export function userNotificationsByIds(db: Db, userId: string, ids: readonly string[]): Promise<NotificationRow[]> {
  return db.query('SELECT * FROM notification WHERE user_id = $1 AND id = ANY($2::bigint[]) ORDER BY id DESC', [
    userId,
    ids,
  ]);
}

export async function countUnread(db: Db, userId: string): Promise<number> {
  const [row]: { count: number }[] = await db.query(
    'SELECT count(*)::int AS count FROM notification WHERE user_id = $1 AND read_at IS NULL',
    [userId],
  );
  return row.count;
}

/** Marks the user's unread notifications read: those of `ids`, or all when `ids` is null. Returns how many. */
export async function markRead(db: Db, userId: string, ids: readonly string[] | null): Promise<number> {
  const rows: { id: string }[] = await db.query(
    `WITH marked AS (
       UPDATE notification SET read_at = now()
       WHERE user_id = $1 AND read_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
       RETURNING id)
     SELECT id FROM marked`,
    [userId, ids],
  );
  return rows.length;
}
