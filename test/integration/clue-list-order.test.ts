/**
 * The clue list's keyset order (newest first, ties by id) and its count, across pages
 * (first: 2), for clues created in the same microsecond and one microsecond apart, and visible
 * to a county investigator through each arm of the visibility rule (owned by the department,
 * created by one of its users, copied to it, transferred from it) — next to clues it must not
 * see. The list orders by the timestamp column and turns the cursor's microseconds back into a
 * timestamp (src/core/pagination.ts timeOrdered); the rule compares columns with sets
 * (src/policy clueVisibleSql). The expected order is computed here from the inserted times.
 */
import { startTestApi, TestApi } from '../support/harness';
import { AsUser, asUsers, data } from '../support/client';
import { departmentIdOf, seedWorkflowFixtures, userIdOf } from '../support/workflow-fixtures';

const READER = 'yb-610302-investigator';
const LIST = `query ($after: String) { clues(first: 2, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id code } } } }`;

describe('clue list order and count', () => {
  let t: TestApi;
  let gql: AsUser;
  const visible: { code: string; at: string }[] = [];

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t);
    const db = t.services.db;
    const own = await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610302');
    const other = await departmentIdOf(t.services, 'MEDICAL_INSURANCE', '610303');
    const creator = await userIdOf(t.services, 'yb-610302-leader');
    const sender = await userIdOf(t.services, 'yb-610302-investigator');
    // Microsecond times: three in the same microsecond, others one microsecond apart.
    const base = '2025-06-01 10:00:00.123456+08';
    const times = [0, 0, 0, 1, -1, 2, 1_000_000, -1_000_001];
    const insert = async (code: string, owner: string, offsetUs: number, createdBy: string | null = null) => {
      const [row] = await db.query(
        `INSERT INTO clue (code, title, source, status, region_code, amount_involved, owner_department_id, created_by, created_at)
         VALUES ($1, '排序线索', 'PETITION', 'ASSIGNED', '610302', 1, $2, $3,
                 $4::timestamptz + $5::bigint * interval '1 microsecond') RETURNING id, (extract(epoch FROM created_at) * 1000000)::bigint::text AS at`,
        [code, owner, createdBy, base, offsetUs],
      );
      return row as { id: string; at: string };
    };
    for (const [i, offset] of times.entries()) {
      const row = await insert(`XS-O-${i}`, own, offset);
      visible.push({ code: `XS-O-${i}`, at: row.at });
    }
    // Visible through the other arms of the rule, owned by another county.
    const created = await insert('XS-O-created', other, 0, creator);
    visible.push({ code: 'XS-O-created', at: created.at });
    const copied = await insert('XS-O-copied', other, 1);
    await db.query(`INSERT INTO clue_copy (clue_id, department_id, reason) VALUES ($1, $2, '抄送')`, [copied.id, own]);
    visible.push({ code: 'XS-O-copied', at: copied.at });
    const sent = await insert('XS-O-sent', other, -1);
    await db.query(
      `INSERT INTO clue_transfer (clue_id, from_department_id, to_department_id, reason, status, requested_by,
                                  accept_deadline, clue_status_before)
       VALUES ($1, $2, $3, '移送', 'ACCEPTED', $4, now(), 'ASSIGNED')`,
      [sent.id, own, other, sender],
    );
    visible.push({ code: 'XS-O-sent', at: sent.at });
    // Not visible: another county's, at the same times.
    for (const [i, offset] of times.entries()) await insert(`XS-N-${i}`, other, offset);
  });

  afterAll(() => t.close());

  it('pages every visible clue once, newest first (ties by id), with the count on every page', async () => {
    const ids = new Map<string, string>();
    for (const row of await t.services.db.query(`SELECT id, code FROM clue WHERE code LIKE 'XS-O-%'`)) {
      ids.set(row.code, row.id);
    }
    const expected = [...visible]
      .sort((a, b) => {
        const [ta, tb] = [BigInt(a.at), BigInt(b.at)]; // microseconds since the epoch
        if (ta !== tb) return ta < tb ? 1 : -1;
        const [ia, ib] = [ids.get(a.code)!, ids.get(b.code)!];
        return ia < ib ? 1 : ia > ib ? -1 : 0;
      })
      .map((v) => v.code);

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const result: {
        clues: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          edges: { node: { code: string } }[];
        };
      } = data(await gql(READER, LIST, { after }));
      expect(result.clues.totalCount).toBe(visible.length);
      seen.push(...result.clues.edges.map((e) => e.node.code));
      if (!result.clues.pageInfo.hasNextPage) break;
      after = result.clues.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('counts only when totalCount is selected, under an alias or in a fragment too', async () => {
    const uncounted = data(
      await gql(READER, `{ clues(first: 50) { pageInfo { hasNextPage } edges { node { code } } } }`),
    ) as { clues: { edges: { node: { code: string } }[] } };
    expect(uncounted.clues.edges.map((e) => e.node.code).sort()).toEqual(visible.map((v) => v.code).sort());
    const aliased = data(await gql(READER, `{ clues(first: 1) { n: totalCount } }`)) as { clues: { n: number } };
    expect(aliased.clues.n).toBe(visible.length);
    const fragment = data(
      await gql(
        READER,
        `query { clues(first: 1) { ...Counted ... on ClueConnection { edges { cursor } } } }
         fragment Counted on ClueConnection { totalCount }`,
      ),
    ) as { clues: { totalCount: number } };
    expect(fragment.clues.totalCount).toBe(visible.length);
  });
});
