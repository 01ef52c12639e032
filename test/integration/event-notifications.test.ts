/**
 * Notifications of the events that existed before anyone could read them (PRODUCT.md §9
 * "Notifications"): a clue routed to a department, a transfer received, a supervision item
 * assigned, and the sweeps' transfer-overdue and supervision reminder / overdue notices — each
 * read by its recipient through `notifications`, with a title and a body.
 */
import { toGlobalId } from '../../src/core/ids';
import { markOverdueSupervision, remindSupervisionDeadlines } from '../../src/domain/supervision/supervision.jobs';
import { markOverdueTransfers } from '../../src/domain/transfer/transfer.jobs';
import { AsUser, asUsers, data } from '../support/client';
import { startTestApi, TestApi } from '../support/harness';
import { departmentIdOf, rowId, routedClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

const NOTES = `{ notifications(first: 100) { edges { node { kind title body targetId } } } }`;
const TRANSFER = `mutation($i: RequestTransferInput!) { requestTransfer(input: $i) { id } }`;
const SUPERVISE = `mutation($i: CreateSupervisionInput!) { createSupervisionItem(input: $i) { id } }`;

interface Note {
  kind: string;
  title: string;
  body: string | null;
  targetId: string | null;
}

describe('notifications of routing, transfers and supervision', () => {
  let t: TestApi;
  let gql: AsUser;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
  });
  afterAll(() => t.close());

  const notes = async (user: string, targetId: string): Promise<Note[]> =>
    data(await gql(user, NOTES))
      .notifications.edges.map((e: { node: Note }) => e.node)
      .filter((n: Note) => n.targetId === targetId);

  it('a routed clue is a CLUE_ASSIGNED notice to the case workers of the department it went to', async () => {
    const clueId = toGlobalId('Clue', await routedClue(t.services));
    const [note] = await notes('yb-610302-investigator', clueId);
    expect(note).toMatchObject({
      kind: 'CLUE_ASSIGNED',
      title: expect.stringContaining('线索分办'),
      body: expect.any(String),
    });
    expect(await notes('yb-610302-analyst', clueId)).toEqual([]);
    expect(await notes('wj-610302-investigator', clueId)).toEqual([]);
  });

  it('a transfer is a TRANSFER_RECEIVED notice to the receiver; overdue, a TRANSFER_OVERDUE notice to the sender’s leaders', async () => {
    const clueId = toGlobalId('Clue', await routedClue(t.services));
    const to = toGlobalId('Department', await departmentIdOf(t.services, 'PUBLIC_SECURITY', '610302'));
    const transferId = data(
      await gql('yb-610302-investigator', TRANSFER, { i: { clueId, toDepartmentId: to, reason: '涉嫌诈骗' } }),
    ).requestTransfer.id;
    // About the clue it brings: the clue's page shows the pending transfer.
    const [received] = await notes('ga-610302-investigator', clueId);
    expect(received).toMatchObject({ kind: 'TRANSFER_RECEIVED', body: expect.stringContaining('涉嫌诈骗') });

    await t.services.db.query(`UPDATE clue_transfer SET accept_deadline = now() - interval '1 hour' WHERE id = $1`, [
      rowId(transferId),
    ]);
    await markOverdueTransfers(t.services);
    const overdue = (await notes('yb-610302-leader', transferId)).filter((n) => n.kind === 'TRANSFER_OVERDUE');
    expect(overdue).toEqual([
      expect.objectContaining({ title: expect.stringContaining('接收'), body: expect.stringContaining('移送至') }),
    ]);
  });

  it('a supervision item is a SUPERVISION_ASSIGNED notice to the assignee; then reminder and overdue notices with a body', async () => {
    const clueId = toGlobalId('Clue', await routedClue(t.services));
    const assigned = toGlobalId('Department', await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610302'));
    const itemId = data(
      await gql('yb-610300-leader', SUPERVISE, {
        i: {
          kind: 'LISTED_SUPERVISION',
          title: '挂牌督办测试',
          clueId,
          assignedToDepartmentId: assigned,
          deadline: new Date(Date.now() + 10 * 86_400_000).toISOString(),
        },
      }),
    ).createSupervisionItem.id;
    expect(await notes('yb-610302-investigator', itemId)).toEqual([
      expect.objectContaining({ kind: 'SUPERVISION_ASSIGNED', body: expect.stringContaining('挂牌督办') }),
    ]);

    await t.services.db.query(`UPDATE supervision_item SET deadline = now() + interval '1 hour' WHERE id = $1`, [
      rowId(itemId),
    ]);
    await remindSupervisionDeadlines(t.services);
    await t.services.db.query(`UPDATE supervision_item SET deadline = now() - interval '1 hour' WHERE id = $1`, [
      rowId(itemId),
    ]);
    await markOverdueSupervision(t.services);
    const kinds = (await notes('yb-610302-investigator', itemId)).map((n) => [n.kind, !!n.body]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['SUPERVISION_REMINDER', true],
        ['SUPERVISION_OVERDUE', true],
      ]),
    );
    expect((await notes('yb-610300-leader', itemId)).map((n) => n.kind)).toContain('SUPERVISION_OVERDUE');
  });
});
