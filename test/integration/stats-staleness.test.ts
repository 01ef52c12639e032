/**
 * Bounded staleness of the statistics' roll-up (docs/READING.md, "Bounded staleness"): with
 * STATS_MAX_STALENESS_MS = 0 every reading is exact; with a bound, a reading does not refresh a
 * roll-up refreshed less than that long ago, and does not wait for a refresh another connection
 * is running — it reads the roll-up as it is, and `asOf` says which moment it counts up to.
 */
import { Job } from 'bullmq';
import { Client } from 'pg';
import { MAINTENANCE_JOBS } from '../../src/core/constants';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { refreshRollup } from '../../src/domain/stats/stats.repository';
import { supervisionStats } from '../../src/domain/stats/stats.service';
import { Actor } from '../../src/policy';
import { startTestApi, TEST_PASSWORD, TestApi } from '../support/harness';
import { maintenanceQueue } from '../../workers/maintenance.processor';

const MINUTE = 60_000;

describe('supervisionStats: bounded staleness of the roll-up', () => {
  let t: TestApi;
  let actor: Actor;
  let owner: string;
  let today: string;
  const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);

  /** A clue registered now in county 610302. */
  const registerClue = async (code: string) => {
    const [row] = await q(
      `INSERT INTO clue (code, title, source, status, region_code, owner_department_id)
       VALUES ($1::text, $1::text, 'PETITION', 'ASSIGNED', '610302', $2) RETURNING created_at`,
      [code, owner],
    );
    return row.created_at as Date;
  };
  const read = (maxStalenessMs: number) =>
    supervisionStats(t.services.db, actor, '610000', today, today, 'rollup', maxStalenessMs);
  /** The last refresh as long ago as `ms` (time passing, without waiting for it). */
  const refreshedAgo = (ms: number) =>
    q(`UPDATE stats_rollup_state SET refreshed_at = now() - $1::int * interval '1 millisecond'`, [ms]);

  beforeAll(async () => {
    // The API with a bound, to see it applied to the GraphQL reading; the service is called with each bound.
    t = await startTestApi({ STATS_MAX_STALENESS_MS: String(MINUTE) });
    await seedRegions(t.services);
    await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
    const [leader] = await q(
      `SELECT u.id, d.id AS department_id FROM app_user u JOIN department d ON d.id = u.department_id
       WHERE 'LEADER' = ANY(u.roles) AND d.region_code = '610000' LIMIT 1`,
    );
    actor = {
      userId: leader.id,
      username: 'leader',
      roles: ['LEADER'],
      department: { id: leader.department_id, kind: 'DISCIPLINE', regionCode: '610000', regionLevel: 'PROVINCE' },
    };
    [{ id: owner }] = await q(`SELECT id FROM department WHERE region_code = '610302' AND kind = 'MEDICAL_INSURANCE'`);
    [{ today }] = await q(`SELECT to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS today`);
  });
  afterAll(() => t.close());

  it('is exact with 0: every reading counts every change committed before it', async () => {
    const before = (await read(0)).cluesReceived;
    const createdAt = await registerClue('EXACT-1');
    const after = await read(0);
    expect(after.cluesReceived).toBe(before + 1);
    expect(after.asOf.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
  });

  it('with a bound, does not refresh a roll-up refreshed within it, and says how old it is', async () => {
    const fresh = await read(0);
    const [{ refreshed_at: refreshedAt }] = await q('SELECT refreshed_at FROM stats_rollup_state');
    await registerClue('BOUNDED-1');

    const stale = await read(MINUTE);
    expect(stale.cluesReceived).toBe(fresh.cluesReceived);
    expect(stale.asOf).toEqual(refreshedAt);
    // The same reading through the API, which applies STATS_MAX_STALENESS_MS.
    const token = await t.login('yb-610000-leader');
    const res = await t.gql(
      `query($d: Date!) { supervisionStats(regionCode: "610000", from: $d, to: $d) { cluesReceived asOf } }`,
      { d: today },
      token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.supervisionStats).toEqual({
      cluesReceived: fresh.cluesReceived,
      asOf: refreshedAt.toISOString(),
    });

    // Once the last refresh is older than the bound, the next reading brings it up to date.
    await refreshedAgo(MINUTE + 1000);
    const caughtUp = await read(MINUTE);
    expect(caughtUp.cluesReceived).toBe(fresh.cluesReceived + 1);
    expect(caughtUp.asOf.getTime()).toBeGreaterThan(refreshedAt.getTime());
  });

  it('with a bound, reads the roll-up as it is while another connection refreshes it, instead of waiting', async () => {
    const upToDate = (await read(0)).cluesReceived;
    await registerClue('CONCURRENT-1');
    await refreshedAgo(2 * MINUTE);
    const [{ refreshed_at: oldRefresh }] = await q('SELECT refreshed_at FROM stats_rollup_state');

    // A refresh under way elsewhere: its transaction holds the state row.
    const other = new Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT * FROM stats_rollup_state FOR UPDATE');

      const bounded = await read(MINUTE);
      expect(bounded.cluesReceived).toBe(upToDate); // CONCURRENT-1 is not counted yet
      expect(bounded.asOf).toEqual(oldRefresh);

      // An exact reading waits for that refresh (on the row lock) instead.
      const exact = read(0);
      await waitForLockWaiter(other);
      await other.query('COMMIT');
      expect((await exact).cluesReceived).toBe(upToDate + 1);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
    }
  });

  it('concurrent bounded readings refresh once, and none waits for another', async () => {
    await read(0);
    await registerClue('MANY-1');
    await refreshedAgo(2 * MINUTE);
    const refreshes = await Promise.all(Array.from({ length: 8 }, () => refreshRollup(t.services.db, MINUTE)));
    // One reading recomputed today; the others found it under way (or just done) and read on.
    expect(refreshes.filter((r) => r.recomputed > 0)).toHaveLength(1);
    expect((await read(MINUTE)).cluesReceived).toBe((await read(0)).cluesReceived);
  });
});

describe('the maintenance sweep', () => {
  it('brings the roll-up up to date, so that readers find nothing to refresh', async () => {
    const t = await startTestApi();
    try {
      await seedRegions(t.services);
      await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
      await refreshRollup(t.services.db, 0); // the first build (a new database asks for a rebuild)
      await t.services.db.query(`UPDATE stats_rollup_state SET refreshed_at = now() - interval '1 hour'`);
      await t.services.db.query(`INSERT INTO stats_dirty_day (day) VALUES (current_date)`);
      const sweep = (await maintenanceQueue.process(t.services, { name: MAINTENANCE_JOBS.deadlineSweep } as Job)) as {
        statsDaysRefreshed: number;
      };
      expect(sweep.statsDaysRefreshed).toBeGreaterThanOrEqual(1);
      expect(await refreshRollup(t.services.db, 0)).toMatchObject({ recomputed: 0 });
    } finally {
      await t.close();
    }
  });
});

/** Resolves once a backend other than `holder` waits for a lock of the test's database. */
async function waitForLockWaiter(holder: Client): Promise<void> {
  for (;;) {
    const { rows } = await holder.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE NOT l.granted AND a.datname = current_database() AND a.pid <> pg_backend_pid()`,
    );
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
