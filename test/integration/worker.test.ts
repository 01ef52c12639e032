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
    const child = spawn(process.execPath, [join(DIST, 'src', 'cli', 'worker.js')], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: t.databaseUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 15_000);
      child.stdout.on('data', () => {
        if (output.includes('workers started')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(output).toContain('workers stopping');
  });
});
