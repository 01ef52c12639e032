import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { toGlobalId } from '../../src/core/ids';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { markOverdueSupervision, remindSupervisionDeadlines } from '../../src/domain/supervision/supervision.jobs';
import { AsUser, asUsers, code, data } from '../support/client';

const ITEM_FIELDS = `id kind title status version deadline completedAt cancelReason allowedEvents
  clue { id owner { name } } case { id } transfer { id status }
  assignedTo { name } leader { username }
  progress { note author { username } }
  timeline { event from to }`;
const CREATE = `mutation($i: CreateSupervisionInput!) { createSupervisionItem(input: $i) { ${ITEM_FIELDS} } }`;
const REPORT = `mutation($id: ID!, $n: String!) { reportSupervisionProgress(id: $id, note: $n) { ${ITEM_FIELDS} } }`;
const COMPLETE = `mutation($id: ID!) { completeSupervisionItem(id: $id) { ${ITEM_FIELDS} } }`;
const CANCEL = `mutation($id: ID!, $r: String!) { cancelSupervisionItem(id: $id, reason: $r) { ${ITEM_FIELDS} } }`;
const ITEM = `query($id: ID!) { node(id: $id) { ... on SupervisionItem { ${ITEM_FIELDS} } } }`;

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

describe('supervision items (督办事项)', () => {
  let t: TestApi;
  let seq = 0;

  let gql: AsUser;
  const departmentRow = async (kind: string, region: string): Promise<string> =>
    (await t.services.db.query('SELECT id FROM department WHERE kind = $1 AND region_code = $2', [kind, region]))[0].id;
  const department = async (kind: string, region: string) =>
    toGlobalId('Department', await departmentRow(kind, region));

  async function clue(region = '610302', status = 'ASSIGNED', kind = 'MEDICAL_INSURANCE'): Promise<string> {
    seq += 1;
    const [row] = await t.services.db.query(
      `INSERT INTO clue (code, title, source, status, region_code, owner_department_id)
       VALUES ($1, $2, 'INSPECTION', $3, $4, $5) RETURNING id`,
      [`XS-SUP-${seq}`, `督办线索${seq}`, status, region, await departmentRow(kind, region)],
    );
    return toGlobalId('Clue', row.id);
  }

  async function create(user: string, input: Record<string, unknown>) {
    return gql(user, CREATE, {
      i: {
        kind: 'LISTED_SUPERVISION',
        title: '挂牌督办',
        assignedToDepartmentId: await department('MEDICAL_INSURANCE', '610302'),
        deadline: inDays(10),
        ...input,
      },
    });
  }

  const LEADER = 'yb-610300-leader';

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    gql = asUsers(t);
  });
  afterAll(() => t.close());

  describe('creating', () => {
    it('is for leaders only; investigators are FORBIDDEN (and audited)', async () => {
      const res = await create('yb-610300-investigator', { clueId: await clue() });
      expect(code(res)).toBe('FORBIDDEN');
      const denied = await t.services.db.query(
        `SELECT 1 FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE a.action = 'denied' AND u.username = 'yb-610300-investigator'`,
      );
      expect(denied).toHaveLength(1);
    });

    it('needs a target the leader’s department can see (NOT_FOUND otherwise), exactly one, and a future deadline', async () => {
      const id = await clue();
      expect(code(await create('yb-610100-leader', { clueId: id }))).toBe('NOT_FOUND');
      expect(code(await create('ga-610302-leader', { clueId: id }))).toBe('NOT_FOUND');
      expect(code(await create(LEADER, {}))).toBe('BAD_USER_INPUT');
      expect(
        code(await create(LEADER, { clueId: id, caseId: toGlobalId('Case', '00000000-0000-0000-0000-000000000000') })),
      ).toBe('BAD_USER_INPUT');
      expect(code(await create(LEADER, { clueId: id, deadline: inDays(-1) }))).toBe('BAD_USER_INPUT');
    });

    it('LISTED_SUPERVISION over a clue: OPEN, assigned, with the leader and the target', async () => {
      const clueId = await clue();
      const res = await create(LEADER, { clueId, title: '挂牌督办：某医院' });
      expect(res.errors).toBeUndefined();
      expect(res.data.createSupervisionItem).toMatchObject({
        kind: 'LISTED_SUPERVISION',
        title: '挂牌督办：某医院',
        status: 'OPEN',
        version: 1,
        clue: { id: clueId, owner: { name: '渭滨区医疗保障局' } },
        case: null,
        transfer: null,
        assignedTo: { name: '渭滨区医疗保障局' },
        leader: { username: LEADER },
        allowedEvents: ['COMPLETE', 'CANCEL', 'REPORT_PROGRESS'],
        timeline: [{ event: 'CREATE', from: null, to: 'OPEN' }],
      });
    });

    it('LEADER_ASSIGNED over a case', async () => {
      const clueId = await clue('610302', 'SUBSTANTIATED');
      const filed = await gql(
        'yb-610302-investigator',
        'mutation($c: [ID!]!) { openCase(input: { clueIds: $c, title: "包案案件" }) { id } }',
        { c: [clueId] },
      );
      expect(filed.errors).toBeUndefined();
      const res = await create(LEADER, { kind: 'LEADER_ASSIGNED', caseId: filed.data.openCase.id });
      expect(res.errors).toBeUndefined();
      expect(res.data.createSupervisionItem).toMatchObject({
        kind: 'LEADER_ASSIGNED',
        case: { id: filed.data.openCase.id },
        clue: null,
      });
    });

    it('ESCALATED over a transfer', async () => {
      const transferId = await pendingTransfer();
      const res = await create(LEADER, {
        kind: 'ESCALATED',
        transferId,
        assignedToDepartmentId: await department('MEDICAL_INSURANCE', '610300'),
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.createSupervisionItem).toMatchObject({
        kind: 'ESCALATED',
        transfer: { id: transferId, status: 'PENDING' },
        assignedTo: { name: '宝鸡市医疗保障局' },
      });
    });

    it('the target reads as null to an assigned department that may not see it', async () => {
      const clueId = await clue();
      const res = await create(LEADER, { clueId, assignedToDepartmentId: await department('HEALTH', '610302') });
      const seen = (await gql('wj-610302-investigator', ITEM, { id: res.data.createSupervisionItem.id })).data.node;
      expect(seen).toMatchObject({ assignedTo: { name: '渭滨区卫生健康委员会' }, clue: null, allowedEvents: ['REPORT_PROGRESS'] });
    });
  });

  /** A clue of 渭滨区医保 with a transfer pending at 渭滨区卫健 (inserted directly). */
  async function pendingTransfer(): Promise<string> {
    const clueId = await clue('610302', 'TRANSFER_PENDING');
    const [user] = await t.services.db.query(`SELECT id FROM app_user WHERE username = 'yb-610302-investigator'`);
    const [row] = await t.services.db.query(
      `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by, accept_deadline, clue_status_before)
       VALUES ($1, $2, $3, '涉及医疗行为', 'PENDING', $4, now() + interval '5 days', 'ASSIGNED') RETURNING id`,
      [
        Buffer.from(clueId, 'base64url').toString().split(':')[1],
        await departmentRow('MEDICAL_INSURANCE', '610302'),
        await departmentRow('HEALTH', '610302'),
        user.id,
      ],
    );
    return toGlobalId('ClueTransfer', row.id);
  }

  describe('指定管辖 (DESIGNATED_JURISDICTION)', () => {
    it('moves the clue to the assigned department, on its timeline; the new owner can now work it, the old one cannot see it', async () => {
      const clueId = await clue('610302', 'ASSIGNED');
      const res = await create(LEADER, {
        kind: 'DESIGNATED_JURISDICTION',
        clueId,
        assignedToDepartmentId: await department('MEDICAL_INSURANCE', '610303'),
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.createSupervisionItem.clue.owner.name).toBe('金台区医疗保障局');
      const rows = await t.services.db.query(
        `SELECT from_state, to_state, detail FROM state_change WHERE entity_type = 'Clue' AND event = 'DESIGNATED_JURISDICTION' AND entity_id = $1`,
        [Buffer.from(clueId, 'base64url').toString().split(':')[1]],
      );
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        from_state: 'ASSIGNED',
        to_state: 'ASSIGNED',
        detail: { supervisionItemId: res.data.createSupervisionItem.id },
      });

      const start = 'mutation($id: ID!) { startVerification(clueId: $id) { status owner { name } } }';
      expect(code(await gql('yb-610302-investigator', start, { id: clueId }))).toBe('NOT_FOUND');
      const moved = await gql('yb-610303-investigator', start, { id: clueId });
      expect(moved.errors).toBeUndefined();
      expect(moved.data.startVerification).toEqual({ status: 'VERIFYING', owner: { name: '金台区医疗保障局' } });
    });

    it('moves a pending transfer to another receiver, and refuses targets past handling', async () => {
      const transferId = await pendingTransfer();
      const res = await create(LEADER, {
        kind: 'DESIGNATED_JURISDICTION',
        transferId,
        assignedToDepartmentId: await department('HEALTH', '610303'),
      });
      expect(res.errors).toBeUndefined();
      const [row] = await t.services.db.query('SELECT to_department_id FROM clue_transfer WHERE id = $1', [
        Buffer.from(transferId, 'base64url').toString().split(':')[1],
      ]);
      expect(row.to_department_id).toBe(await departmentRow('HEALTH', '610303'));

      const closed = await clue('610302', 'CLOSED');
      const refused = await create(LEADER, {
        kind: 'DESIGNATED_JURISDICTION',
        clueId: closed,
        assignedToDepartmentId: await department('MEDICAL_INSURANCE', '610303'),
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'CLOSED' });
      const same = await create(LEADER, {
        kind: 'DESIGNATED_JURISDICTION',
        clueId: await clue(),
        assignedToDepartmentId: await department('MEDICAL_INSURANCE', '610302'),
      });
      expect(code(same)).toBe('BAD_USER_INPUT');
    });
  });

  describe('progress, completion and cancellation', () => {
    /** A fresh OPEN item of the leader over a new clue of 医保 渭滨区, as its global id. */
    const openItem = async (): Promise<string> =>
      data(await create(LEADER, { clueId: await clue() })).createSupervisionItem.id;

    it('progress is appended by the assigned department and the supervising leader’s department, nobody else', async () => {
      const itemId = await openItem();
      expect(
        (await gql('yb-610302-investigator', REPORT, { id: itemId, n: '已约谈医院负责人' })).errors,
      ).toBeUndefined();
      const res = await gql(LEADER, REPORT, { id: itemId, n: '请加快进度' });
      expect(res.data.reportSupervisionProgress.progress).toEqual([
        { note: '已约谈医院负责人', author: { username: 'yb-610302-investigator' } },
        { note: '请加快进度', author: { username: LEADER } },
      ]);
      expect(code(await gql('jw-610300-leader', REPORT, { id: itemId, n: '纪委意见' }))).toBe('FORBIDDEN');
      expect(code(await gql('yb-610303-investigator', REPORT, { id: itemId, n: 'x' }))).toBe('NOT_FOUND');
    });

    it('only the creating leader completes; then it is final', async () => {
      const itemId = await openItem();
      expect(code(await gql('yb-610302-investigator', COMPLETE, { id: itemId }))).toBe('FORBIDDEN');
      expect(code(await gql('yb-610302-leader', COMPLETE, { id: itemId }))).toBe('FORBIDDEN');
      expect(code(await gql('jw-610300-leader', COMPLETE, { id: itemId }))).toBe('FORBIDDEN');
      const done = await gql(LEADER, COMPLETE, { id: itemId });
      expect(done.errors).toBeUndefined();
      expect(done.data.completeSupervisionItem).toMatchObject({ status: 'COMPLETED', version: 2, allowedEvents: [] });
      expect(done.data.completeSupervisionItem.completedAt).toBeTruthy();
      expect(code(await gql(LEADER, COMPLETE, { id: itemId }))).toBe('INVALID_TRANSITION');
      expect(code(await gql(LEADER, REPORT, { id: itemId, n: '补充' }))).toBe('INVALID_TRANSITION');
    });

    it('only the creating leader cancels, with a reason', async () => {
      const other = (await create(LEADER, { clueId: await clue() })).data.createSupervisionItem.id;
      expect(code(await gql('yb-610302-investigator', CANCEL, { id: other, r: '不需要' }))).toBe('FORBIDDEN');
      expect(code(await gql(LEADER, CANCEL, { id: other, r: ' ' }))).toBe('BAD_USER_INPUT');
      const res = await gql(LEADER, CANCEL, { id: other, r: '已并入其他督办事项' });
      expect(res.data.cancelSupervisionItem).toMatchObject({ status: 'CANCELLED', cancelReason: '已并入其他督办事项' });
      expect(res.data.cancelSupervisionItem.timeline.map((e: { event: string }) => e.event)).toEqual([
        'CREATE',
        'CANCEL',
      ]);
    });
  });

  describe('lists', () => {
    it('filter by status, kind and assigned department under the visibility rule', async () => {
      const list = async (user: string, filter: Record<string, unknown> = {}) =>
        (
          await gql(
            user,
            'query($f: SupervisionFilter) { supervisionItems(filter: $f, first: 100) { totalCount edges { node { status kind assignedTo { name } } } } }',
            { f: filter },
          )
        ).data.supervisionItems;
      const all = await list(LEADER);
      expect(all.totalCount).toBeGreaterThanOrEqual(8);
      expect((await list(LEADER, { status: ['COMPLETED'] })).totalCount).toBe(1);
      expect(
        (await list(LEADER, { kind: 'ESCALATED' })).edges.map((e: { node: { kind: string } }) => e.node.kind),
      ).toEqual(['ESCALATED']);
      const health = await list(LEADER, { assignedToDepartmentId: await department('HEALTH', '610302') });
      expect(
        health.edges.every(
          (e: { node: { assignedTo: { name: string } } }) => e.node.assignedTo.name === '渭滨区卫生健康委员会',
        ),
      ).toBe(true);
      expect((await list('ga-610302-investigator')).totalCount).toBe(0);
      expect((await list('yb-610100-leader')).totalCount).toBe(0);
      expect((await list('jw-610300-leader')).totalCount).toBe(all.totalCount);
    });
  });

  describe('scheduled jobs', () => {
    it('markOverdueSupervision marks an item past its deadline OVERDUE exactly once, even when run twice at once', async () => {
      const itemId = (await create(LEADER, { clueId: await clue() })).data.createSupervisionItem.id;
      const rowId = Buffer.from(itemId, 'base64url').toString().split(':')[1];
      await t.services.db.query(`UPDATE supervision_item SET deadline = now() - interval '1 minute' WHERE id = $1`, [
        rowId,
      ]);
      const [a, b] = await Promise.all([markOverdueSupervision(t.services), markOverdueSupervision(t.services)]);
      expect([...a, ...b]).toEqual([rowId]);
      expect(await markOverdueSupervision(t.services)).toEqual([]);

      const item = (await gql(LEADER, ITEM, { id: itemId })).data.node;
      expect(item).toMatchObject({ status: 'OVERDUE', version: 2, allowedEvents: ['COMPLETE', 'CANCEL', 'REPORT_PROGRESS'] });
      expect(item.timeline.filter((e: { event: string }) => e.event === 'MARK_OVERDUE')).toEqual([
        { event: 'MARK_OVERDUE', from: 'OPEN', to: 'OVERDUE' },
      ]);
      const notified = await t.services.db.query(
        `SELECT u.username FROM notification n JOIN app_user u ON u.id = n.user_id
         WHERE n.entity_id = $1 AND n.kind = 'SUPERVISION_OVERDUE' ORDER BY u.username`,
        [rowId],
      );
      expect(notified.map((n: { username: string }) => n.username)).toEqual([
        'yb-610300-leader',
        'yb-610302-investigator',
        'yb-610302-leader',
        'yb-610302-supervisor',
      ]);
      const audited = await t.services.db.query(
        `SELECT detail FROM audit_log WHERE action = 'SupervisionItem.MARK_OVERDUE'`,
      );
      expect(audited).toHaveLength(1);
      expect(audited[0].detail.ids).toEqual([itemId]);

      // Progress still goes on, and the leader can still close it.
      expect((await gql('yb-610302-investigator', REPORT, { id: itemId, n: '逾期说明' })).errors).toBeUndefined();
      expect((await gql(LEADER, COMPLETE, { id: itemId })).data.completeSupervisionItem.status).toBe('COMPLETED');
    });

    it('remindSupervisionDeadlines reminds once, within the region’s reminder hours', async () => {
      const soon = (await create(LEADER, { clueId: await clue(), deadline: inDays(0.5) })).data.createSupervisionItem
        .id;
      const later = (await create(LEADER, { clueId: await clue(), deadline: inDays(3) })).data.createSupervisionItem.id;
      const rowOf = (id: string) => Buffer.from(id, 'base64url').toString().split(':')[1];
      const [a, b] = await Promise.all([
        remindSupervisionDeadlines(t.services),
        remindSupervisionDeadlines(t.services),
      ]);
      expect([...a, ...b]).toEqual([rowOf(soon)]);
      expect(await remindSupervisionDeadlines(t.services)).toEqual([]);
      const reminders = await t.services.db.query(
        `SELECT count(*)::int AS n FROM notification WHERE kind = 'SUPERVISION_REMINDER' AND entity_id = $1`,
        [rowOf(soon)],
      );
      expect(reminders[0].n).toBe(3);

      // 宝鸡 extends its reminder window to 100 hours: the later item is now due a reminder.
      await t.services.db.query(
        `INSERT INTO region_setting (region_prefix, key, value) VALUES ('6103', 'supervisionReminderHours', '100')`,
      );
      expect(await remindSupervisionDeadlines(t.services)).toEqual([rowOf(later)]);
    });
  });
});
