/**
 * 线索移送 (PRODUCT.md §5 "Transfer"): request, accept, return, feedback and its extension,
 * deadlines in working days (Asia/Shanghai, calendar exceptions), who may do what, transfers
 * in every direction between the four agencies, and the overdue sweep.
 */
import { markOverdueTransfers } from '../../src/domain/transfer/transfer.jobs';
import { addMonths, addWorkingDays } from '../../src/domain/reference/working-days';
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, insertClue, routedClue, rowId, seedWorkflowFixtures } from '../support/workflow-fixtures';
import { AsUser, asUsers, code, data } from '../support/client';

const TRANSFER_FIELDS = `id status reason returnReason feedback feedbackAt overdue requestedAt acceptDeadline feedbackDeadline respondedAt
  from { id kind } to { id kind } requestedBy { username }
  clue { id status version owner { id kind } allowedEvents timeline { event from to note actor { username } } }`;
const REQUEST = `mutation($i: RequestTransferInput!) { requestTransfer(input: $i) { ${TRANSFER_FIELDS} } }`;
const ACCEPT = `mutation($id: ID!) { acceptTransfer(transferId: $id) { ${TRANSFER_FIELDS} } }`;
const RETURN = `mutation($id: ID!, $r: String!) { returnTransfer(transferId: $id, reason: $r) { ${TRANSFER_FIELDS} } }`;
const FEEDBACK = `mutation($id: ID!, $f: String!) { submitTransferFeedback(transferId: $id, feedback: $f) { ${TRANSFER_FIELDS} } }`;
const EXTEND = `mutation($id: ID!, $m: Int!, $r: String!) { extendTransferFeedback(transferId: $id, months: $m, reason: $r) { id feedbackDeadline } }`;
const LIST = `query($f: TransferFilter) { transfers(filter: $f, first: 100) { totalCount edges { node { id status overdue } } } }`;
const NODE = `query($id: ID!) { node(id: $id) { ... on ClueTransfer { ${TRANSFER_FIELDS} timeline { event from to detail } } } }`;
const START = `mutation($id: ID!) { startVerification(clueId: $id) { status version } }`;

type Kind = 'MEDICAL_INSURANCE' | 'HEALTH' | 'PUBLIC_SECURITY' | 'DISCIPLINE';
const PREFIX: Record<Kind, string> = { MEDICAL_INSURANCE: 'yb', HEALTH: 'wj', PUBLIC_SECURITY: 'ga', DISCIPLINE: 'jw' };
const user = (kind: Kind, region: string, role = 'investigator') => `${PREFIX[kind]}-${region}-${role}`;

