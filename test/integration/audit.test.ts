import { appendAudit, verifyAuditChain } from '../../src/domain/audit/audit.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { code } from '../support/client';

describe('audit log', () => {
  let t: TestApi;
  let admin: string;
  let auditor: string;

  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    admin = await t.login('yb-610000-admin');
    auditor = await t.login('jw-610000-leader');
  });
  afterAll(() => t.close());

  const departmentId = async (name: string) =>
    (await t.gql('{ departments { id name } }', {}, admin)).data.departments.find(
      (d: { name: string }) => d.name === name,
    ).id;

  it('records every login and mutation, without secrets, hash-chained', async () => {
    const res = await t.gql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id username } }',
      {
        i: {
          username: 'new.person',
          password: 'a-long-password-1',
          displayName: '新用户',
          departmentId: await departmentId('宝鸡市医疗保障局'),
          roles: ['INVESTIGATOR'],
        },
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const log = await t.gql(
      'query($t: String) { auditLog(targetId: $t) { totalCount edges { node { action targetType targetId detail actor { username } hash prevHash } } } }',
      { t: res.data.createUser.id },
      auditor,
    );
    expect(log.data.auditLog.totalCount).toBe(1);
    const entry = log.data.auditLog.edges[0].node;
    expect(entry).toMatchObject({
      action: 'mutation.createUser',
      targetType: 'User',
      actor: { username: 'yb-610000-admin' },
    });
    expect(entry.detail.args.input.password).toBe('[redacted]');
    expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry.prevHash).toMatch(/^[0-9a-f]{64}$/);
    const logins = await t.services.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'auth.login'`);
    expect(logins[0].n).toBeGreaterThanOrEqual(2);
  });

  it('records denials as FORBIDDEN entries', async () => {
    const investigator = await t.login('yb-610302-investigator');
    const res = await t.gql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      {
        i: {
          username: 'sneaky',
          password: 'a-long-password-1',
          displayName: 'x',
          departmentId: await departmentId('渭滨区医疗保障局'),
          roles: ['ADMIN'],
        },
      },
      investigator,
    );
    expect(code(res)).toBe('FORBIDDEN');
    const rows = await t.services.db.query(
      `SELECT a.detail FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE a.action = 'denied' AND u.username = 'yb-610302-investigator'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].detail).toMatchObject({ field: 'Mutation.createUser', args: { input: { password: '[redacted]' } } });
    expect(await t.services.db.query(`SELECT 1 FROM app_user WHERE username = 'sneaky'`)).toHaveLength(0);
  });

  it('only administrators and 纪委 supervisors/leaders read the log', async () => {
    const investigator = await t.login('yb-610300-investigator');
    expect(code(await t.gql('{ auditLog { totalCount } }', {}, investigator))).toBe('FORBIDDEN');
    expect(code(await t.gql('{ verifyAuditChain { valid } }', {}, investigator))).toBe('FORBIDDEN');
  });

  it('paginates newest first with stable cursors', async () => {
    const first = await t.gql(
      '{ auditLog(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
      {},
      auditor,
    );
    const next = await t.gql(
      'query($a: String) { auditLog(first: 2, after: $a) { edges { node { id } } pageInfo { hasPreviousPage } } }',
      { a: first.data.auditLog.pageInfo.endCursor },
      auditor,
    );
    expect(first.data.auditLog.pageInfo.hasNextPage).toBe(true);
    const ids = [...first.data.auditLog.edges, ...next.data.auditLog.edges].map(
      (e: { node: { id: string } }) => e.node.id,
    );
    expect(new Set(ids).size).toBe(4);
    expect(next.data.auditLog.pageInfo.hasPreviousPage).toBe(true);
  });

  it('refuses UPDATE and DELETE through the append-only trigger', async () => {
    await expect(t.services.db.query(`UPDATE audit_log SET action = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.services.db.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
  });

  it('keeps the chain whole under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => appendAudit(t.services.db, { action: 'test.concurrent', detail: { i } })),
    );
    expect((await verifyAuditChain(t.services.db)).valid).toBe(true);
  });

  it('verifyAuditChain finds an edited entry and a deleted entry', async () => {
    const ok = await t.gql('{ verifyAuditChain { valid checked firstBrokenId } }', {}, auditor);
    expect(ok.data.verifyAuditChain).toMatchObject({ valid: true, firstBrokenId: null });
    expect(ok.data.verifyAuditChain.checked).toBeGreaterThan(5);

    // An attacker with database superuser rights disables the guard and edits history.
    const [victim] = await t.services.db.query(
      `SELECT id, detail FROM audit_log WHERE action = 'mutation.createUser' LIMIT 1`,
    );
    await t.services.db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    try {
      await t.services.db.query(`UPDATE audit_log SET detail = '{"args":{}}' WHERE id = $1`, [victim.id]);
      expect(await verifyAuditChain(t.services.db)).toMatchObject({ valid: false, firstBrokenId: String(victim.id) });

      await t.services.db.query(`UPDATE audit_log SET detail = $2 WHERE id = $1`, [victim.id, victim.detail]);
      expect((await verifyAuditChain(t.services.db)).valid).toBe(true);

      // Deleting an entry breaks the link of the one after it.
      const [gone, after] = await t.services.db.query(
        `SELECT id FROM audit_log WHERE action = 'test.concurrent' ORDER BY id LIMIT 2 OFFSET 5`,
      );
      await t.services.db.query(`DELETE FROM audit_log WHERE id = $1`, [gone.id]);
      expect(await verifyAuditChain(t.services.db)).toMatchObject({ valid: false, firstBrokenId: String(after.id) });
    } finally {
      await t.services.db.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
    }
    const gql = await t.gql('{ verifyAuditChain { valid firstBrokenId } }', {}, auditor);
    expect(gql.data.verifyAuditChain.valid).toBe(false);
    expect(gql.data.verifyAuditChain.firstBrokenId).toBeTruthy();
  });
});
