/**
 * npm run collide -- --from D --to D [--models A,B] [--region R]
 * Starts a collision run through the queue and waits for it. When no collision worker is
 * running, it hosts the workers itself for the duration. Last line:
 * {"runId":…,"status":…,"hits":{"MODEL":n,…},"clues":n}
 */
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
import { QUEUES } from '../queues';
import { parseOptions, printResult, runCli, withServices } from './run';

runCli(async (config) => {
  const { options } = parseOptions(process.argv.slice(2), ['from', 'to', 'models', 'region', 'timeout']);
  if (!options.from || !options.to)
    throw new Error('usage: npm run collide -- --from YYYY-MM-DD --to YYYY-MM-DD [--models A,B] [--region R]');
  const timeoutMs = Number(options.timeout ?? 3600) * 1000;
  const result = await withServices(config, async (services) => {
    let host: WorkerHost | undefined;
    try {
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
        await new Promise((resolve) => setTimeout(resolve, 250));
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
      if (host && current.clues_created > 0) await waitForRouting(services.db, run.id, 30_000);
      return {
        runId: run.id,
        status: current.status,
        hits: await runHitsByModel(services.db, run.id),
        clues: current.clues_created,
        ...(current.error ? { error: current.error } : {}),
      };
    } finally {
      await host?.close();
    }
  });
  printResult(result);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
});

/** With in-process workers, stay until the run's new clues are routed. */
async function waitForRouting(db: AppServices['db'], runId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await unroutedCluesOfRun(db, runId)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
