/**
 * Events that keep the state are events of their machines (issue 9): extending a transfer's
 * feedback deadline, 指定管辖 of a clue, case or transfer, a progress report, the deadline
 * reminder and the transfer overdue flag are each listed, versioned, on the entity's timeline
 * and audited like any transition.
 */
import { toGlobalId } from '../../src/core/ids';
import { remindSupervisionDeadlines } from '../../src/domain/supervision/supervision.jobs';
import { markOverdueTransfers } from '../../src/domain/transfer/transfer.jobs';
import { startTestApi, TestApi } from '../support/harness';
import {
  departmentIdOf,
  insertCase,
  insertClue,
  insertSupervisionItem,
  insertTransfer,
  rowId,
  seedWorkflowFixtures,
  tokenSource,
} from '../support/workflow-fixtures';

const TRANSFER = `query($id: ID!) { node(id: $id) { ... on ClueTransfer {
  status version overdue feedbackDeadline allowedEvents timeline { event from to note actor { username } } } } }`;
const EXTEND = `mutation($id: ID!, $m: Int!, $r: String!, $v: Int) {
  extendTransferFeedback(transferId: $id, months: $m, reason: $r, expectedVersion: $v) { id feedbackDeadline } }`;
const CREATE = `mutation($i: CreateSupervisionInput!) { createSupervisionItem(input: $i) { id } }`;
const ITEM = `query($id: ID!) { node(id: $id) { ... on SupervisionItem {
  status version allowedEvents progress { note } timeline { event from to note } } } }`;

const MI = { kind: 'MEDICAL_INSURANCE', region: '610302' };
const HEALTH = { kind: 'HEALTH', region: '610302' };

