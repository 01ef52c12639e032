/**
 * What the API benchmarks share: starting a server as a child process and waiting for it,
 * logging in, and a typed handle on autocannon (it ships no types).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannonModule = require('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;
export const autocannon = autocannonModule;

export interface ChildServer {
  name: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `node args…` with `env`, its output in `logFile`; resolves once `readyUrl` answers 2xx. */
export async function startChild(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyUrl: string,
  logFile: string,
  readyInit?: RequestInit,
): Promise<ChildServer> {
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`${name} exited while starting; see ${logFile}`);
    try {
      const response = await fetch(readyUrl, readyInit);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${name} did not start within 120 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    name,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A GraphQL POST; throws on errors in the answer. */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`${query.slice(0, 60)}…: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

export async function login(url: string, username: string, password: string): Promise<string> {
  const data = await graphql<{ login: { token: string } }>(
    url,
    'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
    { u: username, p: password },
  );
  return data.login.token;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); 0 when unreadable. */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // After "(comm) ": state is field 3, utime 14 and stime 15 (1-based) → indexes 11 and 12 here.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
