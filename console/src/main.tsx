import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { currentUser, onSessionChange, SessionUser, signOut } from './api';
import { resetInbox, useUnreadCount } from './inbox-state';
import { href, useRoute } from './router';
import { LoginPage } from './pages/Login';
import { BoardPage } from './pages/Board';
import { GraphPage } from './pages/Graph';
import { GraphiqlPage } from './pages/Graphiql';
import { InboxPage } from './pages/Inbox';
import { ListPage } from './pages/List';
import './style.css';

const NAV = [
  { page: 'board', label: '领导看板' },
  { page: 'graph', label: '案件关系图' },
  { page: 'inbox', label: '消息' },
  { page: 'graphiql', label: '查询台 GraphiQL' },
];

function Shell({ user }: { user: SessionUser }) {
  const route = useRoute();
  const unread = useUnreadCount();
  let body;
  switch (route.page) {
    case 'graph':
      body = <GraphPage params={route.params} />;
      break;
    case 'inbox':
      body = <InboxPage />;
      break;
    case 'graphiql':
      body = <GraphiqlPage />;
      break;
    case 'list':
      body = <ListPage params={route.params} />;
      break;
    default:
      body = <BoardPage params={route.params} user={user} />;
  }
  return (
    <div className={`shell page-${route.page}`}>
      <header className="top">
        <span className="brand">医保基金监管协同平台</span>
        <nav>
          {NAV.map((n) => (
            <a key={n.page} href={href(n.page)} className={route.page === n.page ? 'active' : ''} data-nav={n.page}>
              {n.label}
              {n.page === 'inbox' && unread > 0 && (
                <span className="badge" data-testid="nav-unread">
                  {unread}
                </span>
              )}
            </a>
          ))}
        </nav>
        <span className="who" data-testid="who">
          {user.displayName}（{user.department.name}）
        </span>
        <button type="button" onClick={signOut}>
          退出
        </button>
      </header>
      <main>{body}</main>
    </div>
  );
}

function App() {
  const [user, setUser] = useState(currentUser);
  useEffect(
    () =>
      onSessionChange(() => {
        resetInbox();
        setUser(currentUser());
      }),
    [],
  );
  return user ? <Shell user={user} /> : <LoginPage />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
