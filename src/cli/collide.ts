/**
 * npm run collide -- --from D --to D [--models A,B] [--region R]
 * Starts a collision run through the queue and waits for it. When no collision worker is
 * running, it hosts the workers itself for the duration. Last line:
 * {"runId":…,"status":…,"hits":{"MODEL":n,…},"clues":n}
 */
import { QueueEvents } from 'bullmq';
import { startWorkers, WorkerHost } from '../../workers';
import { liveWorkerHosts } from '../../workers/heartbeat';
import { AppServices } from '../app';
import {
  findRun,
  jobsByRunIds,
  runHitsByModel,
  startCollisionRun,
  unroutedCluesOfRun,
} from '../domain/collision/collision-run.service';
import { QUEUES, workerConnection } from '../queues';
import { createServices } from '../app';
import { parseOptions, printResult, runCli } from './run';

/** How long closing the queues, the workers and the connections may take before the command exits anyway. */
const CLOSE_MS = 10_000;

runCli(async (config) => {
  const { options } = parseOptions(process.argv.slice(2), ['from', 'to', 'models', 'region', 'timeout']);
  if (!options.from || !options.to)
    throw new Error('usage: npm run collide -- --from YYYY-MM-DD --to YYYY-MM-DD [--models A,B] [--region R]');
  const timeoutMs = Number(options.timeout ?? 3600) * 1000;
  // Until its run is queued the command waits on Redis and PostgreSQL only: a server that
  // accepts the connection but never answers (a half-open socket after a restart) must not hold
  // it forever (found by the fault campaign, bench/faults).
  const starting = setTimeout(() => {
    process.stderr.write(
      `error: the run was not started within ${config.collideStallSeconds} s (COLLIDE_STALL_SECONDS): ` +
        'Redis or PostgreSQL accepted the connection but gave no answer\n',
    );
    process.exit(1);
  }, config.collideStallSeconds * 1000);
  const services = await createServices(config, { applicationName: 'cli' });
  let closed = true;
  let result;
  try {
    let host: WorkerHost | undefined;
    // Woken by the queues' events (a collision job or a routing job finished) instead of polling;
    // a slow poll remains for progress, the stall check and an event missed across a reconnect.
    const wake = new Wake(
      [QUEUES.collision, QUEUES.routing].map(
        (name) => new QueueEvents(name, { connection: workerConnection(config), prefix: config.queuePrefix }),
      ),
    );
    try {
      await wake.ready();
      // This deployment's workers only (its prefix, its Redis database): see workers/heartbeat.ts.
      if ((await liveWorkerHosts(services.redis, config.queuePrefix, QUEUES.collision)) === 0) {
        host = await startWorkers(services);
      }
      const run = await startCollisionRun(services, {
        from: options.from,
        to: options.to,
        models: options.models?.split(',').map((m) => m.trim().toUpperCase()),
        regionCode: options.region ?? null,
      });
      clearTimeout(starting);
      const deadline = Date.now() + timeoutMs;
      const stallMs = config.collideStallSeconds * 1000;
      let current = run;
      let progress = '';
      let progressAt = Date.now();
      while (current.status !== 'SUCCEEDED' && current.status !== 'FAILED') {
        if (Date.now() > deadline) throw new Error(`run ${run.id} still ${current.status} after ${timeoutMs / 1000} s`);
        await wake.next(POLL_MS);
        current = await findRun(services.db, run.id);
        // Progress: any job of the run started, retried or finished.
        const jobs = await jobsByRunIds(services.db, [run.id]);
        const now = jobs.map((j) => `${j.status}/${j.attempts}`).join(',');
        if (now !== progress) {
          progress = now;
          progressAt = Date.now();
        } else if (Date.now() - progressAt > stallMs) {
          throw new Error(
            `run ${run.id} made no progress for ${config.collideStallSeconds} s (COLLIDE_STALL_SECONDS): ` +
              `no collision worker of this deployment (queue prefix "${config.queuePrefix}") is taking its jobs`,
          );
        }
      }
      if (host && current.clues_created > 0) await waitForRouting(services.db, run.id, 30_000, wake);
      result = {
        runId: run.id,
        status: current.status,
        hits: await runHitsByModel(services.db, run.id),
        clues: current.clues_created,
        ...(current.error ? { error: current.error } : {}),
      };
    } finally {
      closed = await within(CLOSE_MS, Promise.all([wake.close(), host?.close()]));
    }
  } finally {
    clearTimeout(starting);
    closed = (await within(CLOSE_MS, services.close())) && closed;
  }
  printResult(result);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
  if (!closed) {
    // A connection that did not close keeps the process alive: the result is out, leave.
    process.stderr.write(`warning: connections not closed within ${CLOSE_MS / 1000} s; exiting\n`);
    process.exit();
  }
});

/** Whether `work` settled within `ms` (its failure counts as settled: the command is closing). */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

/** Fallback poll interval while waiting for an event. */
const POLL_MS = 1000;

/**
 * `next` resolves on the next completed or failed job of the given queues, or after a timeout;
 * at once when one finished since the previous call (so none is missed while the caller reads).
 */
class Wake {
  private waiters: (() => void)[] = [];
  private fired = 0;
  private seen = 0;

  constructor(private readonly events: QueueEvents[]) {
    for (const e of events) {
      e.on('completed', () => this.fire());
      e.on('failed', () => this.fire());
    }
  }

  async ready(): Promise<void> {
    await Promise.all(this.events.map((e) => e.waitUntilReady()));
  }

  next(timeoutMs: number): Promise<void> {
    if (this.fired !== this.seen) {
      this.seen = this.fired;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  private fire(): void {
    this.fired++;
    const waiters = this.waiters;
    if (waiters.length) this.seen = this.fired;
    this.waiters = [];
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    this.fire();
    await Promise.all(this.events.map((e) => e.close()));
  }
}

/** With in-process workers, stay until the run's new clues are routed (woken by the routing jobs). */
async function waitForRouting(db: AppServices['db'], runId: string, timeoutMs: number, wake: Wake) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await unroutedCluesOfRun(db, runId)) > 0) {
    await wake.next(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}
