/**
 * 疑点核查 (PRODUCT.md §9, docs/OUTCOMES.md "Hit verification and statistics"): verifyHits in
 * bulk (confirm, exclude, reverse), its limits and all-or-nothing transaction, the clue's
 * verdict waiting for its hits, the progress figures and the substantiated amount, the filter.
 */
import { toGlobalId } from '../../src/core/ids';
import { inTransaction } from '../../src/db/transaction';
import { lockVisibleHits } from '../../src/domain/collision/collision.repository';
import { hitParties } from '../../src/domain/collision/hit-verification.service';
import { hitVerificationMachine } from '../../src/domain/collision/hit-verification.machine';
import { applyEventToEach } from '../../src/workflow/transition';
import { startTestApi, TestApi } from '../support/harness';
import { AsUser, asUsers, code } from '../support/client';
import { insertClue, seedWorkflowFixtures, tokenSource } from '../support/workflow-fixtures';
import { Actor } from '../../src/policy';

const HIT_FIELDS = `id verification exclusionReason verificationNote confirmedAmount verifiedAt verifiedBy { username } version amountInvolved`;
const VERIFY = `mutation($i: VerifyHitsInput!) { verifyHits(input: $i) { updated hits { ${HIT_FIELDS} } } }`;
const PROGRESS = `total pending confirmed excluded confirmedAmount excludedAmount clearedRate`;
const CLUE = `query($id: ID!) { clue(id: $id) { status substantiatedAmount verificationProgress { ${PROGRESS} } } }`;
const CONCLUDE = `mutation($id: ID!, $s: Boolean!) { concludeVerification(clueId: $id, substantiated: $s, findings: "核查完毕") { status } }`;

const OWNER = 'yb-610302-investigator';
const HEAD = 'yb-610302-supervisor';

