/**
 * `npm run collide` knows this deployment's workers for sure (issue 16, item 1): two
 * deployments with the same queue prefix on one Redis server, in databases 8 and 9. A worker
 * of the db-9 deployment used to make the db-8 command believe its queue was served (BullMQ's
 * getWorkersCount counts the clients of the whole server) and wait an hour; it now hosts its
 * own workers. And a run that makes no progress fails fast with a message that says why.
 */
import { spawn } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { QUEUES } from '../../src/queues';
import { startWorkers } from '../../workers';
import { createTestEnv, TestEnv, uniqueName } from '../support/harness';

const COLLIDE = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'collide.js');

function collide(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [COLLIDE, '--from', '2025-01-01', '--to', '2025-01-31', '--models', 'DEATH_AFTER', '--timeout', '120'],
    {
      env: { ...process.env, NODE_ENV: 'test', ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run collide and the workers of its deployment', () => {
  const prefix = uniqueName('q');
  let db8: TestEnv;

  beforeAll(async () => {
    db8 = await createTestEnv({ REDIS_URL: 'redis://127.0.0.1:6379/8', QUEUE_PREFIX: prefix });
  });
  afterAll(async () => {
    await db8.close();
  });

  it('hosts its own workers although another database of the same server has workers with the same prefix', async () => {
    const db9Config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: db8.databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379/9',
      QUEUE_PREFIX: prefix,
    });
    const db9 = await createServices(db9Config);
    const other = await startWorkers(db9);
    try {
      const res = await collide({
        DATABASE_URL: db8.databaseUrl,
        REDIS_URL: 'redis://127.0.0.1:6379/8',
        QUEUE_PREFIX: prefix,
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toMatchObject({ status: 'SUCCEEDED' });
    } finally {
      await other.close(2000);
      const keys = await db9.redis.keys(`${prefix}:*`);
      if (keys.length) await db9.redis.del(...keys);
      await db9.close();
    }
  });

  it('gives up, saying why, when Redis accepts the connection but never answers (it waited forever)', async () => {
    // Found by the fault campaign: after a Redis restart a collide command sat on a silent socket
    // with no timer left, and the campaign never ended. A server that accepts and says nothing.
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const res = await Promise.race([
        collide({
          DATABASE_URL: db8.databaseUrl,
          REDIS_URL: `redis://127.0.0.1:${port}/8`,
          QUEUE_PREFIX: prefix,
          COLLIDE_STALL_SECONDS: '2',
        }),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000)),
      ]);
      expect(res).not.toBeNull();
      expect(res!.code).toBe(1);
      expect(res!.stderr).toMatch(/not started within 2 s \(COLLIDE_STALL_SECONDS\)/);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('fails fast, saying why, when a run makes no progress (a worker announced but not working)', async () => {
    // A heartbeat of a worker that takes no jobs (hung, or of a broken build).
    await db8.services.redis.set(`${prefix}:heartbeat:${QUEUES.collision}:ghost`, '1', 'PX', 60_000);
    const res = await collide({
      DATABASE_URL: db8.databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379/8',
      QUEUE_PREFIX: prefix,
      COLLIDE_STALL_SECONDS: '2',
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /made no progress for 2 s \(COLLIDE_STALL_SECONDS\): no collision worker of this deployment/,
    );
  });
});
