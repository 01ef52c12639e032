/**
 * npm run collide -- --from D --to D [--models A,B] [--region R]
 * Starts a collision run through the queue and waits for it. When no collision worker is
 * running, it hosts the workers itself for the duration. Last line:
 * {"runId":…,"status":…,"hits":{"MODEL":n,…},"clues":n}
 */
import { Queue } from 'bullmq';
import { startWorkers, WorkerHost } from '../../workers';
import { findRun, runHitsByModel, startCollisionRun } from '../domain/collision/collision-run.service';
import { QUEUES, workerConnection } from '../queues';
import { parseOptions, printResult, runCli, withServices } from './run';

runCli(async (config) => {
  const { options } = parseOptions(process.argv.slice(2), ['from', 'to', 'models', 'region', 'timeout']);
  if (!options.from || !options.to)
    throw new Error('usage: npm run collide -- --from YYYY-MM-DD --to YYYY-MM-DD [--models A,B] [--region R]');
  const timeoutMs = Number(options.timeout ?? 3600) * 1000;
  const result = await withServices(config, async (services) => {
    const queue = new Queue(QUEUES.collision, { connection: workerConnection(config), prefix: config.queuePrefix });
    let host: WorkerHost | undefined;
    try {
      if ((await queue.getWorkersCount()) === 0) host = await startWorkers(services);
      const run = await startCollisionRun(services, {
        from: options.from,
        to: options.to,
        models: options.models?.split(',').map((m) => m.trim().toUpperCase()),
        regionCode: options.region ?? null,
      });
      const deadline = Date.now() + timeoutMs;
      let current = run;
      while (current.status !== 'SUCCEEDED' && current.status !== 'FAILED') {
        if (Date.now() > deadline) throw new Error(`run ${run.id} still ${current.status} after ${timeoutMs / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
        current = await findRun(services.db, run.id);
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
      await queue.close();
    }
  });
  printResult(result);
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
});

/** With in-process workers, stay until the run's new clues are routed. */
async function waitForRouting(
  db: { query: (sql: string, params: unknown[]) => Promise<{ n: number }[]> },
  runId: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM clue c WHERE c.status = 'NEW'
       AND EXISTS (SELECT 1 FROM collision_hit h WHERE h.clue_id = c.id AND h.first_run_id = $1)`,
      [runId],
    );
    if (n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
