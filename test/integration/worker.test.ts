import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startWorkers } from '../../workers';
import { createQueue, QUEUES } from '../../src/queues';
import { createTestEnv, TestEnv, waitFor } from '../support/harness';

const DIST = join(__dirname, '..', '..', 'dist');

describe('worker process', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  it('hosts the registered queues, upserts their schedulers and runs jobs', async () => {
    const host = await startWorkers(t.services);
    const queue = createQueue(t.config, QUEUES.maintenance);
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toContain('verify-audit-chain');
      const job = await queue.add('verify-audit-chain', {});
      // Polled rather than awaited through QueueEvents, which can miss a job finished before
      // its first read of the event stream.
      const state = await waitFor(
        'the job to finish',
        async () => {
          const now = await job.getState();
          return (now === 'completed' || now === 'failed') && now;
        },
        10_000,
      );
      expect(state).toBe('completed');
      expect((await queue.getJob(job.id!))!.returnvalue).toMatchObject({ valid: true });
    } finally {
      await queue.close();
      await host.close(2000);
    }
  });

  it('the worker CLI starts, then stops cleanly on SIGTERM', async () => {
    const child = spawnWorkerCli();
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await waitFor('the worker to start', async () => output.includes('workers started'), 15_000);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(output).toContain('workers stopping');
  });

  it('on SIGTERM with a job running, finishes the job, then exits 0 (issue 16, item 0b)', async () => {
    const child = spawnWorkerCli();
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await waitFor('the worker to start', async () => output.includes('workers started'), 15_000);
    // The audit check blocks on a lock the test holds: a job that is running when SIGTERM comes.
    const holder = await t.services.db.createQueryRunner();
    const queue = createQueue(t.config, QUEUES.maintenance);
    try {
      await holder.startTransaction();
      await holder.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
      const job = await queue.add('verify-audit-chain', {});
      await waitFor('the job to be running', async () => (await job.getState()) === 'active', 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const signalled = Date.now();
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(child.exitCode).toBeNull(); // still waiting for its job
      await holder.rollbackTransaction();
      expect(await exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(8000); // not the forced close after 10 s
      expect(await job.getState()).toBe('completed');
      expect(output).not.toContain('did not finish in time');
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
      await queue.close();
      child.kill('SIGKILL');
    }
  });

  function spawnWorkerCli() {
    return spawn(process.execPath, [join(DIST, 'src', 'cli', 'worker.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: t.databaseUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
      },
    });
  }
});
