/**
 * Collision runs end to end: GraphQL runCollision → outbox → BullMQ collision jobs (month
 * slices) → hits → clues → routing, checked against the synthetic oracle; re-running the
 * window changes nothing; a worker SIGKILLed mid-job leaves the run to be completed with
 * exactly the hits of a clean run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRun, startCollisionRun } from '../../src/domain/collision/collision-run.service';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { seedDepartmentsAndUsers } from '../../src/domain/reference/seed.service';
import { generateSyntheticBatch } from '../../src/synth/generator';
import { ExpectedHits } from '../../src/synth/oracle';
import { startWorkers, WorkerHost } from '../../workers';
import { startTestApi, TEST_PASSWORD, TestApi, waitFor } from '../support/harness';
import { code } from '../support/client';

const WINDOW = { from: '2025-03-01', to: '2025-03-31' };
const DIST = join(__dirname, '..', '..', 'dist');

let t: TestApi;
let dir: string;
let expected: ExpectedHits;
let host: WorkerHost | undefined;

beforeAll(async () => {
  t = await startTestApi();
  dir = mkdtempSync(join(tmpdir(), 'collision-run-'));
  await generateSyntheticBatch({ outDir: dir, scale: 0.2, seed: 7, ...WINDOW, withExpectedHits: true });
  expected = JSON.parse(readFileSync(join(dir, 'expected-hits.json'), 'utf8'));
  const summary = await ingestBatch(t.services, dir);
  expect(summary.ok).toBe(true);
  await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
}, 300_000);

afterAll(async () => {
  await host?.close(2000);
  if (dir) rmSync(dir, { recursive: true, force: true });
  await t?.close();
});

const finished = (runId: string) =>
  waitFor(
    `run ${runId}`,
    async () => {
      const run = await findRun(t.services.db, runId);
      return run.status === 'SUCCEEDED' || run.status === 'FAILED' ? run : undefined;
    },
    120_000,
  );

async function hitKeys(): Promise<Record<string, string[]>> {
  const rows: { model: string; keys: string[] }[] = await t.services.db.query(
    `SELECT model, array_agg(hit_key || '=' || amount_involved ORDER BY hit_key COLLATE "C") AS keys FROM collision_hit GROUP BY model`,
  );
  return Object.fromEntries(rows.map((r) => [r.model, r.keys]));
}

const expectedKeys = () =>
  Object.fromEntries(
    Object.entries(expected.hits)
      .filter(([, hits]) => hits.length)
      .map(([model, hits]) => [
        model,
        hits.map((h) => `${h.hitKey}=${h.amountInvolved}`).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)),
      ]),
  );

describe('collision runs', () => {
  it('a worker killed mid-job leaves the run to be retried and completed with exactly the clean hits', async () => {
    const run = await startCollisionRun(t.services, WINDOW);
    const child = spawn(process.execPath, [join(DIST, 'src', 'cli', 'worker.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: t.databaseUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
      },
      stdio: 'ignore',
    });
    try {
      await waitFor('a running collision job', async () => {
        const [row] = await t.services.db.query(
          `SELECT count(*)::int AS n FROM collision_run_job WHERE run_id = $1 AND status = 'RUNNING'`,
          [run.id],
        );
        return row.n > 0;
      });
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.on('exit', resolve));
    expect((await findRun(t.services.db, run.id)).status).toBe('RUNNING');
    host = await startWorkers(t.services);
    const done = await finished(run.id);
    expect(done.status).toBe('SUCCEEDED');
    expect(await hitKeys()).toEqual(expectedKeys());
    const attempts = await t.services.db.query(
      `SELECT max(attempts)::int AS n FROM collision_run_job WHERE run_id = $1`,
      [run.id],
    );
    expect(attempts[0].n).toBeGreaterThanOrEqual(1);
  }, 180_000);

  it('hits became clues per (model, institution) with the summed amount, and the clues were routed', async () => {
    const groups = await t.services.db.query(
      `SELECT count(DISTINCT (model, institution_code))::int AS n, count(*) FILTER (WHERE clue_id IS NULL)::int AS orphans FROM collision_hit`,
    );
    const clues = await t.services.db.query(`SELECT count(*)::int AS n FROM clue WHERE source = 'DATA_COLLISION'`);
    expect(groups[0].orphans).toBe(0);
    expect(clues[0].n).toBe(groups[0].n);
    const mismatched = await t.services.db.query(
      `SELECT c.code FROM clue c JOIN (SELECT clue_id, sum(amount_involved) AS s FROM collision_hit GROUP BY clue_id) h ON h.clue_id = c.id
       WHERE c.amount_involved <> h.s`,
    );
    expect(mismatched).toEqual([]);
    await waitFor('routing of the new clues', async () => {
      const [row] = await t.services.db.query(`SELECT count(*)::int AS n FROM clue WHERE status = 'NEW'`);
      return row.n === 0;
    });
    const rules = await t.services.db.query(`SELECT DISTINCT routing_rule FROM clue WHERE source = 'DATA_COLLISION'`);
    expect(rules.length).toBeGreaterThan(1);
  });

  it('re-running the window through GraphQL changes nothing: no new hits, no new clues', async () => {
    const before = await hitKeys();
    const analyst = await t.login('yb-610000-analyst');
    const res = await t.gql(
      'mutation($i: RunCollisionInput!) { runCollision(input: $i) { id status models from to parameters } }',
      { i: { from: WINDOW.from, to: WINDOW.to, regionCode: '610000' } },
      analyst,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.runCollision).toMatchObject({ status: 'QUEUED', from: WINDOW.from, to: WINDOW.to });
    expect(res.data.runCollision.parameters.SPLIT_ADMISSION).toEqual({ maxGapDays: 15 });
    const runId = Buffer.from(res.data.runCollision.id, 'base64url').toString().split(':')[1];
    const done = await finished(runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', clues_created: 0 });
    expect(await hitKeys()).toEqual(before);
    const inserted = await t.services.db.query(
      `SELECT coalesce(sum(inserted), 0)::int AS n FROM collision_run_job WHERE run_id = $1`,
      [runId],
    );
    expect(inserted[0].n).toBe(0);
    const view = await t.gql(
      'query($id: ID!) { collisionRun(id: $id) { status hitCount cluesCreated jobs { model slice status } } }',
      { id: res.data.runCollision.id },
      analyst,
    );
    expect(view.data.collisionRun.status).toBe('SUCCEEDED');
    expect(view.data.collisionRun.jobs.length).toBeGreaterThanOrEqual(16);
  }, 120_000);

  it('lists hits under the jurisdiction rules, with their evidence', async () => {
    const province = await t.login('yb-610000-analyst');
    const all = await t.gql(
      '{ collisionHits(first: 5) { totalCount edges { node { model hitKey amountInvolved institution { code } settlements { settlementId items { lineNo } } clue { code } firstRun { id } } } } }',
      {},
      province,
    );
    expect(all.errors).toBeUndefined();
    const total = Object.values(expected.hits).reduce((n, h) => n + h.length, 0);
    expect(all.data.collisionHits.totalCount).toBe(total);
    const county = await t.login('yb-610302-analyst');
    const local = await t.gql(
      '{ collisionHits(first: 100) { totalCount edges { node { institution { region { code } } } } } }',
      {},
      county,
    );
    for (const e of local.data.collisionHits.edges) expect(e.node.institution.region.code).toBe('610302');
    // Police see no runs, and hits only through the clues routed to police departments.
    const police = await t.login('ga-610000-leader');
    const [viaClues] = await t.services.db.query(
      `SELECT count(*)::int AS n FROM collision_hit h JOIN clue c ON c.id = h.clue_id
       JOIN department d ON d.id = c.owner_department_id WHERE d.kind = 'PUBLIC_SECURITY'`,
    );
    expect((await t.gql('{ collisionHits { totalCount } collisionRuns { totalCount } }', {}, police)).data).toEqual({
      collisionHits: { totalCount: viaClues.n },
      collisionRuns: { totalCount: 0 },
    });
    const byModel = await t.gql('{ collisionHits(filter: { model: SPLIT_ADMISSION }) { totalCount } }', {}, province);
    expect(byModel.data.collisionHits.totalCount).toBe(expected.hits.SPLIT_ADMISSION.length);
  });

  it('npm run collide starts a run through the queue and prints the summary line', async () => {
    // Asynchronous: this process hosts the workers the command will find and use.
    const child = spawn(
      process.execPath,
      [
        join(DIST, 'src', 'cli', 'collide.js'),
        '--from',
        WINDOW.from,
        '--to',
        WINDOW.to,
        '--models',
        'DEATH_AFTER,SPLIT_ADMISSION',
      ],
      { env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: t.databaseUrl, QUEUE_PREFIX: t.config.queuePrefix } },
    );
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const res = { status, stdout };
    expect(res.status).toBe(0);
    const summary = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({
      status: 'SUCCEEDED',
      hits: { DEATH_AFTER: expected.hits.DEATH_AFTER.length, SPLIT_ADMISSION: expected.hits.SPLIT_ADMISSION.length },
      clues: 0,
    });
    expect(Object.keys(summary)).toEqual(['runId', 'status', 'hits', 'clues']);
  }, 150_000);

  it('only 医保 analysts and leaders start runs, inside their jurisdiction', async () => {
    const input = { i: { from: WINDOW.from, to: WINDOW.to, regionCode: '610000' } };
    const mutation = 'mutation($i: RunCollisionInput!) { runCollision(input: $i) { id } }';
    expect(code(await t.gql(mutation, input, await t.login('yb-610302-analyst')))).toBe('FORBIDDEN');
    expect(code(await t.gql(mutation, input, await t.login('wj-610000-leader')))).toBe('FORBIDDEN');
    const bad = await t.gql(
      mutation,
      { i: { from: '2025-03-31', to: '2025-03-01', regionCode: '610000' } },
      await t.login('yb-610000-leader'),
    );
    expect(code(bad)).toBe('BAD_USER_INPUT');
  });
});
