/**
 * Unread count and live notifications, shared by the header badge and the inbox: counted
 * once from the API, then kept current through the notificationAdded subscription.
 */
import { useEffect, useState } from 'react';
import { gql, subscribe } from './api';

export interface NotificationItem {
  id: string;
  kind: string;
  kindLabel: string;
  title: string;
  body: string | null;
  targetId: string | null;
  createdAt: string;
  readAt: string | null;
}

export const NOTIFICATION_FIELDS = 'id kind kindLabel title body targetId createdAt readAt';

type Listener = () => void;
let unread = 0;
let live: NotificationItem[] = [];
let stop: (() => void) | null = null;
const listeners = new Set<Listener>();
const emit = () => listeners.forEach((l) => l());

export async function refreshUnread(): Promise<void> {
  unread = (await gql<{ unreadNotificationCount: number }>('{ unreadNotificationCount }')).unreadNotificationCount;
  emit();
}

export function setUnread(value: number): void {
  unread = value;
  emit();
}

function start(): void {
  if (stop) return;
  stop = subscribe<{ notificationAdded: NotificationItem }>(
    `subscription { notificationAdded { ${NOTIFICATION_FIELDS} } }`,
    ({ notificationAdded }) => {
      live = [notificationAdded, ...live.filter((n) => n.id !== notificationAdded.id)];
      if (!notificationAdded.readAt) unread += 1;
      emit();
    },
  );
  void refreshUnread().catch(() => undefined);
}

export function useUnreadCount(): number {
  const [value, setValue] = useState(unread);
  useEffect(() => {
    const listener = () => setValue(unread);
    listeners.add(listener);
    start();
    listener();
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}

/** Notifications that arrived live since the page was loaded, newest first. */
export function useLiveNotifications(): NotificationItem[] {
  const [value, setValue] = useState(live);
  useEffect(() => {
    const listener = () => setValue(live);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}

export function resetInbox(): void {
  stop?.();
  stop = null;
  live = [];
  unread = 0;
}
