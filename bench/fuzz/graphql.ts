import 'reflect-metadata';
/**
 * GraphQL fuzzer (issue 16, item 5): hostile requests generated from schema/schema.graphql
 * (graphql-gen.ts) against a real API process, so that a crash shows as the process exiting.
 *
 *   npm run fuzz:graphql -- [--seed 1] [--requests 10000] [--concurrency 4] [--server-heap-mb N] [--keep]
 *
 * Creates a fresh database (FUZZ_DATABASE_URL names the server, default
 * postgres://postgres@127.0.0.1:5432/postgres), migrates it, seeds regions, departments and users
 * and loads the valid ingest fixture; spawns `node dist/src/cli/serve.js` on a free port; registers
 * a few clues and collects the global ids it can see; then sends the requests as 12 seeded users
 * (and sometimes none) and prints one JSON line: requests, status histogram, 5xx count,
 * INTERNAL_SERVER_ERROR count, crashed, the server's RSS (start, end, max, every 10 %) and the top
 * error codes. Exit 1 when a request got a 5xx or an internal error or the server exited.
 * The server's log is kept in the file named by `log`.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../src/app';
import { loadConfig, setConfig } from '../../src/config';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { signAccessToken } from '../../src/domain/auth/jwt';
import { ingestBatch } from '../../src/domain/ingest/ingest.service';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { loadSchema } from './graphql-gen';
import { runGraphqlFuzz } from './graphql-run';
import { Random } from './random';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEED = arg('seed', 1);
const REQUESTS = arg('requests', 10_000);
const CONCURRENCY = arg('concurrency', 4);
const KEEP = process.argv.includes('--keep');
/** --server-heap-mb N: the API runs with --max-old-space-size=N, so retained memory that grows ends it. */
const SERVER_HEAP_MB = arg('server-heap-mb', 0);
const ROOT = join(__dirname, '..', '..', '..');

function databaseUrl(): string {
  const url = new URL(process.env.FUZZ_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/fuzz_${Date.now().toString(36)}_${SEED}`;
  return url.toString();
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const url = databaseUrl();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: url,
    QUEUE_PREFIX: `fuzz${SEED}`,
    PASSWORD_SCRYPT_COST: '10',
  };
  await runMigrations(url);
  const config = loadConfig(env);
  setConfig(config);
  const services = await createServices(config);
  let tokens: string[];
  try {
    await seedRegions(services);
    await seedDepartmentsAndUsers(services, 'fuzz-password-2025');
    await ingestBatch(services, join(ROOT, 'test', 'fixtures', 'ingest', 'valid'));
    const users = (await services.db.query(`SELECT id, username FROM app_user ORDER BY username`)) as {
      id: string;
      username: string;
    }[];
    const chosen = new Random(SEED).sample(users, 10);
    for (const name of ['yb-610302-investigator', 'yb-610000-admin']) {
      const user = users.find((u) => u.username === name);
      if (user) chosen.push(user);
    }
    tokens = chosen.map((u) => signAccessToken(config.jwt, u.id).token);
  } finally {
    await services.close();
  }

  const port = await freePort();
  const logPath = join(tmpdir(), `fuzz-graphql-${SEED}.log`);
  const log = openSync(logPath, 'w');
  const heapFlag = SERVER_HEAP_MB ? [`--max-old-space-size=${SERVER_HEAP_MB}`] : [];
  const server = spawn(process.execPath, [...heapFlag, join(ROOT, 'dist', 'src', 'cli', 'serve.js')], {
    env: { ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', log, log],
  });
  let exit: { code: number | null; signal: string | null } | null = null;
  server.on('exit', (code, signal) => (exit = { code, signal }));
  // Never leave the API behind, even when the fuzzer itself dies.
  process.on('exit', () => server.kill('SIGKILL'));
  const endpoint = `http://127.0.0.1:${port}/graphql`;
  try {
    for (let i = 0; ; i++) {
      if (exit) throw new Error(`the API exited at start: ${JSON.stringify(exit)}, see ${logPath}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 300) throw new Error('the API did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ids = await collectIds(endpoint, tokens);
    const pid = server.pid!;
    const rss = { startMb: rssMb(pid), endMb: 0, maxMb: 0, everyTenth: [] as number[] };
    // The V8 heap in use (prom-client's default metric), every 10 % too: RSS only grows.
    const heapUsedMb: number[] = [await heapUsed(port)];
    const pending: Promise<unknown>[] = [];
    const poll = setInterval(() => (rss.maxMb = Math.max(rss.maxMb, rssMb(pid))), 250);
    const schema = loadSchema(ROOT);
    const stats = await runGraphqlFuzz({
      url: endpoint,
      schema,
      tokens,
      seed: SEED,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      ids,
      alive: () => exit === null,
      onProgress: (done) => {
        if (done % Math.max(1, Math.floor(REQUESTS / 10)) === 0) {
          rss.everyTenth.push(rssMb(pid));
          const slot = heapUsedMb.length;
          heapUsedMb.push(0);
          pending.push(heapUsed(port).then((mb) => (heapUsedMb[slot] = mb)));
        }
      },
    });
    clearInterval(poll);
    await Promise.all(pending);
    rss.endMb = rssMb(pid);
    rss.maxMb = Math.max(rss.maxMb, rss.endMb);
    const logged = readFileSync(logPath, 'utf8').split('\n');
    const internalLogged = logged.filter((l) => /"level":(50|60)/.test(l)).length;
    const { failures, ...figures } = stats;
    process.stdout.write(
      `${JSON.stringify({ ...figures, serverExit: exit, serverHeapLimitMb: SERVER_HEAP_MB || null, rssMb: rss, heapUsedMb, internalErrorsLogged: internalLogged, log: logPath, failures: failures.slice(0, 10) })}\n`,
    );
    if (stats.fiveXX || stats.internalErrors || stats.crashed || exit) process.exitCode = 1;
  } finally {
    if (!exit) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    if (!KEEP) await dropDatabase(url);
  }
}

async function heapUsed(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const bytes = /^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1];
    return bytes ? Math.round(Number(bytes) / 2 ** 20) : -1;
  } catch {
    return -1;
  }
}

/** Registers a few clues and gathers the global ids each user can see, for valid documents. */
async function collectIds(endpoint: string, tokens: string[]): Promise<string[]> {
  const post = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return response.text();
  };
  const investigator = tokens[tokens.length - 2];
  for (let i = 0; i < 5; i++) {
    await post(investigator, 'mutation($i: RegisterClueInput!){ registerClue(input: $i) { id } }', {
      i: {
        title: `fuzz clue ${i}`,
        description: 'registered by the fuzzer',
        source: 'PETITION',
        institutionCode: 'H610302001',
        personIds: ['P001'],
      },
    });
  }
  const ids = new Set<string>();
  for (const token of tokens) {
    const text = await post(
      token,
      `{ me { id department { id } } departments { id } routingRules { id }
         clues(first: 20) { edges { node { id owner { id } } } }
         cases(first: 20) { edges { node { id } } } transfers(first: 20) { edges { node { id } } }
         notifications(first: 20) { edges { node { id } } } }`,
    );
    for (const match of text.matchAll(/"id":"([A-Za-z0-9_-]{4,120})"/g)) ids.add(match[1]);
  }
  return [...ids].sort();
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
