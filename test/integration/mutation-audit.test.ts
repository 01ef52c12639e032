/**
 * A mutation's audit entry commits in the transaction of the change it records, for every
 * service that runs through inTransaction — also when that transaction returns no row: the
 * target is then the id of the field's type among the arguments (issue 9, item 6).
 */
import { toGlobalId } from '../../src/core/ids';
import { startTestApi, TestApi } from '../support/harness';
import { routedClue, seedWorkflowFixtures } from '../support/workflow-fixtures';

describe('mutation audit entries', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
  });
  afterAll(() => t.close());

  it('startVerification (a transition returning no row) is audited in the transaction of its change, once', async () => {
    const clueId = await routedClue(t.services);
    const token = await t.login('yb-610302-investigator');
    const res = await t.gql(
      'mutation($id: ID!) { startVerification(clueId: $id) { id status } }',
      { id: toGlobalId('Clue', clueId) },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.startVerification.status).toBe('VERIFYING');
    const rows = await t.services.db.query(
      `SELECT a.target_type, a.xmin::text = c.xmin::text AS same_transaction
       FROM audit_log a, clue c
       WHERE a.action = 'mutation.startVerification' AND a.target_id = $1 AND c.id = $2`,
      [toGlobalId('Clue', clueId), clueId],
    );
    expect(rows).toEqual([{ target_type: 'Clue', same_transaction: true }]);
  });
});