describe('hit verification (疑点核查)', () => {
  let t: TestApi;
  let gql: AsUser;
  let runId: string;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    gql = asUsers(t, tokenSource(t.services));
    const [run] = await t.services.db.query(
      `INSERT INTO collision_run (models, from_date, to_date, status, parameters, region_code)
       VALUES ('{OVER_PRICE}', '2025-03-01', '2025-03-31', 'SUCCEEDED', '{}', '610302') RETURNING id`,
    );
    runId = run.id;
  });
  afterAll(() => t.close());

  /** A VERIFYING clue of 医保 渭滨区 with hits of the given amounts; global ids. */
  async function clueWithHits(amounts: string[], opts: { clue?: boolean; institution?: string } = {}) {
    const clueId =
      opts.clue === false
        ? null
        : await insertClue(t.services, {
            ownerKind: 'MEDICAL_INSURANCE',
            ownerRegion: '610302',
            status: 'VERIFYING',
            model: 'OVER_PRICE',
          });
    const rows: { id: string }[] = await t.services.db.query(
      `INSERT INTO collision_hit (model, hit_key, amount_involved, institution_code, region_code, person_ids,
                                  settlement_ids, detail, first_run_id, last_run_id, clue_id)
       SELECT 'OVER_PRICE', 'hv-' || $5 || '-' || x.n, x.amount, $4, '610302', '{}', '{}', '{}', $1, $1, $2
       FROM unnest($3::numeric[]) WITH ORDINALITY AS x(amount, n) ORDER BY x.n RETURNING id`,
      [runId, clueId, amounts, opts.institution ?? 'H610302001', `${process.pid}-${++seq}`],
    );
    return { clue: clueId && toGlobalId('Clue', clueId), hits: rows.map((r) => toGlobalId('CollisionHit', r.id)) };
  }

  it('audits verifyHits (a payload that is no Node) in the transaction of its change, naming the first hit', async () => {
    // Found by the fault campaign: the entry was written after COMMIT, so a lost connection then
    // answered an error for a verification that was stored.
    const { hits } = await clueWithHits(['12.00', '13.00']);
    const res = await gql(OWNER, VERIFY, { i: { hitIds: hits, outcome: 'CONFIRMED' } });
    expect(res.errors).toBeUndefined();
    const rows = await t.services.db.query(
      `SELECT a.target_type, a.target_id, a.xmin::text = h.xmin::text AS same_transaction
       FROM audit_log a, collision_hit h
       WHERE a.action = 'mutation.verifyHits' AND a.detail -> 'args' -> 'input' -> 'hitIds' ->> 0 = $1
         AND h.id = $2`,
      [hits[0], hits[0] && Buffer.from(hits[0], 'base64url').toString().split(':')[1]],
    );
    expect(rows).toEqual([{ target_type: 'CollisionHit', target_id: hits[0], same_transaction: true }]);
  });

  it('confirms and excludes in bulk, through the machine (timeline, one audit entry), and reverses with a reason', async () => {
    const { clue, hits } = await clueWithHits(['100.00', '200.50', '300.25', '10.00']);
    const confirmed = await gql(OWNER, VERIFY, { i: { hitIds: hits.slice(0, 2), outcome: 'CONFIRMED', note: '属实' } });
    expect(confirmed.errors).toBeUndefined();
    expect(confirmed.data.verifyHits.updated).toBe(2);
    expect(confirmed.data.verifyHits.hits).toEqual([
      expect.objectContaining({
        id: hits[0],
        verification: 'CONFIRMED',
        confirmedAmount: '100.00',
        version: 2,
        verifiedBy: { username: OWNER },
      }),
      expect.objectContaining({
        id: hits[1],
        verification: 'CONFIRMED',
        confirmedAmount: '200.50',
        verificationNote: '属实',
      }),
    ]);
    const excluded = await gql(OWNER, VERIFY, {
      i: { hitIds: [hits[2]], outcome: 'EXCLUDED', exclusionReason: 'POLICY_ALLOWED', note: '符合政策' },
    });
    expect(excluded.data.verifyHits.hits[0]).toMatchObject({
      verification: 'EXCLUDED',
      exclusionReason: 'POLICY_ALLOWED',
      confirmedAmount: null,
    });

    const timeline = await t.services.db.query(
      `SELECT event, from_state, to_state, note FROM state_change WHERE entity_type = 'CollisionHit' AND entity_id = $1`,
      [hits[0].length && Buffer.from(hits[0], 'base64url').toString().split(':')[1]],
    );
    expect(timeline).toEqual([{ event: 'CONFIRM', from_state: 'PENDING', to_state: 'CONFIRMED', note: '属实' }]);
    const audits = await t.services.db.query(
      `SELECT action, detail FROM audit_log WHERE action = 'CollisionHit.CONFIRM' AND detail->'ids' ? $1`,
      [hits[0]],
    );
    expect(audits).toHaveLength(1);
    expect([...audits[0].detail.ids].sort()).toEqual(hits.slice(0, 2).sort());

    expect((await gql(OWNER, CLUE, { id: clue })).data.clue).toEqual({
      status: 'VERIFYING',
      substantiatedAmount: '300.50',
      verificationProgress: {
        total: 4,
        pending: 1,
        confirmed: 2,
        excluded: 1,
        confirmedAmount: '300.50',
        excludedAmount: '300.25',
        clearedRate: 0.75,
      },
    });

    // Reversal: only a section head, only with a reason; to PENDING or to the other verdict.
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: [hits[0]], outcome: 'PENDING', note: '复核' } }))).toBe(
      'FORBIDDEN',
    );
    expect(code(await gql(HEAD, VERIFY, { i: { hitIds: [hits[0]], outcome: 'PENDING' } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(HEAD, VERIFY, { i: { hitIds: [hits[0]], outcome: 'CONFIRMED', note: '同' } }))).toBe(
      'INVALID_TRANSITION',
    );
    const reversed = await gql(HEAD, VERIFY, {
      i: { hitIds: [hits[0], hits[2]], outcome: 'PENDING', note: '证据不足，重新核查' },
    });
    expect(reversed.errors).toBeUndefined();
    expect(reversed.data.verifyHits.hits.map((h: { verification: string }) => h.verification)).toEqual([
      'PENDING',
      'PENDING',
    ]);
    expect(reversed.data.verifyHits.hits[0]).toMatchObject({
      confirmedAmount: null,
      verifiedAt: null,
      verifiedBy: null,
    });
    const toExcluded = await gql(HEAD, VERIFY, {
      i: { hitIds: [hits[1]], outcome: 'EXCLUDED', exclusionReason: 'DATA_ERROR', note: '数据错误' },
    });
    expect(toExcluded.data.verifyHits.hits[0]).toMatchObject({
      verification: 'EXCLUDED',
      exclusionReason: 'DATA_ERROR',
      version: 3,
    });
    // A section head is also a case worker of the owner: he confirms pending hits too.
    const amount = await gql(HEAD, VERIFY, {
      i: { hitIds: [hits[0]], outcome: 'CONFIRMED', confirmedAmount: '80.00' },
    });
    expect(amount.data.verifyHits.hits[0]).toMatchObject({ confirmedAmount: '80.00' });
  });

  it('refuses bad input: 1,001 ids, empty, EXCLUDED without a reason, an amount for many or above the hit', async () => {
    const { hits } = await clueWithHits(['50.00', '60.00']);
    const many = Array.from({ length: 1001 }, () => hits[0]);
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: many, outcome: 'CONFIRMED' } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: [], outcome: 'CONFIRMED' } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: hits, outcome: 'EXCLUDED' } }))).toBe('BAD_USER_INPUT');
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: hits, outcome: 'CONFIRMED', confirmedAmount: '1.00' } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      code(await gql(OWNER, VERIFY, { i: { hitIds: [hits[0]], outcome: 'CONFIRMED', confirmedAmount: '50.01' } })),
    ).toBe('BAD_USER_INPUT');
    expect(code(await gql(OWNER, VERIFY, { i: { hitIds: [hits[0]], outcome: 'PENDING' } }))).toBe('INVALID_TRANSITION');
    const untouched = await t.services.db.query(
      `SELECT count(*)::int AS n FROM collision_hit WHERE verification <> 'PENDING' AND id = ANY($1::uuid[])`,
      [hits.map((h) => Buffer.from(h, 'base64url').toString().split(':')[1])],
    );
    expect(untouched[0].n).toBe(0);
  });

  it('1,000 hits in one call; a hit not visible is NOT_FOUND, one without a clue INVALID_TRANSITION — and nothing changes', async () => {
    const { clue, hits } = await clueWithHits(Array.from({ length: 1000 }, (_, i) => `${i + 1}.00`));
    const far = await clueWithHits(['5.00'], { institution: 'Y610402001' });
    await t.services.db.query(`UPDATE collision_hit SET region_code = '610402' WHERE id = $1`, [
      Buffer.from(far.hits[0], 'base64url').toString().split(':')[1],
    ]);
    await t.services.db.query(
      `UPDATE clue SET owner_department_id = (SELECT id FROM department WHERE kind = 'MEDICAL_INSURANCE' AND region_code = '610402'), region_code = '610402' WHERE id = $1`,
      [Buffer.from(far.clue!, 'base64url').toString().split(':')[1]],
    );
    const orphan = await clueWithHits(['7.00'], { clue: false });

    const notFound = await gql(OWNER, VERIFY, {
      i: { hitIds: [...hits.slice(0, 999), far.hits[0]], outcome: 'CONFIRMED' },
    });
    expect(code(notFound)).toBe('NOT_FOUND');
    const noClue = await gql(OWNER, VERIFY, {
      i: { hitIds: [...hits.slice(0, 999), orphan.hits[0]], outcome: 'CONFIRMED' },
    });
    expect(code(noClue)).toBe('INVALID_TRANSITION');
    expect((await gql(OWNER, CLUE, { id: clue })).data.clue.verificationProgress).toMatchObject({
      pending: 1000,
      confirmed: 0,
    });

    const all = await gql(OWNER, VERIFY, { i: { hitIds: hits, outcome: 'CONFIRMED' } });
    expect(all.errors).toBeUndefined();
    expect(all.data.verifyHits.updated).toBe(1000);
    expect((await gql(OWNER, CLUE, { id: clue })).data.clue).toMatchObject({
      substantiatedAmount: '500500.00',
      verificationProgress: { total: 1000, confirmed: 1000, pending: 0, clearedRate: 1 },
    });
    const audits = await t.services.db.query(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'CollisionHit.CONFIRM' AND detail->'ids' ? $1`,
      [hits[500]],
    );
    expect(audits[0].n).toBe(1);
  });

  it('a version conflict on any row rolls the whole set back', async () => {
    const { hits } = await clueWithHits(['1.00', '2.00', '3.00']);
    const ids = hits.map((h) => Buffer.from(h, 'base64url').toString().split(':')[1]);
    const [user] = await t.services.db.query(
      `SELECT u.id, u.username, u.roles, d.id AS dept, d.kind, d.region_code, r.level FROM app_user u
       JOIN department d ON d.id = u.department_id JOIN region r ON r.code = d.region_code WHERE u.username = $1`,
      [OWNER],
    );
    const actor: Actor = {
      userId: user.id,
      username: user.username,
      roles: user.roles,
      department: { id: user.dept, kind: user.kind, regionCode: user.region_code, regionLevel: user.level },
    };
    await expect(
      inTransaction(t.services.db, async (m) => {
        const rows = await lockVisibleHits(m, actor, ids);
        // Another writer moved the last hit on after it was read.
        rows[2] = { ...rows[2], version: rows[2].version - 1 };
        return applyEventToEach(
          m,
          hitVerificationMachine,
          rows,
          (row) => ({
            event: 'CONFIRM' as const,
            actor,
            parties: hitParties(actor, row),
            input: { outcome: 'CONFIRMED' as const },
          }),
          { actor },
        );
      }),
    ).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    const after = await t.services.db.query(
      `SELECT verification, version FROM collision_hit WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    expect(after).toEqual(ids.map(() => ({ verification: 'PENDING', version: 1 })));
    expect(
      (
        await t.services.db.query(`SELECT count(*)::int AS n FROM state_change WHERE entity_id = ANY($1::uuid[])`, [
          ids,
        ])
      )[0].n,
    ).toBe(0);
  });

  it("a clue's verdict waits for its hits; a clue without hits is unaffected", async () => {
    const { clue, hits } = await clueWithHits(['10.00', '20.00']);
    const blocked = await gql(OWNER, CONCLUDE, { id: clue, s: true });
    expect(code(blocked)).toBe('INVALID_TRANSITION');
    expect(blocked.errors![0].message).toMatch(/VERIFYING.*2 of its collision hits still PENDING/);
    await gql(OWNER, VERIFY, { i: { hitIds: [hits[0]], outcome: 'CONFIRMED' } });
    expect((await gql(OWNER, CONCLUDE, { id: clue, s: false })).errors![0].message).toMatch(/1 of its collision hits/);
    await gql(OWNER, VERIFY, { i: { hitIds: [hits[1]], outcome: 'EXCLUDED', exclusionReason: 'OTHER', note: '其他' } });
    const done = await gql(OWNER, CONCLUDE, { id: clue, s: true });
    expect(done.errors).toBeUndefined();
    expect(done.data.concludeVerification.status).toBe('SUBSTANTIATED');
    expect((await gql(OWNER, CLUE, { id: clue })).data.clue.substantiatedAmount).toBe('10.00');

    const byHand = toGlobalId(
      'Clue',
      await insertClue(t.services, { ownerKind: 'MEDICAL_INSURANCE', ownerRegion: '610302', status: 'VERIFYING' }),
    );
    expect((await gql(OWNER, CONCLUDE, { id: byHand, s: false })).data.concludeVerification.status).toBe(
      'UNSUBSTANTIATED',
    );
    expect((await gql(OWNER, CLUE, { id: byHand })).data.clue).toMatchObject({
      substantiatedAmount: '0.00',
      verificationProgress: { total: 0, pending: 0, clearedRate: null, confirmedAmount: '0.00' },
    });
  });

  it('progress of a run and an institution, and the verification filter of collisionHits', async () => {
    const { hits } = await clueWithHits(['1.50', '2.50'], { institution: 'H610303001' });
    await gql(OWNER, VERIFY, {
      i: { hitIds: [hits[0]], outcome: 'EXCLUDED', exclusionReason: 'DATA_ERROR', note: '错' },
    });
    const analyst = 'yb-610300-leader';
    const res = await gql(
      analyst,
      `query($run: ID!) {
        collisionRun(id: $run) { verificationProgress { ${PROGRESS} } }
        institution(code: "H610303001") { verificationProgress { ${PROGRESS} } }
        excluded: collisionHits(filter: { verification: EXCLUDED, institutionCode: "H610303001" }) { totalCount edges { node { id } } }
        pending: collisionHits(filter: { verification: PENDING, institutionCode: "H610303001" }) { totalCount }
      }`,
      { run: toGlobalId('CollisionRun', runId) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.institution.verificationProgress).toEqual({
      total: 2,
      pending: 1,
      confirmed: 0,
      excluded: 1,
      confirmedAmount: '0.00',
      excludedAmount: '1.50',
      clearedRate: 0.5,
    });
    expect(res.data.excluded).toEqual({ totalCount: 1, edges: [{ node: { id: hits[0] } }] });
    expect(res.data.pending.totalCount).toBe(1);
    const [counts] = await t.services.db.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE verification = 'PENDING')::int AS pending FROM collision_hit
       WHERE last_run_id = $1 AND region_code LIKE '6103%'`,
      [runId],
    );
    expect(res.data.collisionRun.verificationProgress).toMatchObject(counts);
  });

  it('progress and substantiated amount load through one query per request, whatever the number of clues', async () => {
    for (let i = 0; i < 3; i += 1) await clueWithHits(['1.00', '2.00']);
    const countQueries = async (query: string) => {
      const bearer = await tokenSource(t.services)(OWNER);
      const spy = jest.spyOn(t.services.db.logger, 'logQuery');
      try {
        const res = await t.gql(query, {}, bearer);
        expect(res.errors).toBeUndefined();
        return { res, queries: spy.mock.calls.length };
      } finally {
        spy.mockRestore();
      }
    };
    const plain = await countQueries(`{ clues(first: 50) { edges { node { id } } } }`);
    const withProgress = await countQueries(
      `{ clues(first: 50) { edges { node { id substantiatedAmount verificationProgress { ${PROGRESS} } } } } }`,
    );
    expect(withProgress.res.data.clues.edges.length).toBeGreaterThan(5);
    expect(withProgress.queries).toBe(plain.queries + 1);
  });
});
