/**
 * Operations (PRODUCT.md §8): the admins' queue dashboard on the API, the API's /metrics
 * (queue depth per queue and state, hits per model) and a worker process's own metrics
 * endpoint (job durations and outcomes).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { findRun, startCollisionRun } from '../../src/domain/collision/collision-run.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { createQueue, QUEUES, workerConnection } from '../../src/queues';
import { startTestApi, TEST_PASSWORD, TestApi, waitFor } from '../support/harness';

const DIST = join(__dirname, '..', '..', 'dist');

let t: TestApi;
let admin: string;
let investigator: string;
const base = () => t.api.url.replace('/graphql', '');

beforeAll(async () => {
  t = await startTestApi();
  await seedRegions(t.services);
  await seedDepartmentsAndUsers(t.services, TEST_PASSWORD);
  admin = await t.login('yb-610000-admin');
  investigator = await t.login('yb-610000-investigator');
}, 120_000);
afterAll(() => t?.close());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The value of one sample of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const apiMetrics = async () => (await fetch(`${base()}/metrics`)).text();

async function auditActions(actorUsername: string): Promise<{ action: string; detail: any }[]> {
  return t.services.db.query(
    `SELECT a.action, a.detail FROM audit_log a JOIN app_user u ON u.id = a.actor_id WHERE u.username = $1 ORDER BY a.id`,
    [actorUsername],
  );
}

describe('queue dashboard (/admin/queues)', () => {
  it('refuses without a token or with an invalid one (401), and a signed-in non-admin (403, audited)', async () => {
    const none = await fetch(`${base()}/admin/queues/api/queues`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const forged = await fetch(`${base()}/admin/queues/api/queues`, { headers: bearer(`${admin.slice(0, -4)}AAAA`) });
    expect(forged.status).toBe(401);
    const wrongCookie = await fetch(`${base()}/admin/queues/api/queues`, {
      headers: { cookie: 'fs_admin_token=not-a-token' },
    });
    expect(wrongCookie.status).toBe(401);

    const nonAdmin = await fetch(`${base()}/admin/queues/api/queues`, { headers: bearer(investigator) });
    expect(nonAdmin.status).toBe(403);
    expect(((await nonAdmin.json()) as any).errors[0].extensions.code).toBe('FORBIDDEN');
    const page = await fetch(`${base()}/admin/queues/`, { headers: bearer(investigator) });
    expect(page.status).toBe(403);
    expect(await auditActions('yb-610000-investigator')).toContainEqual(
      expect.objectContaining({
        action: 'denied',
        detail: expect.objectContaining({ path: '/admin/queues/api/queues' }),
      }),
    );
  });

  it('a browser without a session gets the sign-in form', async () => {
    const res = await fetch(`${base()}/admin/queues/`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('<form method="post" action="/admin/session">');
  });

  it('opens for an admin and lists every queue of src/queues.ts under our QUEUE_PREFIX', async () => {
    const routing = createQueue(t.config, QUEUES.routing);
    try {
      await routing.add('route-clue', { clueId: '00000000-0000-0000-0000-000000000000' });
      const res = await fetch(`${base()}/admin/queues/api/queues`, { headers: bearer(admin) });
      expect(res.status).toBe(200);
      const { queues } = (await res.json()) as { queues: { name: string; counts: Record<string, number> }[] };
      expect(queues.map((q) => q.name).sort()).toEqual(Object.values(QUEUES).sort());
      expect(queues.find((q) => q.name === QUEUES.routing)?.counts.waiting).toBe(1);

      const page = await fetch(`${base()}/admin/queues/`, { headers: bearer(admin) });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
    } finally {
      await routing.obliterate({ force: true });
      await routing.close();
    }
  });

  it('a browser session: POST /admin/session sets an HttpOnly cookie for admins only; DELETE ends it', async () => {
    const refused = await fetch(`${base()}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: investigator }),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    const invalid = await fetch(`${base()}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'garbage' }),
    });
    expect(invalid.status).toBe(401);

    // The sign-in form posts urlencoded and is redirected to the board.
    const opened = await fetch(`${base()}/admin/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: admin }).toString(),
      redirect: 'manual',
    });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/admin/queues/');
    const setCookie = opened.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^fs_admin_token=[^;]+; Path=\/admin; HttpOnly; SameSite=Strict$/);
    const sessionCookie = setCookie.split(';')[0];

    const board = await fetch(`${base()}/admin/queues/api/queues`, { headers: { cookie: sessionCookie } });
    expect(board.status).toBe(200);

    const closed = await fetch(`${base()}/admin/session`, { method: 'DELETE', headers: { cookie: sessionCookie } });
    expect(closed.status).toBe(204);
    expect(closed.headers.get('set-cookie')).toMatch(/^fs_admin_token=; Path=\/admin; Expires=Thu, 01 Jan 1970/);
  });

  it('audits opening the board and every action taken on it', async () => {
    expect((await fetch(`${base()}/admin/queues/queue/${QUEUES.collision}`, { headers: bearer(admin) })).status).toBe(
      200,
    );
    const pause = await fetch(`${base()}/admin/queues/api/queues/${QUEUES.collision}/pause`, {
      method: 'PUT',
      headers: bearer(admin),
    });
    expect(pause.status).toBe(200);
    const collision = createQueue(t.config, QUEUES.collision);
    try {
      expect(await collision.isPaused()).toBe(true);
      const resume = await fetch(`${base()}/admin/queues/api/queues/${QUEUES.collision}/resume`, {
        method: 'PUT',
        headers: bearer(admin),
      });
      expect(resume.status).toBe(200);
      expect(await collision.isPaused()).toBe(false);
    } finally {
      await collision.close();
    }
    const entries = await auditActions('yb-610000-admin');
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'queueDashboard.open',
          detail: expect.objectContaining({ path: '/admin/queues/queue/collision' }),
        }),
        expect.objectContaining({
          action: 'queueDashboard.action',
          detail: expect.objectContaining({ method: 'PUT', path: '/admin/queues/api/queues/collision/pause' }),
        }),
        expect.objectContaining({
          action: 'queueDashboard.action',
          detail: expect.objectContaining({ method: 'PUT', path: '/admin/queues/api/queues/collision/resume' }),
        }),
      ]),
    );
    // The board's polling API is not audited, only page loads and actions.
    expect(entries.filter((e) => e.detail?.path === '/admin/queues/api/queues')).toEqual([]);
  });
});

describe('API /metrics', () => {
  it('reports the depth of each queue and state, read from Redis at scrape', async () => {
    const routing = createQueue(t.config, QUEUES.routing);
    const collision = createQueue(t.config, QUEUES.collision);
    try {
      await routing.addBulk([
        { name: 'route-clue', data: { clueId: 'a' } },
        { name: 'route-clue', data: { clueId: 'b' } },
      ]);
      await collision.add('collision-job', { runId: 'x', model: 'M', slice: '' }, { delay: 3_600_000 });
      const text = await apiMetrics();
      expect(text).toContain('# TYPE queue_jobs gauge');
      expect(sample(text, 'queue_jobs', { queue: 'routing', state: 'waiting' })).toBe(2);
      expect(sample(text, 'queue_jobs', { queue: 'collision', state: 'delayed' })).toBe(1);
      expect(sample(text, 'queue_jobs', { queue: 'maintenance', state: 'waiting' })).toBe(0);
      for (const state of ['waiting', 'prioritized', 'active', 'delayed', 'failed']) {
        expect(sample(text, 'queue_jobs', { queue: 'collision', state })).toBeDefined();
      }

      await routing.obliterate({ force: true });
      await collision.obliterate({ force: true });
      const after = await apiMetrics();
      expect(sample(after, 'queue_jobs', { queue: 'routing', state: 'waiting' })).toBe(0);
      expect(sample(after, 'queue_jobs', { queue: 'collision', state: 'delayed' })).toBe(0);
    } finally {
      await routing.close();
      await collision.close();
    }
  });

  it('labels requests no route matched by their mount, not their path (bounded series)', async () => {
    await fetch(`${base()}/no-such-page-${Date.now()}`);
    await fetch(`${base()}/admin/queues/api/queues-${Date.now()}`);
    const text = await apiMetrics();
    expect(text).not.toMatch(/route="\/no-such-page/);
    expect(text).not.toMatch(/route="\/admin\/queues\/api\/queues-/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="other"[^}]*status="404"/);
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/admin\/queues"[^}]*status="401"/);
  });

  it('reports hits per model as 0 for every model before any run', async () => {
    const text = await apiMetrics();
    expect(sample(text, 'collision_hits', { model: 'DEATH_AFTER' })).toBe(0);
    expect(sample(text, 'collision_hits', { model: 'OVERLAPPING_INPATIENT' })).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a worker process (npm run worker) with WORKER_METRICS_PORT', () => {
  let child: ChildProcess;
  let workerMetricsUrl: string;
  let output = '';
  const workerMetrics = async () => (await fetch(workerMetricsUrl)).text();

  beforeAll(async () => {
    const port = await freePort();
    workerMetricsUrl = `http://127.0.0.1:${port}/metrics`;
    child = spawn(process.execPath, [join(DIST, 'src', 'cli', 'worker.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: t.databaseUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
        WORKER_METRICS_PORT: String(port),
      },
    });
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    await waitFor(
      `the worker to start: ${output}`,
      async () => output.includes('workers started') && output.includes('worker metrics listening'),
    );
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  });

  it('times each job it processes, by queue, job name and outcome', async () => {
    const maintenance = new Queue(QUEUES.maintenance, {
      connection: workerConnection(t.config),
      prefix: t.config.queuePrefix,
    });
    try {
      const job = await maintenance.add('verify-audit-chain', {});
      // The job's state, polled: a QueueEvents listener can miss a job the worker finishes before
      // its first read of the event stream (it did on CI). A spawned worker on a loaded CI
      // machine: give it time, and say what it printed.
      const state = await waitFor(
        'the job to finish',
        async () => {
          const now = await job.getState();
          return (now === 'completed' || now === 'failed') && now;
        },
        60_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nworker output:\n${output}`);
      });
      expect(state).toBe('completed');
    } finally {
      await maintenance.close();
    }
    const labels = { queue: 'maintenance', name: 'verify-audit-chain' };
    const text = await waitFor('the job to be counted', async () => {
      const body = await workerMetrics();
      return (sample(body, 'jobs_completed_total', labels) ?? 0) >= 1 && body;
    });
    expect(text).toContain('# TYPE job_duration_seconds histogram');
    expect(sample(text, 'job_duration_seconds_count', { ...labels, status: 'completed' })).toBe(1);
    expect(sample(text, 'job_duration_seconds_sum', { ...labels, status: 'completed' })).toBeGreaterThan(0);
    expect(sample(text, 'job_duration_seconds_bucket', { ...labels, status: 'completed', le: '+Inf' })).toBe(1);
    expect(sample(text, 'jobs_completed_total', labels)).toBe(1);
    expect(text).toContain('process_cpu_user_seconds_total');
  }, 90_000);

  it('after a collision run, the API reports the hits per model and the worker the collision job it ran', async () => {
    const q = (sql: string, params: unknown[] = []) => t.services.db.query(sql, params);
    // DEATH_AFTER: one settlement after the insured person's death (as in collision-models.test.ts).
    await q("SELECT ensure_month_partitions('2025-03-01', '2025-03-31')");
    await q(
      `INSERT INTO institution (code, name, kind, level, ownership, region_code) VALUES ('H1', 'H1', 'HOSPITAL', 'SECONDARY', 'PUBLIC', '610302')`,
    );
    await q(
      `INSERT INTO person (person_id, name, region_code, death_date, is_public_official) VALUES ('D', 'D', '610302', '2025-03-10', false)`,
    );
    await q(`INSERT INTO settlement_key (settlement_id, settled_on) VALUES ('DA1', '2025-03-11')`);
    await q(
      `INSERT INTO settlement (settlement_id, person_id, institution_code, visit_type, settled_at, settled_on, total_amount, fund_amount, self_amount)
       VALUES ('DA1', 'D', 'H1', 'OUTPATIENT', '2025-03-11T10:00:00+08:00', '2025-03-11', 98.10, 88.10, 10)`,
    );
    const run = await startCollisionRun(t.services, { models: ['DEATH_AFTER'], from: '2025-03-01', to: '2025-03-31' });
    const done = await waitFor(
      'the collision run',
      async () => {
        const current = await findRun(t.services.db, run.id);
        return current.status === 'SUCCEEDED' || current.status === 'FAILED' ? current : undefined;
      },
      60_000,
    );
    expect(done.status).toBe('SUCCEEDED');

    const api = await apiMetrics();
    expect(sample(api, 'collision_hits', { model: 'DEATH_AFTER' })).toBe(1);
    expect(sample(api, 'collision_hits', { model: 'OVERLAPPING_INPATIENT' })).toBe(0);

    const labels = { queue: 'collision', name: 'collision-job' };
    const worker = await waitFor('the collision job to be counted', async () => {
      const body = await workerMetrics();
      return (sample(body, 'jobs_completed_total', labels) ?? 0) >= 1 && body;
    });
    expect(sample(worker, 'job_duration_seconds_count', { ...labels, status: 'completed' })).toBe(1);
    expect(sample(worker, 'jobs_failed_total', labels)).toBeUndefined();
  });
});
