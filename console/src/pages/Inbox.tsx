import { useEffect, useState } from 'react';
import { gql } from '../api';
import { NOTIFICATION_FIELDS, NotificationItem, refreshUnread, useLiveNotifications, useUnreadCount } from '../inbox-state';
import { isGraphRoot } from '../labels';
import { href } from '../router';

const LIST = `query($after: String, $unread: Boolean) {
  notifications(first: 50, after: $after, unreadOnly: $unread) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${NOTIFICATION_FIELDS} } }
  }
}`;
const when = (at: string) =>
  new Date(at).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
const MARK = `mutation($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) }`;

/** 消息: my notifications, newest first, with the unread count — new ones arrive live (graphql-ws). */
export function InboxPage() {
  const unread = useUnreadCount();
  const live = useLiveNotifications();
  const [loaded, setLoaded] = useState<NotificationItem[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [total, setTotal] = useState(0);
  const [onlyUnread, setOnlyUnread] = useState(false);
  const [read, setRead] = useState<Set<string>>(new Set());

  const load = async (after: string | null) => {
    const r = await gql<{
      notifications: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: NotificationItem }[] };
    }>(LIST, { after, unread: onlyUnread || undefined });
    setLoaded((current) => [...(after ? current : []), ...r.notifications.edges.map((e) => e.node)]);
    setTotal(r.notifications.totalCount);
    setCursor(r.notifications.pageInfo.hasNextPage ? r.notifications.pageInfo.endCursor : null);
  };
  useEffect(() => {
    void load(null);
    void refreshUnread();
  }, [onlyUnread]);

  const seen = new Set(loaded.map((n) => n.id));
  const items = [...live.filter((n) => !seen.has(n.id)), ...loaded];
  const mark = async (ids: string[] | null) => {
    await gql(MARK, ids ? { ids } : { all: true });
    setRead((s) => {
      const next = new Set(s);
      for (const n of items) if (!ids || ids.includes(n.id)) next.add(n.id);
      return next;
    });
    await refreshUnread();
  };

  return (
    <div className="panel inbox">
      <h2>
        消息 <span className="muted">未读</span> <span data-testid="unread-count">{unread}</span>
        <span className="muted">，共 {total + live.filter((n) => !seen.has(n.id)).length} 条</span>
      </h2>
      <div className="toolbar">
        <label>
          <input type="checkbox" checked={onlyUnread} onChange={(e) => setOnlyUnread(e.target.checked)} /> 只看未读
        </label>
        <button type="button" onClick={() => void mark(null)} disabled={unread === 0}>
          全部标为已读
        </button>
        <span className="muted live">● 实时推送</span>
      </div>
      <ul className="notifications" data-testid="notifications">
        {items.map((n) => {
          const isRead = Boolean(n.readAt) || read.has(n.id);
          return (
            <li key={n.id} className={isRead ? 'read' : 'unread'} data-notification={n.id}>
              <span className="kind">{n.kindLabel}</span>
              <b className="title">{n.title}</b>
              {n.body && <span className="body">{n.body}</span>}
              <span className="muted">{when(n.createdAt)}</span>
              {n.targetId && isGraphRoot(n.targetId) && <a href={href('graph', { root: n.targetId })}>关系图</a>}
              {!isRead && (
                <button type="button" onClick={() => void mark([n.id])}>
                  已读
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {items.length === 0 && <p className="muted">没有消息。</p>}
      {cursor && (
        <button type="button" onClick={() => void load(cursor)}>
          更多
        </button>
      )}
    </div>
  );
}
