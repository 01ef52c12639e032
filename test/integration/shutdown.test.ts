/**
 * Graceful shutdown (issue 16, item 0b): `npm run serve` given SIGTERM while a client holds an
 * idle keep-alive connection closes it at once and exits 0 — it used to wait its full 10 s
 * and exit 1, because Apollo's own signal handler closed the HTTP server under ours (only
 * outside NODE_ENV=test, so the process runs as in development here).
 */
import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { createTestEnv, TestEnv } from '../support/harness';

const SERVE = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'serve.js');

describe('API shutdown', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
  });
  afterAll(() => t.close());

  function startServe(port: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, [SERVE], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        PORT: String(port),
        DATABASE_URL: t.databaseUrl,
        QUEUE_PREFIX: t.config.queuePrefix,
      },
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`API did not start: ${output}`)), 20_000);
      const read = (d: Buffer) => {
        output += d;
        if (output.includes('API listening')) {
          clearTimeout(timer);
          resolve(child);
        }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
    });
  }

  it('closes an idle keep-alive connection at once on SIGTERM and exits 0', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = await startServe(port);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const status = await new Promise<number>((resolve, reject) =>
        http
          .get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          })
          .on('error', reject),
      );
      expect(status).toBe(200);
      child.kill('SIGTERM');
      // Exit 1 is the forced exit after 10 s (serve.ts): 0 means the connection did not hold it.
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
    } finally {
      agent.destroy();
      child.kill('SIGKILL');
    }
  });
});