describe('clue transfers (线索移送)', () => {
  let t: TestApi;
  let gql: AsUser;
  const dept = async (kind: Kind, region = '610302') =>
    toGlobalId('Department', await departmentIdOf(t.services, kind, region));

  /** Requests a transfer as `username` and returns the created transfer (or fails the test). */
  const request = async (
    username: string,
    clueId: string,
    to: Kind,
    region = '610302',
    reason = '涉嫌犯罪, 依法移送',
  ) => {
    const res = await gql(username, REQUEST, { i: { clueId, toDepartmentId: await dept(to, region), reason } });
    expect(res.errors).toBeUndefined();
    return res.data.requestTransfer;
  };

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
  });
  afterAll(() => t.close());

  describe('working-day deadlines (Asia/Shanghai)', () => {
    const at = (iso: string) => new Date(iso);
    const days = (from: string, n: number) => addWorkingDays(t.services.db, at(from), n).then((d) => d.toISOString());
    const endOf = (date: string) => new Date(`${date}T23:59:59.999+08:00`).toISOString();

    afterEach(() =>
      t.services.db.query(`DELETE FROM calendar_exception WHERE day BETWEEN '2025-06-01' AND '2025-06-30'`),
    );

    it('counts Monday–Friday from the next day and ends at 23:59:59.999 +08:00', async () => {
      // Friday 2025-06-06: 3 working days (police) end on Wednesday, 5 on Friday.
      expect(await days('2025-06-06T10:00:00+08:00', 3)).toBe(endOf('2025-06-11'));
      expect(await days('2025-06-06T10:00:00+08:00', 5)).toBe(endOf('2025-06-13'));
      // Saturday and Sunday requests count from Monday.
      expect(await days('2025-06-07T10:00:00+08:00', 1)).toBe(endOf('2025-06-09'));
      expect(await days('2025-06-08T23:00:00+08:00', 1)).toBe(endOf('2025-06-09'));
    });

    it('uses the Shanghai calendar day, not the UTC one', async () => {
      // 2025-06-06 00:30 in Shanghai is still Thursday in UTC: it is a Friday request.
      expect(await days('2025-06-06T00:30:00+08:00', 1)).toBe(endOf('2025-06-09'));
      // 2025-06-05 23:30 in Shanghai is Thursday: the next working day is Friday.
      expect(await days('2025-06-05T23:30:00+08:00', 1)).toBe(endOf('2025-06-06'));
    });

    it('skips public holidays and counts 调休 working weekends', async () => {
      await t.services.db.query(
        `INSERT INTO calendar_exception (day, is_working_day, note) VALUES ('2025-06-09', false, '假日')`,
      );
      expect(await days('2025-06-06T10:00:00+08:00', 3)).toBe(endOf('2025-06-12'));
      await t.services.db.query(
        `INSERT INTO calendar_exception (day, is_working_day, note) VALUES ('2025-06-07', true, '调休上班')`,
      );
      // Saturday (调休) counts, Monday (holiday) does not: Sat, Tue, Wed.
      expect(await days('2025-06-06T10:00:00+08:00', 3)).toBe(endOf('2025-06-11'));
      expect(await days('2025-06-06T10:00:00+08:00', 1)).toBe(endOf('2025-06-07'));
    });

    it('adds calendar months for feedback extensions, clamped to the month’s last day', () => {
      expect(addMonths(at('2025-01-31T10:00:00+08:00'), 1).toISOString()).toBe(endOf('2025-02-28'));
      expect(addMonths(at('2025-08-31T20:00:00Z'), 3).toISOString()).toBe(endOf('2025-12-01'));
    });
  });

  describe('from 医保 to 公安 and back', () => {
    /**
     * A fresh clue routed to 医保 渭滨区 and transferred to 公安 渭滨区, taken through the API up
     * to `state`: requested (PENDING), accepted by the police (ACCEPTED), then answered (FEEDBACK_GIVEN).
     */
    const transferToPolice = async (state: 'PENDING' | 'ACCEPTED' | 'FEEDBACK_GIVEN') => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      const transferId = (await request('yb-610302-investigator', clueId, 'PUBLIC_SECURITY')).id;
      if (state !== 'PENDING') data(await gql('ga-610302-investigator', ACCEPT, { id: transferId }));
      if (state === 'FEEDBACK_GIVEN') {
        data(await gql('ga-610302-investigator', FEEDBACK, { id: transferId, f: '已立案侦查' }));
      }
      return { clueId, transferId };
    };

    it('request: the clue is TRANSFER_PENDING, the accept deadline is 3 working days for the police', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      const transfer = await request('yb-610302-investigator', clueId, 'PUBLIC_SECURITY');
      expect(transfer).toMatchObject({
        status: 'PENDING',
        reason: '涉嫌犯罪, 依法移送',
        overdue: false,
        feedbackDeadline: null,
        from: { kind: 'MEDICAL_INSURANCE' },
        to: { kind: 'PUBLIC_SECURITY' },
        requestedBy: { username: 'yb-610302-investigator' },
        clue: { status: 'TRANSFER_PENDING', version: 3, owner: { kind: 'MEDICAL_INSURANCE' }, allowedEvents: [] },
      });
      const expected = await addWorkingDays(t.services.db, new Date(transfer.requestedAt), 3);
      expect(transfer.acceptDeadline).toBe(expected.toISOString());
      expect(transfer.clue.timeline.at(-1)).toEqual({
        event: 'REQUEST_TRANSFER',
        from: 'ASSIGNED',
        to: 'TRANSFER_PENDING',
        note: '涉嫌犯罪, 依法移送',
        actor: { username: 'yb-610302-investigator' },
      });
    });

    it('the receiver sees it as INCOMING, the sender as OUTGOING', async () => {
      // In 金台区 (610303), where no other test of this file transfers between 医保 and 公安: the lists hold this one only.
      const clueId = toGlobalId(
        'Clue',
        await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610303' }),
      );
      const transferId = (await request('yb-610303-investigator', clueId, 'PUBLIC_SECURITY', '610303')).id;
      const incoming = await gql('ga-610303-investigator', LIST, { f: { direction: 'INCOMING' } });
      expect(incoming.data.transfers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([transferId]);
      expect(
        (await gql('ga-610303-investigator', LIST, { f: { direction: 'OUTGOING' } })).data.transfers.totalCount,
      ).toBe(0);
      const outgoing = await gql('yb-610303-leader', LIST, { f: { direction: 'OUTGOING', status: ['PENDING'] } });
      expect(outgoing.data.transfers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([transferId]);
      expect((await gql('yb-610303-leader', LIST, { f: { direction: 'INCOMING' } })).data.transfers.totalCount).toBe(0);
      // The receiver reads the clue while it is pending; the clue's receiver events are on the transfer.
      const clue = await gql('ga-610303-investigator', `query($id: ID!) { clue(id: $id) { status allowedEvents } }`, {
        id: clueId,
      });
      expect(clue.data.clue.status).toBe('TRANSFER_PENDING');
    });

    it('a second pending transfer of the same clue is refused', async () => {
      const { clueId } = await transferToPolice('PENDING');
      const res = await gql('yb-610302-investigator', REQUEST, {
        i: { clueId, toDepartmentId: await dept('HEALTH'), reason: '再次移送' },
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'INVALID_TRANSITION',
        currentState: 'TRANSFER_PENDING',
      });
      const [{ n }] = await t.services.db.query(`SELECT count(*)::int AS n FROM clue_transfer WHERE clue_id = $1`, [
        rowId(clueId),
      ]);
      expect(n).toBe(1);
    });

    it('only the receiver’s case workers accept or return: sender FORBIDDEN, third department NOT_FOUND', async () => {
      const { transferId } = await transferToPolice('PENDING');
      for (const [who, expected] of [
        ['yb-610302-investigator', 'FORBIDDEN'],
        ['yb-610302-leader', 'FORBIDDEN'],
        ['ga-610302-analyst', 'FORBIDDEN'],
        ['jw-610302-leader', 'FORBIDDEN'], // 纪委 reads everything in its county, changes nothing
        ['wj-610303-investigator', 'NOT_FOUND'],
        ['ga-610303-investigator', 'NOT_FOUND'],
        ['yb-610302-admin', 'NOT_FOUND'],
      ] as const) {
        expect({ who, accept: code(await gql(who, ACCEPT, { id: transferId })) }).toEqual({ who, accept: expected });
        expect({ who, ret: code(await gql(who, RETURN, { id: transferId, r: '不属本单位管辖' })) }).toEqual({
          who,
          ret: expected,
        });
      }
      const still = await gql('ga-610302-investigator', NODE, { id: transferId });
      expect(still.data.node).toMatchObject({ status: 'PENDING', clue: { status: 'TRANSFER_PENDING' } });
    });

    it('accept: the receiver owns the clue (ASSIGNED) and has 30 working days for feedback', async () => {
      const { clueId, transferId } = await transferToPolice('PENDING');
      const res = await gql('ga-610302-investigator', ACCEPT, { id: transferId });
      expect(res.errors).toBeUndefined();
      const accepted = res.data.acceptTransfer;
      expect(accepted).toMatchObject({
        status: 'ACCEPTED',
        clue: { status: 'ASSIGNED', owner: { kind: 'PUBLIC_SECURITY' } },
      });
      expect(accepted.clue.allowedEvents.sort()).toEqual(['REQUEST_TRANSFER', 'START_VERIFICATION']);
      expect(accepted.feedbackDeadline).toBe(
        (await addWorkingDays(t.services.db, new Date(accepted.respondedAt), 30)).toISOString(),
      );
      expect(accepted.clue.timeline.at(-1)).toMatchObject({
        event: 'TRANSFER_ACCEPTED',
        from: 'TRANSFER_PENDING',
        to: 'ASSIGNED',
        actor: { username: 'ga-610302-investigator' },
      });
      // The sender still reads it, read-only.
      const sender = await gql('yb-610302-investigator', `query($id: ID!) { clue(id: $id) { status allowedEvents } }`, {
        id: clueId,
      });
      expect(sender.data.clue).toEqual({ status: 'ASSIGNED', allowedEvents: [] });
      expect(code(await gql('yb-610302-investigator', START, { id: clueId }))).toBe('FORBIDDEN');
      expect(code(await gql('ga-610302-investigator', ACCEPT, { id: transferId }))).toBe('INVALID_TRANSITION');
      expect(code(await gql('ga-610302-investigator', RETURN, { id: transferId, r: '晚了' }))).toBe(
        'INVALID_TRANSITION',
      );
    });

    it('feedback: by the receiver only, once', async () => {
      const { transferId } = await transferToPolice('ACCEPTED');
      expect(code(await gql('yb-610302-investigator', FEEDBACK, { id: transferId, f: '已立案' }))).toBe('FORBIDDEN');
      expect(code(await gql('ga-610302-investigator', FEEDBACK, { id: transferId, f: '' }))).toBe('BAD_USER_INPUT');
      const res = await gql('ga-610302-investigator', FEEDBACK, { id: transferId, f: '已立案侦查' });
      expect(res.errors).toBeUndefined();
      expect(res.data.submitTransferFeedback).toMatchObject({ status: 'FEEDBACK_GIVEN', feedback: '已立案侦查' });
      expect(res.data.submitTransferFeedback.feedbackAt).toBeTruthy();
      expect(code(await gql('ga-610302-investigator', FEEDBACK, { id: transferId, f: '再次反馈' }))).toBe(
        'INVALID_TRANSITION',
      );
      // The sender reads the feedback.
      const seen = await gql('yb-610302-leader', NODE, { id: transferId });
      expect(seen.data.node).toMatchObject({ status: 'FEEDBACK_GIVEN', feedback: '已立案侦查' });
    });

    it('公安 → 医保 back (双向移送): 5 working days, and the original owner owns it again', async () => {
      const { clueId, transferId } = await transferToPolice('FEEDBACK_GIVEN');
      const back = await request(
        'ga-610302-investigator',
        clueId,
        'MEDICAL_INSURANCE',
        '610302',
        '不构成犯罪, 退回行政处理',
      );
      expect(back.acceptDeadline).toBe(
        (await addWorkingDays(t.services.db, new Date(back.requestedAt), 5)).toISOString(),
      );
      const res = await gql('yb-610302-supervisor', ACCEPT, { id: back.id });
      expect(res.data.acceptTransfer.clue.owner.kind).toBe('MEDICAL_INSURANCE');
      const events = res.data.acceptTransfer.clue.timeline.map((e: { event: string }) => e.event);
      expect(events).toEqual([
        'REGISTER',
        'ROUTE',
        'REQUEST_TRANSFER',
        'TRANSFER_ACCEPTED',
        'REQUEST_TRANSFER',
        'TRANSFER_ACCEPTED',
      ]);
      const audit = await t.services.db.query(`SELECT action FROM audit_log WHERE target_id = ANY($1) ORDER BY id`, [
        [transferId, back.id],
      ]);
      expect(audit.map((a: { action: string }) => a.action)).toEqual(
        expect.arrayContaining([
          'mutation.requestTransfer',
          'mutation.acceptTransfer',
          'ClueTransfer.ACCEPT',
          'ClueTransfer.GIVE_FEEDBACK',
          'mutation.submitTransferFeedback',
        ]),
      );
    });
  });

  describe('return (退回)', () => {
    it('from a VERIFYING clue: back to VERIFYING, owner unchanged, reason stored', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      expect((await gql('yb-610302-investigator', START, { id: clueId })).data.startVerification.status).toBe(
        'VERIFYING',
      );
      const transfer = await request('yb-610302-investigator', clueId, 'HEALTH', '610302', '属诊疗行为问题');
      expect(transfer.acceptDeadline).toBe(
        (await addWorkingDays(t.services.db, new Date(transfer.requestedAt), 5)).toISOString(),
      );
      expect(code(await gql('wj-610302-investigator', RETURN, { id: transfer.id, r: ' ' }))).toBe('BAD_USER_INPUT');
      const res = await gql('wj-610302-investigator', RETURN, { id: transfer.id, r: '不属卫健职责' });
      expect(res.errors).toBeUndefined();
      const returned = res.data.returnTransfer;
      expect(returned).toMatchObject({
        status: 'RETURNED',
        returnReason: '不属卫健职责',
        feedbackDeadline: null,
        clue: { status: 'VERIFYING', owner: { kind: 'MEDICAL_INSURANCE' } },
      });
      expect(returned.respondedAt).toBeTruthy();
      expect(returned.clue.timeline.slice(-2)).toEqual([
        {
          event: 'REQUEST_TRANSFER',
          from: 'VERIFYING',
          to: 'TRANSFER_PENDING',
          note: '属诊疗行为问题',
          actor: { username: 'yb-610302-investigator' },
        },
        {
          event: 'TRANSFER_RETURNED',
          from: 'TRANSFER_PENDING',
          to: 'VERIFYING',
          note: '不属卫健职责',
          actor: { username: 'wj-610302-investigator' },
        },
      ]);
      // The owner carries on where it was; the returned transfer cannot be accepted any more.
      const owner = await gql('yb-610302-investigator', `query($id: ID!) { clue(id: $id) { allowedEvents } }`, {
        id: clueId,
      });
      expect(owner.data.clue.allowedEvents.sort()).toEqual([
        'CONCLUDE_SUBSTANTIATED',
        'CONCLUDE_UNSUBSTANTIATED',
        'REQUEST_TRANSFER',
      ]);
      expect(code(await gql('wj-610302-investigator', ACCEPT, { id: transfer.id }))).toBe('INVALID_TRANSITION');
      // The department it was returned by still sees the transfer it received.
      expect(
        (await gql('wj-610302-investigator', LIST, { f: { direction: 'INCOMING', status: ['RETURNED'] } })).data
          .transfers.totalCount,
      ).toBe(1);
    });

    it('from a SUBSTANTIATED clue: back to SUBSTANTIATED', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      await gql('yb-610302-investigator', START, { id: clueId });
      await gql(
        'yb-610302-investigator',
        `mutation($id: ID!) { concludeVerification(clueId: $id, substantiated: true, findings: "属实") { status } }`,
        { id: clueId },
      );
      const transfer = await request('yb-610302-leader', clueId, 'DISCIPLINE', '610302', '涉及公职人员');
      const res = await gql('jw-610302-leader', RETURN, { id: transfer.id, r: '未发现公职人员问题' });
      expect(res.data.returnTransfer.clue).toMatchObject({
        status: 'SUBSTANTIATED',
        owner: { kind: 'MEDICAL_INSURANCE' },
      });
    });
  });

  describe('feedback deadline extension', () => {
    const accepted = async () => {
      const clueId = toGlobalId(
        'Clue',
        await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' }),
      );
      const transfer = await request('yb-610302-investigator', clueId, 'HEALTH');
      const res = await gql('wj-610302-investigator', ACCEPT, { id: transfer.id });
      expect(res.errors).toBeUndefined();
      return res.data.acceptTransfer;
    };

    it('to 3 months first, then up to 6, never beyond', async () => {
      const transfer = await accepted();
      const requestedAt = new Date(transfer.requestedAt);
      expect(code(await gql('yb-610302-investigator', EXTEND, { id: transfer.id, m: 3, r: '案情复杂' }))).toBe(
        'FORBIDDEN',
      );
      expect(code(await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 3, r: ' ' }))).toBe(
        'BAD_USER_INPUT',
      );
      const three = await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 3, r: '案情复杂' });
      expect(three.errors).toBeUndefined();
      expect(three.data.extendTransferFeedback.feedbackDeadline).toBe(addMonths(requestedAt, 3).toISOString());
      const six = await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 6, r: '需鉴定' });
      expect(six.errors).toBeUndefined();
      expect(six.data.extendTransferFeedback.feedbackDeadline).toBe(addMonths(requestedAt, 6).toISOString());
      expect(code(await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 7, r: '仍需时间' }))).toBe(
        'BAD_USER_INPUT',
      );
      const timeline = (await gql('wj-610302-investigator', NODE, { id: transfer.id })).data.node.timeline;
      expect(timeline.filter((e: { event: string }) => e.event === 'EXTEND_FEEDBACK')).toHaveLength(2);
    });

    it('4 months as a first extension is BAD_USER_INPUT', async () => {
      const transfer = await accepted();
      const res = await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 4, r: '案情复杂' });
      expect(code(res)).toBe('BAD_USER_INPUT');
      const after = await gql('wj-610302-investigator', NODE, { id: transfer.id });
      expect(after.data.node.feedbackDeadline).toBe(transfer.feedbackDeadline);
    });

    it('an extension never shortens the deadline', async () => {
      const transfer = await accepted();
      // 30 working days are about six weeks: one month after the request would be earlier.
      const res = await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 1, r: '延期' });
      expect(code(res)).toBe('BAD_USER_INPUT');
      const after = await gql('wj-610302-investigator', NODE, { id: transfer.id });
      expect(after.data.node.feedbackDeadline).toBe(transfer.feedbackDeadline);
    });

    it('only an accepted transfer can be extended', async () => {
      const clueId = toGlobalId(
        'Clue',
        await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' }),
      );
      const transfer = await request('yb-610302-investigator', clueId, 'HEALTH');
      expect(code(await gql('wj-610302-investigator', EXTEND, { id: transfer.id, m: 3, r: '案情复杂' }))).toBe(
        'INVALID_TRANSITION',
      );
    });
  });

  describe('every direction between the four agencies', () => {
    const KINDS: Kind[] = ['MEDICAL_INSURANCE', 'HEALTH', 'PUBLIC_SECURITY', 'DISCIPLINE'];
    const pairs = KINDS.flatMap((from) => KINDS.filter((to) => to !== from).map((to) => [from, to] as const));

    it.each(pairs)('%s → %s: requested, accepted, owned by the receiver', async (from, to) => {
      const clueId = toGlobalId('Clue', await insertClue(t.services, { ownerKind: from, ownerRegion: '610302' }));
      const transfer = await request(user(from, '610302'), clueId, to);
      const days = to === 'PUBLIC_SECURITY' ? 3 : 5;
      expect(transfer.acceptDeadline).toBe(
        (await addWorkingDays(t.services.db, new Date(transfer.requestedAt), days)).toISOString(),
      );
      const incoming = await gql(user(to, '610302', 'leader'), LIST, {
        f: { direction: 'INCOMING', status: ['PENDING'] },
      });
      expect(incoming.data.transfers.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(transfer.id);
      const res = await gql(user(to, '610302', 'leader'), ACCEPT, { id: transfer.id });
      expect(res.errors).toBeUndefined();
      expect(res.data.acceptTransfer).toMatchObject({
        status: 'ACCEPTED',
        from: { kind: from },
        to: { kind: to },
        clue: { status: 'ASSIGNED', owner: { kind: to } },
      });
    });

    it('across regions: 纪委 of the county → 卫健 of the city', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services, { subjectPersonIds: ['P1'] }));
      const transfer = await request('jw-610302-investigator', clueId, 'HEALTH', '610300', '医疗行为问题');
      expect(transfer.to.kind).toBe('HEALTH');
      const res = await gql('wj-610300-investigator', ACCEPT, { id: transfer.id });
      expect(res.data.acceptTransfer.clue.owner).toEqual({ id: await dept('HEALTH', '610300'), kind: 'HEALTH' });
    });

    it('deadlines are per-region settings of the receiver', async () => {
      await t.services.db.query(
        `INSERT INTO region_setting VALUES ('610303', 'acceptWorkingDays', '7'), ('6103', 'acceptWorkingDaysPolice', '2')`,
      );
      try {
        const a = toGlobalId(
          'Clue',
          await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' }),
        );
        const toHealth = await request('yb-610302-investigator', a, 'HEALTH', '610303');
        expect(toHealth.acceptDeadline).toBe(
          (await addWorkingDays(t.services.db, new Date(toHealth.requestedAt), 7)).toISOString(),
        );
        const b = toGlobalId(
          'Clue',
          await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302' }),
        );
        const toPolice = await request('yb-610302-investigator', b, 'PUBLIC_SECURITY', '610302');
        expect(toPolice.acceptDeadline).toBe(
          (await addWorkingDays(t.services.db, new Date(toPolice.requestedAt), 2)).toISOString(),
        );
      } finally {
        await t.services.db.query(`DELETE FROM region_setting WHERE region_prefix IN ('610303', '6103')`);
      }
    });

    it('a stale expectedVersion is VERSION_CONFLICT and creates no transfer', async () => {
      const clueId = toGlobalId('Clue', await insertClue(t.services, { ownerKind: 'HEALTH', ownerRegion: '610302' }));
      const res = await gql('wj-610302-investigator', REQUEST, {
        i: { clueId, toDepartmentId: await dept('MEDICAL_INSURANCE'), reason: '移送', expectedVersion: 7 },
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 1 });
      const [{ n }] = await t.services.db.query(`SELECT count(*)::int AS n FROM clue_transfer WHERE clue_id = $1`, [
        rowId(clueId),
      ]);
      expect(n).toBe(0);
    });

    it('refuses a transfer to the clue’s own owner and to an unknown department', async () => {
      const clueId = toGlobalId('Clue', await insertClue(t.services, { ownerKind: 'HEALTH', ownerRegion: '610302' }));
      const own = await gql('wj-610302-investigator', REQUEST, {
        i: { clueId, toDepartmentId: await dept('HEALTH'), reason: 'x' },
      });
      expect(code(own)).toBe('BAD_USER_INPUT');
      const unknown = await gql('wj-610302-investigator', REQUEST, {
        i: { clueId, toDepartmentId: toGlobalId('Department', '00000000-0000-0000-0000-000000000000'), reason: 'x' },
      });
      expect(code(unknown)).toBe('BAD_USER_INPUT');
      const noReason = await gql('wj-610302-investigator', REQUEST, {
        i: { clueId, toDepartmentId: await dept('HEALTH', '610303'), reason: ' ' },
      });
      expect(code(noReason)).toBe('BAD_USER_INPUT');
    });
  });

  describe('overdue sweep', () => {
    const notifications = (transferRowId: string) =>
      t.services.db.query(
        `SELECT u.username, n.kind, n.message FROM notification n JOIN app_user u ON u.id = n.user_id
         WHERE n.entity_type = 'ClueTransfer' AND n.entity_id = $1 ORDER BY n.id`,
        [transferRowId],
      );

    it('flags a transfer past its accept deadline once, even when two sweeps run at the same time', async () => {
      const clueId = toGlobalId('Clue', await routedClue(t.services));
      const transfer = await request('yb-610302-investigator', clueId, 'PUBLIC_SECURITY');
      const id = rowId(transfer.id);
      await t.services.db.query(
        `UPDATE clue_transfer SET accept_deadline = now() - interval '1 minute' WHERE id = $1`,
        [id],
      );

      const [a, b] = await Promise.all([markOverdueTransfers(t.services), markOverdueTransfers(t.services)]);
      expect([...a, ...b].filter((x) => x === id)).toEqual([id]);
      expect(await markOverdueTransfers(t.services)).not.toContain(id);

      const seen = await gql('yb-610302-leader', NODE, { id: transfer.id });
      expect(seen.data.node.overdue).toBe(true);
      expect(seen.data.node.timeline.filter((e: { event: string }) => e.event === 'OVERDUE')).toEqual([
        { event: 'OVERDUE', from: 'PENDING', to: 'PENDING', detail: { deadline: 'accept' } },
      ]);
      const overdueList = await gql('yb-610302-leader', LIST, { f: { overdue: true, direction: 'OUTGOING' } });
      expect(overdueList.data.transfers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([transfer.id]);
      // The sending department's leaders, once each; nobody else.
      const sent = await notifications(id);
      expect(sent).toEqual([
        { username: 'yb-610302-leader', kind: 'TRANSFER_OVERDUE', message: expect.stringContaining('接收') },
      ]);

      // Accepting late clears the flag; missing the feedback deadline flags it again, with a new notice.
      const accepted = await gql('ga-610302-investigator', ACCEPT, { id: transfer.id });
      expect(accepted.data.acceptTransfer.overdue).toBe(false);
      await t.services.db.query(
        `UPDATE clue_transfer SET feedback_deadline = now() - interval '1 minute' WHERE id = $1`,
        [id],
      );
      const [c, d] = await Promise.all([markOverdueTransfers(t.services), markOverdueTransfers(t.services)]);
      expect([...c, ...d].filter((x) => x === id)).toEqual([id]);
      expect((await gql('yb-610302-leader', NODE, { id: transfer.id })).data.node.overdue).toBe(true);
      const after = await notifications(id);
      expect(after).toHaveLength(2);
      expect(after[1]).toMatchObject({ username: 'yb-610302-leader', message: expect.stringContaining('反馈') });
    });

    it('leaves transfers within their deadline, returned ones and answered ones alone', async () => {
      const pending = await request(
        'yb-610302-investigator',
        toGlobalId('Clue', await routedClue(t.services)),
        'HEALTH',
      );
      const returnedClue = toGlobalId('Clue', await routedClue(t.services));
      const returned = await request('yb-610302-investigator', returnedClue, 'HEALTH');
      await gql('wj-610302-investigator', RETURN, { id: returned.id, r: '退回' });
      await t.services.db.query(`UPDATE clue_transfer SET accept_deadline = now() - interval '1 day' WHERE id = $1`, [
        rowId(returned.id),
      ]);
      const flagged = await markOverdueTransfers(t.services);
      expect(flagged).not.toContain(rowId(pending.id));
      expect(flagged).not.toContain(rowId(returned.id));
    });
  });
});
