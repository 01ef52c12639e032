/**
 * Subscriptions over graphql-ws (PRODUCT.md §7): a clue routed or transferred to my department,
 * a transfer addressed to it, a supervision item of mine becoming overdue — only to the
 * departments concerned, only for authenticated connections, under the same validation rules
 * as HTTP, and across API processes through Redis pub/sub.
 */
import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { AppServices, createServices } from '../../src/app';
import { routeClue } from '../../src/domain/routing/routing.service';
import { markOverdueSupervision } from '../../src/domain/supervision/supervision.jobs';
import { toGlobalId } from '../../src/core/ids';
import { ApiServer, startApiServer } from '../../src/server';
import { startWorkers } from '../../workers';
import { startTestApi, TestApi } from '../support/harness';
import {
  departmentIdOf,
  insertClue,
  newClue,
  routedClue,
  seedWorkflowFixtures,
  tokenSource,
} from '../support/workflow-fixtures';

const CLUE_ASSIGNED = `subscription { clueAssigned { id status owner { kind name } } }`;
const TRANSFER_RECEIVED = `subscription { transferReceived { id status from { kind } to { kind } clue { id } } }`;
const SUPERVISION_OVERDUE = `subscription { supervisionOverdue { id status title assignedTo { kind } } }`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The promise's value, or 'timeout' after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms = 5000): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** One subscription's deliveries, with waiting helpers. */
interface Feed {
  received: Record<string, any>[];
  error: Promise<unknown>;
  /** Resolves with the first delivery matching `match` (already received or to come). */
  next(match: (value: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Drops deliveries about this id, past and future (readiness probes). */
  ignore(id: string): void;
  stop(): void;
}

function subscribe(client: Client, query: string): Feed {
  const received: Record<string, any>[] = [];
  const ignored = new Set<string>();
  const about = (data: Record<string, any>) => Object.values(data)[0]?.id as string | undefined;
  const waiters: (() => void)[] = [];
  let fail: (e: unknown) => void = () => undefined;
  const error = new Promise<unknown>((resolve) => (fail = resolve));
  const stop = client.subscribe<Record<string, any>>(
    { query },
    {
      next: (value) => {
        if (value.errors) fail(value.errors);
        if (value.data && !ignored.has(about(value.data) ?? '')) received.push(value.data);
        waiters.splice(0).forEach((w) => w());
      },
      error: (e) => fail(e),
      complete: () => undefined,
    },
  );
  return {
    received,
    error,
    stop,
    ignore(id) {
      ignored.add(id);
      const kept = received.filter((r) => about(r) !== id);
      received.splice(0, received.length, ...kept);
    },
    async next(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching event in ${timeoutMs} ms; received ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

describe('subscriptions (graphql-ws)', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  const clients: Client[] = [];
  const wsUrl = (api: ApiServer) => api.url.replace(/^http/, 'ws');

  const connect = (username: string | null, api: ApiServer = t.api, authorization?: string): Promise<Client> =>
    (async () => {
      const client = createClient({
        url: wsUrl(api),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: async () =>
          authorization !== undefined
            ? { authorization }
            : username
              ? { authorization: `Bearer ${await token(username)}` }
              : {},
      });
      clients.push(client);
      return client;
    })();

  const departmentOf = (kind: string, region: string) => departmentIdOf(t.services, kind, region);

  /**
   * Waits until the subscription is live on the server: publishes a harmless probe event
   * (a clue of the subscriber's own department announced again) until it arrives.
   */
  async function ready(feed: Feed, kind: string, region: string, services: AppServices = t.services): Promise<void> {
    const probe = await insertClue(t.services, { ownerKind: kind, ownerRegion: region, title: '探针' });
    const departmentId = await departmentOf(kind, region);
    const probeId = toGlobalId('Clue', probe);
    let arrived = false;
    for (let i = 0; i < 20 && !arrived; i++) {
      services.events.publish('clueAssigned', { clueId: probe, departmentId });
      arrived = await feed
        .next((r) => r.clueAssigned?.id === probeId, 250)
        .then(
          () => true,
          () => false,
        );
    }
    expect(arrived).toBe(true);
    feed.ignore(probeId);
    expect(feed.received).toEqual([]);
  }

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = tokenSource(t.services);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t.close();
  });

  describe('clueAssigned', () => {
    it('reaches the department a clue is routed to, and no other', async () => {
      const yb = subscribe(await connect('yb-610302-investigator'), CLUE_ASSIGNED);
      const wj = subscribe(await connect('wj-610302-investigator'), CLUE_ASSIGNED);
      await ready(yb, 'MEDICAL_INSURANCE', '610302');
      await ready(wj, 'HEALTH', '610302');

      const toYb = toGlobalId('Clue', await routedClue(t.services));
      const got = await yb.next((r) => r.clueAssigned.id === toYb);
      expect(got.clueAssigned).toMatchObject({
        status: 'ASSIGNED',
        owner: { kind: 'MEDICAL_INSURANCE', name: expect.stringContaining('渭滨区') },
      });

      const toWj = toGlobalId('Clue', await routedClue(t.services, { model: 'BED_HANGING' }));
      await wj.next((r) => r.clueAssigned.id === toWj);
      await sleep(300);
      expect(yb.received.map((r) => r.clueAssigned.id)).toEqual([toYb]);
      expect(wj.received.map((r) => r.clueAssigned.id)).toEqual([toWj]);
      yb.stop();
      wj.stop();
    });

    it('reads each event afresh: a clue announced again shows its timeline as it is then', async () => {
      const yb = subscribe(
        await connect('yb-610302-investigator'),
        'subscription { clueAssigned { id timeline { event } } }',
      );
      await ready(yb, 'MEDICAL_INSURANCE', '610302');
      const clue = await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' });
      const id = toGlobalId('Clue', clue);
      const departmentId = await departmentOf('MEDICAL_INSURANCE', '610302');
      t.services.events.publish('clueAssigned', { clueId: clue, departmentId });
      await yb.next((r) => r.clueAssigned.id === id);
      await t.services.db.query(
        `INSERT INTO state_change (entity_type, entity_id, from_state, to_state, event)
         VALUES ('Clue', $1, 'ASSIGNED', 'ASSIGNED', 'DESIGNATE')`,
        [clue],
      );
      t.services.events.publish('clueAssigned', { clueId: clue, departmentId });
      await yb.next((r) => r.clueAssigned.id === id && r.clueAssigned.timeline.length > 0);
      expect(yb.received.map((r) => r.clueAssigned.timeline)).toEqual([[], [{ event: 'DESIGNATE' }]]);
      yb.stop();
    });

    it('through the real pipeline: registerClue → outbox → routing worker → subscriber', async () => {
      const yb = subscribe(await connect('yb-610302-leader'), CLUE_ASSIGNED);
      await ready(yb, 'MEDICAL_INSURANCE', '610302');
      const host = await startWorkers(t.services);
      try {
        const res = await t.gql(
          `mutation { registerClue(input: { title: "信访: 串换药品", source: PETITION, description: "举报", institutionCode: "H610302001", amountInvolved: "800.00" }) { id } }`,
          {},
          await token('yb-610302-investigator'),
        );
        expect(res.errors).toBeUndefined();
        const got = await yb.next((r) => r.clueAssigned.id === res.data.registerClue.id, 10_000);
        expect(got.clueAssigned.status).toBe('ASSIGNED');
      } finally {
        await host.close();
        yb.stop();
      }
    });

    it('a clue copied (抄送) to 纪委 reaches 纪委 too; a clue it may not see never does', async () => {
      const jw = subscribe(await connect('jw-610302-investigator'), CLUE_ASSIGNED);
      await ready(jw, 'DISCIPLINE', '610302');
      const copied = toGlobalId(
        'Clue',
        await routedClue(t.services, { model: 'BED_HANGING', amountInvolved: '150000.00' }),
      );
      expect((await jw.next((r) => r.clueAssigned.id === copied)).clueAssigned.owner.kind).toBe('PUBLIC_SECURITY');
      // A forged event naming 纪委 渭滨 for a clue of another city is filtered by visibility.
      const foreign = await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610402' });
      t.services.events.publish('clueAssigned', {
        clueId: foreign,
        departmentId: await departmentOf('DISCIPLINE', '610302'),
      });
      await sleep(300);
      expect(jw.received.map((r) => r.clueAssigned.id)).toEqual([copied]);
      jw.stop();
    });
  });

  describe('transferReceived', () => {
    it('reaches the receiver only; accepting announces the clue to the receiver', async () => {
      const ga = subscribe(await connect('ga-610302-investigator'), TRANSFER_RECEIVED);
      const gaClues = subscribe(await connect('ga-610302-leader'), CLUE_ASSIGNED);
      const wj = subscribe(await connect('wj-610302-investigator'), TRANSFER_RECEIVED);
      const yb = subscribe(await connect('yb-610302-investigator'), TRANSFER_RECEIVED);
      await ready(gaClues, 'PUBLIC_SECURITY', '610302');
      // The transfer feeds have no probe of their own: a first transfer to each warms them up.
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      await sleep(300);
      const res = await t.gql(
        `mutation($i: RequestTransferInput!) { requestTransfer(input: $i) { id } }`,
        {
          i: {
            clueId,
            toDepartmentId: toGlobalId('Department', await departmentOf('PUBLIC_SECURITY', '610302')),
            reason: '涉嫌犯罪',
          },
        },
        await token('yb-610302-investigator'),
      );
      expect(res.errors).toBeUndefined();
      const transferId = res.data.requestTransfer.id;
      const got = await ga.next((r) => r.transferReceived.id === transferId);
      expect(got.transferReceived).toMatchObject({
        status: 'PENDING',
        from: { kind: 'MEDICAL_INSURANCE' },
        to: { kind: 'PUBLIC_SECURITY' },
        clue: { id: clueId },
      });

      const accepted = await t.gql(
        `mutation($id: ID!) { acceptTransfer(transferId: $id) { status } }`,
        { id: transferId },
        await token('ga-610302-investigator'),
      );
      expect(accepted.errors).toBeUndefined();
      expect((await gaClues.next((r) => r.clueAssigned.id === clueId)).clueAssigned.owner.kind).toBe('PUBLIC_SECURITY');
      await sleep(300);
      expect(wj.received).toEqual([]);
      expect(yb.received).toEqual([]);
      expect(ga.received).toHaveLength(1);
      [ga, gaClues, wj, yb].forEach((f) => f.stop());
    });
  });

  describe('supervisionOverdue', () => {
    it('reaches the assigned department when the scheduled job marks the item overdue', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      const created = await t.gql(
        `mutation($i: CreateSupervisionInput!) { createSupervisionItem(input: $i) { id } }`,
        {
          i: {
            kind: 'LISTED_SUPERVISION',
            title: '挂牌督办: 超标准收费',
            clueId,
            assignedToDepartmentId: toGlobalId('Department', await departmentOf('MEDICAL_INSURANCE', '610302')),
            deadline: new Date(Date.now() + 86_400_000).toISOString(),
          },
        },
        await token('yb-610300-leader'),
      );
      expect(created.errors).toBeUndefined();
      const itemId = created.data.createSupervisionItem.id;

      const assigned = subscribe(await connect('yb-610302-supervisor'), SUPERVISION_OVERDUE);
      const other = subscribe(await connect('wj-610302-leader'), SUPERVISION_OVERDUE);
      const otherCity = subscribe(await connect('yb-610400-leader'), SUPERVISION_OVERDUE);
      await sleep(500);
      await t.services.db.query(`UPDATE supervision_item SET deadline = now() - interval '1 minute' WHERE id = $1`, [
        Buffer.from(itemId, 'base64url').toString().split(':')[1],
      ]);
      const marked = await markOverdueSupervision(t.services);
      expect(marked).toHaveLength(1);
      const got = await assigned.next((r) => r.supervisionOverdue.id === itemId);
      expect(got.supervisionOverdue).toMatchObject({
        status: 'OVERDUE',
        title: '挂牌督办: 超标准收费',
        assignedTo: { kind: 'MEDICAL_INSURANCE' },
      });
      await sleep(300);
      expect(other.received).toEqual([]);
      expect(otherCity.received).toEqual([]);
      [assigned, other, otherCity].forEach((f) => f.stop());
    });
  });

  describe('connection and validation', () => {
    const closeCode = async (client: Client) => {
      const feed = subscribe(client, CLUE_ASSIGNED);
      const error = (await within(feed.error)) as { code?: number } | string;
      return typeof error === 'string' ? error : error.code;
    };

    it('refuses a connection without a valid token (4403)', async () => {
      expect(await closeCode(await connect(null))).toBe(4403);
      expect(await closeCode(await connect(null, t.api, 'Bearer not-a-token'))).toBe(4403);
      expect(await closeCode(await connect(null, t.api, 'Basic eWI6eWI='))).toBe(4403);
    });

    it('applies the validation rules: an over-deep subscription is rejected', async () => {
      let selection = '{ id }';
      for (let i = 0; i < 8; i++) selection = `{ transfers { clue ${selection} } }`;
      const deep = subscribe(await connect('yb-610302-investigator'), `subscription { clueAssigned ${selection} }`);
      const error = (await within(deep.error)) as { message: string }[] | string;
      expect(Array.isArray(error)).toBe(true);
      expect((error as { message: string }[])[0].message).toMatch(/depth/i);
      const unknown = subscribe(await connect('yb-610302-investigator'), `subscription { clueAssigned { nope } }`);
      const error2 = (await within(unknown.error)) as { message: string }[] | string;
      expect(Array.isArray(error2)).toBe(true);
    });
  });

  describe('two API processes sharing Redis', () => {
    let services2: AppServices;
    let api2: ApiServer;

    beforeAll(async () => {
      services2 = await createServices(t.config);
      api2 = await startApiServer(services2, 0);
    });
    afterAll(async () => {
      await api2.stop();
      await services2.close();
    });

    it('an event published by one reaches a subscriber of the other', async () => {
      // Subscriber on API 2; the clue is routed (and the event published) by API 1's services.
      const yb = subscribe(await connect('yb-610302-investigator', api2), CLUE_ASSIGNED);
      await ready(yb, 'MEDICAL_INSURANCE', '610302', t.services);
      const clue = await newClue(t.services);
      await routeClue(t.services, clue.id);
      const got = await yb.next((r) => r.clueAssigned.id === toGlobalId('Clue', clue.id));
      expect(got.clueAssigned.status).toBe('ASSIGNED');

      // And the other way round.
      const wj = subscribe(await connect('wj-610302-investigator', t.api), CLUE_ASSIGNED);
      await ready(wj, 'HEALTH', '610302', services2);
      const other = await newClue(services2, { model: 'REPEAT_EXAM_IN_STAY' });
      await routeClue(services2, other.id);
      await wj.next((r) => r.clueAssigned.id === toGlobalId('Clue', other.id));
      yb.stop();
      wj.stop();
    });
  });
});
