/**
 * The fault campaign's processes: a Redis server of its own (append-only, fsync always, so a
 * kill loses nothing acknowledged, as a production Redis with AOF), API processes and workers
 * supervised like systemd would (restarted after a kill), and one-off commands (collide,
 * ingest) that faults may kill.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const DIST = join(__dirname, '..', '..');
export const CLI = (name: string) => join(DIST, 'src', 'cli', `${name}.js`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every child of the campaign, killed when the campaign's process exits, however it exits. */
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Waits until `ready` holds, polling; throws with `what` after `timeoutMs`. */
export async function until(what: string, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await ready().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export class RedisServer {
  private child: ChildProcess | null = null;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.ping()) throw new Error(`port ${this.port} already serves a Redis: stop it first`);
    this.child = track(
      spawn(
        'redis-server',
        [
          '--port',
          String(this.port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          this.dir,
        ],
        { stdio: 'ignore' },
      ),
    );
    await until('redis', async () => this.ping(), 10_000);
  }

  ping(): boolean {
    const r = spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' });
    return r.stdout.trim() === 'PONG';
  }

  kill(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  get running(): boolean {
    return this.child !== null;
  }
}

/** A long-running process restarted `restartMs` after it dies, until stopped. */
export class Supervised {
  private child: ChildProcess | null = null;
  private stopped = false;
  starts = 0;
  output = '';
  /** Its log lines at error level or above (pino JSON), the first 50. */
  errors: string[] = [];
  /** Exits the campaign did not cause (crashes), with the end of what the process wrote. */
  crashes: { code: number | null; signal: string | null; whileStarting: boolean; tail: string }[] = [];
  private killing = false;
  private started = false;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: NodeJS.ProcessEnv,
    /** A line of its output that says it is ready, or a probe. */
    private readonly ready: string | (() => Promise<boolean>),
    private readonly restartMs: () => number,
  ) {}

  async start(): Promise<void> {
    this.starts += 1;
    this.started = false;
    const child = track(spawn(process.execPath, [this.script], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    let seen = '';
    let exited = false;
    let partial = '';
    const keep = (d: Buffer) => {
      seen = (seen + d).slice(-20_000);
      const lines = (partial + d).split('\n');
      partial = lines.pop()!.slice(-20_000);
      for (const line of lines) {
        if (this.errors.length < 50 && /"level":(50|60)/.test(line)) this.errors.push(line.slice(0, 2000));
      }
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => (exited = true));
    const probe = this.ready;
    const ready = until(
      `${this.name} to start`,
      async () => {
        if (exited) throw new Error(`${this.name} exited while starting: ${seen.slice(-2000)}`);
        return typeof probe === 'string' ? seen.includes(probe) : probe();
      },
      60_000,
    ).finally(() => (this.output = seen));
    child.on('exit', (code, signal) => {
      if (!this.killing && !this.stopped) {
        this.crashes.push({ code, signal, whileStarting: !this.started, tail: seen.slice(-3000) });
      }
      this.killing = false;
      if (this.child === child) this.child = null;
      if (!this.stopped) {
        setTimeout(() => {
          if (!this.stopped && !this.child) void this.start().catch(() => undefined);
        }, this.restartMs());
      }
    });
    await ready;
    this.started = true;
  }

  kill(): boolean {
    if (!this.child) return false;
    this.killing = true;
    this.child.kill('SIGKILL');
    return true;
  }

  get up(): boolean {
    return this.child !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000)]);
    child.kill('SIGKILL');
  }
}

/** A one-off command; `done` resolves with its exit code (null when killed) and output. */
export function command(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; done: Promise<{ code: number | null; output: string }> } {
  const child = track(spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-50_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-50_000)));
  const done = new Promise<{ code: number | null; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, output })),
  );
  return { child, done };
}
