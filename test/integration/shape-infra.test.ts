/**
 * The infrastructure's error handling and transaction rules: a batch loader keeps failures,
 * the direct ingest path hands over to the staged path only for what it is meant for, and a
 * mutation's audit entry commits with the change it records.
 */
import DataLoader from 'dataloader';
import { join } from 'node:path';
import { Client } from 'pg';
import * as copyBinary from '../../src/domain/ingest/copy-binary';
import { NotDirect } from '../../src/domain/ingest/ingest.files';
import { IngestBatchError, ingestBatch } from '../../src/domain/ingest/ingest.service';
import { appendAudit } from '../../src/domain/audit/audit.service';
import { inTransaction, withBeforeCommit } from '../../src/db/transaction';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { loadPresent } from '../../src/graphql/loaders';
import { createTestEnv, startTestApi, TEST_PASSWORD, TestApi, TestEnv } from '../support/harness';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ingest');

describe('loadPresent', () => {
  const loader = () =>
    new DataLoader<string, string | null>(async (keys) =>
      keys.map((k) => (k === 'missing' ? null : k === 'broken' ? new Error(`cannot load ${k}`) : k.toUpperCase())),
    );

  it('leaves out the keys without a row, in key order', async () => {
    expect(await loadPresent(loader(), ['a', 'missing', 'b'])).toEqual(['A', 'B']);
  });

  it('throws a failed load instead of dropping it', async () => {
    await expect(loadPresent(loader(), ['a', 'broken', 'missing'])).rejects.toThrow('cannot load broken');
  });
});

describe('ingest: the direct path hands over to the staged path', () => {
  let t: TestEnv;
  beforeEach(async () => {
    t = await createTestEnv();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  const loadPaths = async () =>
    Object.fromEntries(
      (
        await t.services.db.query<{ file_name: string; load_path: string | null; status: string }[]>(
          `SELECT DISTINCT ON (file_name) file_name, load_path, status FROM ingest_file ORDER BY file_name, id DESC`,
        )
      ).map((r) => [r.file_name, { path: r.load_path, status: r.status }]),
    );

  it('when it decides so (NotDirect): the staged path loads every file, and the reason is logged', async () => {
    jest.spyOn(copyBinary, 'columnTypes').mockRejectedValue(new NotDirect('test: hand over'));
    const logged = jest.spyOn(t.services.log, 'info');
    const summary = await ingestBatch(t.services, join(FIXTURES, 'valid'));
    expect(summary.ok).toBe(true);
    const paths = Object.values(await loadPaths());
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).toEqual({ path: 'STAGED', status: 'LOADED' });
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ reason: 'test: hand over' }),
      'ingest: the staged path loads the file',
    );
  });

  it('never for another error: a bug fails the file instead of being hidden by the staged path', async () => {
    jest.spyOn(copyBinary, 'columnTypes').mockRejectedValue(new TypeError('a bug in the direct path'));
    const failure = await ingestBatch(t.services, join(FIXTURES, 'valid')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IngestBatchError);
    expect((failure as IngestBatchError).message).toMatch(/a bug in the direct path/);
    const failed = await t.services.db.query(`SELECT status FROM ingest_file WHERE status = 'FAILED'`);
    expect(failed).toHaveLength(1);
  });
});

describe('inTransaction', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  const entries = async (action: string) =>
    (await t.services.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = $1`, [action]))[0].n;

  it('runs the before-commit hook inside the transaction, after the work, where others cannot see it yet', async () => {
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await withBeforeCommit(
        async (m, result) => {
          expect(result).toEqual({ id: 'row-1' });
          expect(m.queryRunner?.isTransactionActive).toBe(true);
          await appendAudit(m, { action: 'test.hooked', targetId: 'row-1' });
          const seen = await other.query(`SELECT 1 FROM audit_log WHERE action = 'test.hooked'`);
          expect(seen.rowCount).toBe(0);
        },
        () => inTransaction(t.services.db, async () => ({ id: 'row-1' })),
      );
    } finally {
      await other.end();
    }
    expect(await entries('test.hooked')).toBe(1);
  });

  it('rolls the work back when the hook fails, and the hook’s writes with it when the work fails', async () => {
    const failingHook = withBeforeCommit(
      async () => {
        throw new Error('hook failed');
      },
      () => inTransaction(t.services.db, (m) => appendAudit(m, { action: 'test.work' }).then((id) => ({ id }))),
    );
    await expect(failingHook).rejects.toThrow('hook failed');
    expect(await entries('test.work')).toBe(0);
  });
});

describe('a mutation’s audit entry', () => {
  let t: TestApi;
  let admin: string;
  beforeAll(async () => {
    t = await startTestApi();
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    admin = await t.login('yb-610000-admin');
  });
  afterAll(() => t.close());

  it('commits in the transaction of the change it records (createUser), once', async () => {
    const departments = await t.gql('{ departments { id name } }', {}, admin);
    const departmentId = departments.data.departments.find((d: { name: string }) => d.name === '宝鸡市医疗保障局').id;
    const res = await t.gql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      {
        i: {
          username: 'shape.infra',
          password: 'a-long-password-1',
          displayName: '新用户',
          departmentId,
          roles: ['ANALYST'],
        },
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const rows = await t.services.db.query(
      `SELECT a.target_type, a.xmin::text = u.xmin::text AS same_transaction
       FROM audit_log a, app_user u
       WHERE a.action = 'mutation.createUser' AND a.target_id = $1 AND u.username = 'shape.infra'`,
      [res.data.createUser.id],
    );
    expect(rows).toEqual([{ target_type: 'User', same_transaction: true }]);
  });
});
