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
import { parseOptions, printResult, runCli, withServices } from './run';

runCli(async (config) => {
  const { options } = parseOptions(process.argv.slice(2), ['from', 'to', 'models', 'region', 'timeout']);
  if (!options.from || !options.to)
    throw new Error('usage: npm run collide -- --from YYYY-MM-DD --to YYYY-MM-DD [--models A,B] [--region R]');
  const timeoutMs = Number(options.timeout ?? 3600) * 1000;
  const result = await withServices(config, async (services) => {
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
      return {
        runId: run.id,
        status: current.status,
        hits: await runHitsByModel(services.db, run.id),
        clues: current.clues_created,
        ...(current.error ? { error: current.error } : {}),
      };
    } finally {
      await wake.close();
      await host?.close();
    }
  });
  printResult(result);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
});

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