describe('events that keep the state go through their machines', () => {
  let t: TestApi;
  let token: (username: string) => Promise<string>;
  const gql = async (username: string, query: string, variables: Record<string, unknown> = {}) =>
    t.gql(query, variables, await token(username));
  const code = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
  const dept = async (d: { kind: string; region: string }) =>
    toGlobalId('Department', await departmentIdOf(t.services, d.kind, d.region));
  const audited = async (action: string, targetId: string) =>
    (
      await t.services.db.query('SELECT count(*)::int AS n FROM audit_log WHERE action = $1 AND target_id = $2', [
        action,
        targetId,
      ])
    )[0].n;
  const transfer = async (status: 'PENDING' | 'ACCEPTED') => {
    const clue = await insertClue(t.services, { ownerKind: MI.kind, ownerRegion: MI.region });
    return toGlobalId('ClueTransfer', await insertTransfer(t.services, clue, MI, HEALTH, status));
  };

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    token = tokenSource(t.services);
  });
  afterAll(() => t.close());

  describe('EXTEND_FEEDBACK (延长反馈期限) of the transfer machine', () => {
    it('is offered to the receiver of an accepted transfer only', async () => {
      const id = await transfer('ACCEPTED');
      const receiver = (await gql('wj-610302-investigator', TRANSFER, { id })).data.node;
      expect(receiver.allowedEvents.sort()).toEqual(['EXTEND_FEEDBACK', 'GIVE_FEEDBACK']);
      expect((await gql('yb-610302-investigator', TRANSFER, { id })).data.node.allowedEvents).toEqual([]);
      const pending = await transfer('PENDING');
      expect((await gql('wj-610302-investigator', TRANSFER, { id: pending })).data.node.allowedEvents.sort()).toEqual([
        'ACCEPT',
        'RETURN',
      ]);
      const early = await gql('wj-610302-investigator', EXTEND, { id: pending, m: 3, r: '案情复杂' });
      expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'PENDING' });
    });

    it('is versioned: a stale expectedVersion is a VERSION_CONFLICT; it is on the timeline and audited', async () => {
      const id = await transfer('ACCEPTED');
      const before = (await gql('wj-610302-investigator', TRANSFER, { id })).data.node;
      expect(
        code(await gql('wj-610302-investigator', EXTEND, { id, m: 3, r: '案情复杂', v: before.version + 1 })),
      ).toBe('VERSION_CONFLICT');

      const res = await gql('wj-610302-investigator', EXTEND, { id, m: 3, r: '案情复杂', v: before.version });
      expect(res.errors).toBeUndefined();
      const after = (await gql('wj-610302-investigator', TRANSFER, { id })).data.node;
      expect(after).toMatchObject({ status: 'ACCEPTED', version: before.version + 1 });
      expect(after.timeline.filter((e: { event: string }) => e.event === 'EXTEND_FEEDBACK')).toEqual([
        {
          event: 'EXTEND_FEEDBACK',
          from: 'ACCEPTED',
          to: 'ACCEPTED',
          note: '案情复杂',
          actor: { username: 'wj-610302-investigator' },
        },
      ]);
      expect(await audited('ClueTransfer.EXTEND_FEEDBACK', id)).toBe(1);

      // The version read before the extension is stale now.
      expect(code(await gql('wj-610302-investigator', EXTEND, { id, m: 6, r: '需鉴定', v: before.version }))).toBe(
        'VERSION_CONFLICT',
      );
      expect(code(await gql('wj-610302-investigator', EXTEND, { id, m: 6, r: '需鉴定', v: after.version }))).toBe(
        undefined,
      );
    });
  });

  it('a requested transfer’s timeline starts with its creation (REQUEST)', async () => {
    const clue = toGlobalId('Clue', await insertClue(t.services, { ownerKind: MI.kind, ownerRegion: MI.region }));
    const res = await gql(
      'yb-610302-investigator',
      'mutation($i: RequestTransferInput!) { requestTransfer(input: $i) { id } }',
      { i: { clueId: clue, toDepartmentId: await dept(HEALTH), reason: '涉及医疗行为' } },
    );
    expect(res.errors).toBeUndefined();
    const node = (await gql('wj-610302-investigator', TRANSFER, { id: res.data.requestTransfer.id })).data.node;
    expect(node.timeline).toEqual([
      {
        event: 'REQUEST',
        from: null,
        to: 'PENDING',
        note: '涉及医疗行为',
        actor: { username: 'yb-610302-investigator' },
      },
    ]);
  });

  it('OVERDUE of a transfer is a SYSTEM event: versioned and audited', async () => {
    const id = await transfer('PENDING');
    await t.services.db.query(`UPDATE clue_transfer SET accept_deadline = now() - interval '1 minute' WHERE id = $1`, [
      rowId(id),
    ]);
    const before = (await gql('yb-610302-leader', TRANSFER, { id })).data.node;
    expect(await markOverdueTransfers(t.services)).toContain(rowId(id));
    const after = (await gql('yb-610302-leader', TRANSFER, { id })).data.node;
    expect(after).toMatchObject({ status: 'PENDING', overdue: true, version: before.version + 1 });
    const [audit] = await t.services.db.query(
      `SELECT detail FROM audit_log WHERE action = 'ClueTransfer.OVERDUE' AND detail->'ids' ? $1`,
      [id],
    );
    expect(audit).toBeDefined();
  });

  describe('DESIGNATED_JURISDICTION (指定管辖) of the target’s machine', () => {
    const designate = (leader: string, target: Record<string, string>, to: string) =>
      gql(leader, CREATE, {
        i: {
          kind: 'DESIGNATED_JURISDICTION',
          title: '指定管辖',
          assignedToDepartmentId: to,
          deadline: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          ...target,
        },
      });

    it('moves a case: versioned, on the case’s timeline, audited; a reading leader is FORBIDDEN', async () => {
      const id = toGlobalId(
        'Case',
        await insertCase(t.services, { ownerKind: MI.kind, ownerRegion: MI.region, status: 'INVESTIGATING' }),
      );
      const CASE = `query($id: ID!) { case(id: $id) { status version owner { id } timeline { event from to } } }`;
      const before = (await gql('yb-610300-leader', CASE, { id })).data.case;

      expect(
        code(await designate('jw-610300-leader', { caseId: id }, await dept({ kind: 'DISCIPLINE', region: '610303' }))),
      ).toBe('FORBIDDEN');
      const to = await dept({ kind: 'MEDICAL_INSURANCE', region: '610303' });
      const res = await designate('yb-610300-leader', { caseId: id }, to);
      expect(res.errors).toBeUndefined();
      const after = (await gql('yb-610300-leader', CASE, { id })).data.case;
      expect(after).toMatchObject({ status: 'INVESTIGATING', version: before.version + 1, owner: { id: to } });
      expect(after.timeline).toEqual([
        { event: 'DESIGNATED_JURISDICTION', from: 'INVESTIGATING', to: 'INVESTIGATING' },
      ]);
      expect(await audited('Case.DESIGNATED_JURISDICTION', id)).toBe(1);
    });

    it('moves a pending transfer to another receiver, on the transfer’s timeline; not an accepted one', async () => {
      const id = await transfer('PENDING');
      const to = await dept({ kind: 'HEALTH', region: '610303' });
      const before = (await gql('yb-610302-leader', TRANSFER, { id })).data.node;
      expect((await designate('yb-610300-leader', { transferId: id }, to)).errors).toBeUndefined();
      const after = (await gql('yb-610302-leader', TRANSFER, { id })).data.node;
      expect(after).toMatchObject({ status: 'PENDING', version: before.version + 1 });
      expect(after.timeline).toEqual([
        {
          event: 'DESIGNATED_JURISDICTION',
          from: 'PENDING',
          to: 'PENDING',
          note: null,
          actor: { username: 'yb-610300-leader' },
        },
      ]);

      // The sender's leader still sees an accepted transfer (the city's no longer does: the clue moved).
      const accepted = await transfer('ACCEPTED');
      const refused = await designate('yb-610302-leader', { transferId: accepted }, to);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'ACCEPTED' });
    });
  });

  describe('REPORT_PROGRESS (督办进展) and REMIND of the supervision machine', () => {
    const item = async (deadlineSoon = false) => {
      const clue = await insertClue(t.services, { ownerKind: MI.kind, ownerRegion: MI.region });
      const id = await insertSupervisionItem(t.services, {
        creator: { kind: 'MEDICAL_INSURANCE', region: '610300' },
        assignee: MI,
        clueId: clue,
      });
      if (deadlineSoon) {
        await t.services.db.query(`UPDATE supervision_item SET deadline = now() + interval '1 hour' WHERE id = $1`, [
          id,
        ]);
      }
      return toGlobalId('SupervisionItem', id);
    };

    it('a report is an event that keeps the state: listed, versioned, on the timeline with its note', async () => {
      const id = await item();
      const before = (await gql('yb-610302-investigator', ITEM, { id })).data.node;
      expect(before.allowedEvents).toEqual(['REPORT_PROGRESS']);
      const res = await gql(
        'yb-610302-investigator',
        'mutation($id: ID!, $n: String!) { reportSupervisionProgress(id: $id, note: $n) { version } }',
        { id, n: '已约谈医院负责人' },
      );
      expect(res.errors).toBeUndefined();
      const after = (await gql('yb-610302-investigator', ITEM, { id })).data.node;
      expect(after).toMatchObject({
        status: 'OPEN',
        version: before.version + 1,
        progress: [{ note: '已约谈医院负责人' }],
      });
      expect(after.timeline).toEqual([
        { event: 'REPORT_PROGRESS', from: 'OPEN', to: 'OPEN', note: '已约谈医院负责人' },
      ]);
      expect(await audited('SupervisionItem.REPORT_PROGRESS', id)).toBe(1);
    });

    it('a deadline reminder is a SYSTEM event that keeps the state, once', async () => {
      const id = await item(true);
      const before = (await gql('yb-610302-investigator', ITEM, { id })).data.node;
      expect(await remindSupervisionDeadlines(t.services)).toContain(rowId(id));
      expect(await remindSupervisionDeadlines(t.services)).not.toContain(rowId(id));
      const after = (await gql('yb-610302-investigator', ITEM, { id })).data.node;
      expect(after).toMatchObject({ status: 'OPEN', version: before.version + 1 });
      expect(after.timeline).toEqual([{ event: 'REMIND', from: 'OPEN', to: 'OPEN', note: null }]);
    });
  });
});
