/**
 * A worker process through a Redis restart (the fault campaign's `restart-redis`, bench/faults):
 * a job that finishes while Redis is away cannot be marked completed; the process stays up, logs
 * the lost connection ('worker connection error'), reconnects, and takes jobs again.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { createTestEnv, TestEnv, waitFor } from '../support/harness';

const WORKER = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'worker.js');

describe('worker process and a Redis restart', () => {
  let t: TestEnv;
  let dir: string;
  const port = 21_000 + Math.floor(Math.random() * 20_000);
  let redis: ChildProcess | null = null;

  const startRedis = async () => {
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(
      'redis',
      async () => spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG',
      10_000,
    );
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-outage-'));
    await startRedis();
    t = await createTestEnv();
  });
  afterAll(async () => {
    redis?.kill('SIGKILL');
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stays up while Redis is down and runs jobs once it is back', async () => {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        DATABASE_URL: t.databaseUrl,
        REDIS_URL: `redis://127.0.0.1:${port}`,
        QUEUE_PREFIX: t.config.queuePrefix,
      },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      await waitFor('the worker to start', async () => output.includes('workers started'), 20_000);
      // A job running when Redis goes: it finishes while Redis is away (the test holds it on a lock).
      const holder = t.services.db.createQueryRunner();
      await holder.startTransaction();
      await holder.query('LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE');
      const before = new Queue('maintenance', { connection: { port }, prefix: t.config.queuePrefix });
      try {
        const running = await before.add('verify-audit-chain', {});
        await waitFor('the job to run', async () => (await running.getState()) === 'active', 10_000);
      } finally {
        await before.close();
      }
      redis!.kill('SIGKILL');
      await holder.rollbackTransaction();
      await holder.release();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect({ exitCode: child.exitCode, output: child.exitCode === null ? '' : output.slice(-2000) }).toEqual({
        exitCode: null,
        output: '',
      });
      await startRedis();
      const queue = new Queue('maintenance', { connection: { port }, prefix: t.config.queuePrefix });
      try {
        const job = await queue.add('verify-audit-chain', {});
        await waitFor('the job to complete', async () => (await job.getState()) === 'completed', 30_000);
      } finally {
        await queue.close();
      }
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
