/**
 * Notifications people read (PRODUCT.md §9): written in the transaction of the change they
 * tell of, read per user (never another's), counted, marked read, and delivered live over
 * graphql-ws to the recipient — by whichever API process the recipient is connected to, and
 * only once the change is committed.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AppServices, createServices } from '../../src/app';
import { toGlobalId } from '../../src/core/ids';
import { notify } from '../../src/domain/notification/notification.service';
import { ApiServer, startApiServer } from '../../src/server';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, seedWorkflowFixtures } from '../support/workflow-fixtures';

const LIST = `query($unread: Boolean, $first: Int, $after: String) {
  notifications(unreadOnly: $unread, first: $first, after: $after) {
    totalCount edges { node { id kind kindLabel title body targetId readAt } } pageInfo { hasNextPage endCursor }
  }
  unreadNotificationCount
}`;
const MARK = `mutation($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) }`;

describe('notifications', () => {
  let t: TestApi;
  let gaDepartment: string;
  const token: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gaDepartment = await departmentIdOf(t.services, 'PUBLIC_SECURITY', '610302');
    for (const u of ['ga-610302-investigator', 'ga-610302-leader', 'yb-610302-investigator'])
      token[u] = await t.login(u);
  });
  afterAll(() => t.close());

  const send = (services: AppServices, n: Partial<Parameters<typeof notify>[1]> = {}) =>
    services.db.transaction((m) =>
      notify(m, {
        kind: 'TRANSFER_RECEIVED',
        title: '收到线索移送',
        body: '测试',
        target: { type: 'Clue', id: '00000000-0000-4000-8000-000000000001' },
        to: { departmentIds: [gaDepartment] },
        ...n,
      }),
    );

  it('goes to every active user of a department (or those of some roles), once per dedupe key', async () => {
    const users: { n: number }[] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM app_user WHERE department_id = $1 AND active`,
      [gaDepartment],
    );
    expect(await send(t.services, { dedupeKey: 'k1' })).toBe(users[0].n);
    expect(await send(t.services, { dedupeKey: 'k1' })).toBe(0);
    expect(await send(t.services, { to: { departmentIds: [gaDepartment], roles: ['LEADER'] } })).toBe(1);
  });

  it('each user reads their own, newest first, with the target as a global id and the kind in Chinese', async () => {
    const res = await t.gql(LIST, { first: 1 }, token['ga-610302-leader']);
    expect(res.errors).toBeUndefined();
    const page = res.data.notifications;
    expect(page.totalCount).toBe(2);
    expect(page.edges[0].node).toMatchObject({
      kind: 'TRANSFER_RECEIVED',
      kindLabel: '收到移送',
      title: '收到线索移送',
      targetId: toGlobalId('Clue', '00000000-0000-4000-8000-000000000001'),
      readAt: null,
    });
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(res.data.unreadNotificationCount).toBe(2);
    const other = await t.gql(LIST, {}, token['yb-610302-investigator']);
    expect(other.data.notifications.totalCount).toBe(0);
  });

  it('marks read by ids (only the caller’s own) or all, and the unread count follows', async () => {
    const mine = (await t.gql(LIST, {}, token['ga-610302-investigator'])).data.notifications.edges.map(
      (e: any) => e.node.id,
    );
    const theirs = (await t.gql(LIST, {}, token['ga-610302-leader'])).data.notifications.edges.map(
      (e: any) => e.node.id,
    );
    expect((await t.gql(MARK, { ids: [theirs[0]] }, token['ga-610302-investigator'])).data.markNotificationsRead).toBe(
      0,
    );
    expect((await t.gql(MARK, { ids: [mine[0]] }, token['ga-610302-investigator'])).data.markNotificationsRead).toBe(1);
    expect((await t.gql(MARK, { ids: [mine[0]] }, token['ga-610302-investigator'])).data.markNotificationsRead).toBe(0);
    const unread = await t.gql(LIST, { unread: true }, token['ga-610302-leader']);
    expect(unread.data.unreadNotificationCount).toBe(2);
    expect((await t.gql(MARK, { all: true }, token['ga-610302-leader'])).data.markNotificationsRead).toBe(2);
    expect((await t.gql(LIST, { unread: true }, token['ga-610302-leader'])).data.notifications.totalCount).toBe(0);
  });

  it('refuses a call with neither ids nor all, or both, and malformed ids', async () => {
    for (const variables of [{}, { ids: [], all: false }, { ids: [toGlobalId('Notification', '1')], all: true }]) {
      const res = await t.gql(MARK, variables, token['ga-610302-leader']);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
    const wrongType = await t.gql(
      MARK,
      { ids: [toGlobalId('Clue', '00000000-0000-4000-8000-000000000001')] },
      token['ga-610302-leader'],
    );
    expect(wrongType.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('is delivered live to the recipient on another API process, after commit only', async () => {
    const services = await createServices(t.config, { applicationName: 'second-api' });
    const second: ApiServer = await startApiServer(services, 0);
    const client = createClient({
      url: second.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token['ga-610302-leader']}` },
    });
    try {
      const received: any[] = [];
      let arrived: () => void = () => undefined;
      const first = new Promise<void>((r) => (arrived = r));
      const stop = client.subscribe(
        { query: 'subscription { notificationAdded { id kind title } }' },
        {
          next: (v) => (received.push(v), arrived()),
          error: (e) => received.push({ error: e }),
          complete: () => undefined,
        },
      );
      await services.notificationFeed.listen();
      // Give the subscription a moment to be registered on the server.
      await new Promise((r) => setTimeout(r, 300));
      // A rolled-back notification announces nothing.
      await t.services.db
        .transaction(async (m) => {
          await notify(m, { kind: 'DOCUMENT_RECEIVED', title: '回滚', to: { departmentIds: [gaDepartment] } });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await send(t.services, { kind: 'DOCUMENT_RECEIVED', title: '收到文书' });
      await Promise.race([first, new Promise((r) => setTimeout(r, 5000))]);
      stop();
      expect(received).toHaveLength(1);
      expect(received[0].data.notificationAdded).toMatchObject({ kind: 'DOCUMENT_RECEIVED', title: '收到文书' });
    } finally {
      await client.dispose();
      await second.stop();
      await services.close();
    }
  });
});
