/**
 * Notifications (通知) people read: written in the transaction of the change they tell of
 * (`notify`, or `insertNotificationsFrom` for sweeps), read per user, marked read, and
 * announced live to the recipient's subscriptions (notification.feed.ts).
 */
import { EntityManager } from 'typeorm';
import { AppServices } from '../../app';
import { badInput } from '../../core/errors';
import { NodeTypeName, rowId } from '../../core/ids';
import { Connection } from '../../core/pagination';
import { Actor } from '../../policy';
import { NOTIFICATION_KINDS, NotificationKind } from './notification.kinds';
import {
  countUnread,
  insertNotifications,
  listUserNotifications,
  markRead,
  NotificationRow,
  Recipients,
  userNotificationsByIds,
} from './notification.repository';

export interface NotificationSpec {
  kind: NotificationKind;
  title: string;
  body?: string | null;
  /** What it is about (its global id is shown as `targetId`). */
  target?: { type: NodeTypeName; id: string } | null;
  to: Recipients;
  /** Once per recipient and key (e.g. `measure-overdue:<id>`); repeated calls add nothing. */
  dedupeKey?: string | null;
}

/** Writes a notification for each recipient, in the caller's transaction. Returns how many. */
export function notify(m: EntityManager, spec: NotificationSpec): Promise<number> {
  return insertNotifications(
    m,
    {
      kind: spec.kind,
      title: spec.title,
      body: spec.body,
      entityType: spec.target?.type ?? null,
      entityId: spec.target?.id ?? null,
      dedupeKey: spec.dedupeKey,
    },
    spec.to,
  );
}

/** Every user reads their own notifications only. */
export function listNotifications(
  services: AppServices,
  actor: Actor,
  unreadOnly: boolean,
  first: number,
  after: string | null | undefined,
  filter: {
    kind?: string[] | null;
    entityType?: string | null;
    createdFrom?: string | null;
    createdTo?: string | null;
  } = {},
): Promise<Connection<NotificationRow>> {
  const unknown = (filter.kind ?? []).filter((k) => !Object.hasOwn(NOTIFICATION_KINDS, k));
  if (unknown.length) throw badInput(`unknown notification kind ${unknown.join(', ')}`);
  return listUserNotifications(services.db, actor.userId, {
    unreadOnly,
    first,
    after,
    kinds: filter.kind,
    entityType: filter.entityType,
    createdFrom: filter.createdFrom,
    createdTo: filter.createdTo,
  });
}

export const unreadNotificationCount = (services: AppServices, actor: Actor): Promise<number> =>
  countUnread(services.db, actor.userId);

export async function findNotification(
  services: AppServices,
  actor: Actor,
  id: string,
): Promise<NotificationRow | null> {
  const [row] = await userNotificationsByIds(services.db, actor.userId, [id]);
  return row ?? null;
}

/** Marks the caller's notifications read — those of `ids`, or all with `all` — and returns how many changed. */
export function markNotificationsRead(
  services: AppServices,
  actor: Actor,
  ids: readonly string[] | null | undefined,
  all: boolean | null | undefined,
): Promise<number> {
  if (all && ids?.length) throw badInput('give either ids or all, not both');
  if (!all && !ids?.length) throw badInput('give the ids to mark read, or all: true');
  return markRead(services.db, actor.userId, all ? null : ids!.map((id) => rowId(id, 'Notification')));
}
