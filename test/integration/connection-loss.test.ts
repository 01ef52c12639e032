/**
 * A lost PostgreSQL connection (found by the fault campaign, bench/faults): with the app's
 * backends terminated, a request answered 500 "Context creation failed: terminating connection
 * due to administrator command", and a mutation whose re-read after COMMIT lost its connection
 * answered an error although its change was stored. Now a read outside a transaction runs again
 * once, and a transaction that lost its connection before COMMIT runs again from the start.
 */
import { Client } from 'pg';
import { inTransaction } from '../../src/db/transaction';
import { isReadOnly } from '../../src/db/connection-loss';
import { startTestApi, TestApi } from '../support/harness';
import { seedWorkflowFixtures } from '../support/workflow-fixtures';

describe('lost database connections', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi();
    await seedWorkflowFixtures(t.services);
    await t.services.db.query('CREATE TABLE retry_probe (n int NOT NULL)');
  });
  afterAll(() => t.close());

  /** Terminates every other backend of the test database (the pool's idle connections among them). */
  async function terminateBackends(): Promise<number> {
    const runner = t.services.db.createQueryRunner();
    try {
      const [row] = await runner.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()`,
      );
      return row.n;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  it('a read outside a transaction whose backend is terminated under it runs again on a fresh connection', async () => {
    const running = t.services.db.query('SELECT pg_sleep(0.5), count(*)::int AS n FROM department').then(
      (rows: { n: number }[]) => rows,
      (error: Error) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(await terminateBackends()).toBeGreaterThan(0);
    const rows = await running;
    if (rows instanceof Error) throw rows;
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it('a write outside a transaction is not run again (its outcome is unknown)', async () => {
    const running = t.services.db.query('INSERT INTO retry_probe (n) SELECT -1 FROM pg_sleep(0.5)').then(
      () => null,
      (error: Error) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await terminateBackends();
    expect((await running)?.message).toMatch(/terminat/i);
    expect(await t.services.db.query('SELECT n FROM retry_probe WHERE n = -1')).toEqual([]);
  });

  it('a request right after the backends were terminated is answered (not 500)', async () => {
    const token = await t.login('yb-610302-investigator');
    await t.gql('{ me { id } }', {}, token);
    await terminateBackends();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let i = 0; i < 5; i++) {
      const res = await t.gql('{ me { username } clues(first: 5) { totalCount } }', {}, token);
      expect(res.errors).toBeUndefined();
      expect(res.data.me.username).toBe('yb-610302-investigator');
    }
  });

  it('a transaction that lost its connection before COMMIT runs again, once stored', async () => {
    let attempts = 0;
    const result = await inTransaction(t.services.db, async (m) => {
      attempts += 1;
      await m.query('INSERT INTO retry_probe (n) VALUES ($1)', [attempts]);
      if (attempts === 1) await m.query('SELECT pg_terminate_backend(pg_backend_pid())');
      return attempts;
    });
    expect(result).toBe(2);
    expect(await t.services.db.query('SELECT n FROM retry_probe WHERE n > 0')).toEqual([{ n: 2 }]);
  });

  it('a transaction whose connection is lost during COMMIT, aborted there, runs again, once stored', async () => {
    // A deferred trigger makes COMMIT itself take 0.5 s; the backend is terminated meanwhile.
    await t.services.db.query(`CREATE TABLE IF NOT EXISTS commit_probe (n int NOT NULL);
      CREATE OR REPLACE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$;
      DROP TRIGGER IF EXISTS commit_probe_slow ON commit_probe;
      CREATE CONSTRAINT TRIGGER commit_probe_slow AFTER INSERT ON commit_probe
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.n = 1) EXECUTE FUNCTION slow_commit();`);
    let attempts = 0;
    let terminated: Promise<unknown> = Promise.resolve();
    const result = await inTransaction(t.services.db, async (m) => {
      attempts += 1;
      await m.query('INSERT INTO commit_probe (n) VALUES ($1)', [attempts]);
      if (attempts === 1) {
        const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
        terminated = new Promise((resolve) => setTimeout(resolve, 250)).then(() =>
          t.services.db.query('SELECT pg_terminate_backend($1)', [pid]),
        );
      }
      return attempts;
    });
    await terminated;
    expect(result).toBe(2);
    expect(await t.services.db.query('SELECT n FROM commit_probe ORDER BY n')).toEqual([{ n: 2 }]);
  });

  it('a transaction whose connection is lost after its COMMIT was done returns its result, not an error', async () => {
    // The commit reached the server, the answer did not: the client must not be told it failed.
    const proto = Object.getPrototypeOf(t.services.db.createQueryRunner());
    const commit = jest.spyOn(proto, 'commitTransaction').mockImplementationOnce(async function (this: any) {
      commit.mockRestore();
      await this.commitTransaction();
      throw new Error('Connection terminated unexpectedly');
    });
    let attempts = 0;
    const result = await inTransaction(t.services.db, async (m) => {
      attempts += 1;
      await m.query('INSERT INTO retry_probe (n) VALUES (100 + $1)', [attempts]);
      return attempts;
    });
    expect(result).toBe(1);
    expect(await t.services.db.query('SELECT n FROM retry_probe WHERE n > 100')).toEqual([{ n: 101 }]);
  });

  it('a transaction whose connection is lost between its statements runs again (not "already released")', async () => {
    // Found by the fault campaign: TypeORM marks a query runner released when its client hears
    // of the lost connection while idle, and the next statement failed with
    // QueryRunnerProviderAlreadyReleasedError, answered INTERNAL_SERVER_ERROR.
    let attempts = 0;
    const result = await inTransaction(t.services.db, async (m) => {
      attempts += 1;
      await m.query('INSERT INTO retry_probe (n) VALUES (200 + $1)', [attempts]);
      if (attempts === 1) {
        const [{ pid }] = await m.query('SELECT pg_backend_pid() AS pid');
        await t.services.db.query('SELECT pg_terminate_backend($1)', [pid]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await m.query('SELECT 1');
      return attempts;
    });
    expect(result).toBe(2);
    expect(await t.services.db.query('SELECT n FROM retry_probe WHERE n > 200')).toEqual([{ n: 202 }]);
  });

  it('a pool client whose backend is terminated while nobody listens does not end the process', async () => {
    // Found by the fault campaign: an API process died of an unhandled 'error' event of a pg
    // client (checked out of the pool, whose idle listener is gone, with none of TypeORM's yet).
    const pool = (t.services.db.driver as unknown as { master: import('pg').Pool }).master;
    const client = await pool.connect();
    try {
      const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
      await t.services.db.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await expect(client.query('SELECT 1')).rejects.toThrow();
    } finally {
      client.release(true);
    }
  });

  it('a statistics reading whose connection is lost mid-reading runs again (was INTERNAL_SERVER_ERROR)', async () => {
    // Found by the fault campaign: the reading (and the roll-up's refresh) ran in TypeORM's own
    // transaction, which nothing retried. The reading is held on a lock of its roll-up table,
    // its backend terminated meanwhile, then the lock released.
    const token = await t.login('yb-610302-leader');
    const STATS = '{ supervisionStats(regionCode: "610302", from: "2025-01-01", to: "2025-12-31") { casesFiled } }';
    const warm = await t.gql(STATS, {}, token);
    expect(warm.errors).toBeUndefined();
    const locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE stats_daily IN ACCESS EXCLUSIVE MODE');
      const reading = t.gql(STATS, {}, token);
      let pid: number | undefined;
      for (let i = 0; i < 100 && pid === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { rows } = await locker.query(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
             AND query LIKE '%stats_daily%' AND pid <> pg_backend_pid()`,
        );
        pid = rows[0]?.pid;
      }
      expect(pid).toBeDefined();
      await locker.query('SELECT pg_terminate_backend($1)', [pid]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await locker.query('COMMIT');
      const res = await reading;
      expect(res.errors).toBeUndefined();
      expect(res.data.supervisionStats.casesFiled).toBe(warm.data.supervisionStats.casesFiled);
    } finally {
      await locker.end();
    }
  });

  it('a failure that is not a lost connection is not retried', async () => {
    let attempts = 0;
    await expect(
      inTransaction(t.services.db, async (m) => {
        attempts += 1;
        await m.query('SELECT 1/0');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(attempts).toBe(1);
  });

  it('only statements that change nothing are read again', () => {
    expect(isReadOnly('SELECT * FROM clue WHERE id = $1')).toBe(true);
    expect(isReadOnly('  with x AS (SELECT 1) SELECT * FROM x')).toBe(true);
    expect(isReadOnly('WITH x AS (UPDATE clue SET version = 1 RETURNING id) SELECT * FROM x')).toBe(false);
    expect(isReadOnly('SELECT * FROM clue FOR NO KEY UPDATE')).toBe(false);
    expect(isReadOnly("SELECT nextval('clue_code_seq')")).toBe(false);
    expect(isReadOnly('INSERT INTO retry_probe VALUES (1)')).toBe(false);
  });
});
