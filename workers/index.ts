/**
 * The worker process: one BullMQ Worker per registered queue, schedulers upserted at
 * start, graceful shutdown on SIGTERM bounded in time (active jobs left unfinished are
 * retried by another worker once their lock expires, so processors are idempotent).
 */
import { Queue, Worker } from 'bullmq';
import { AppServices } from '../src/app';
import { workerConnection } from '../src/queues';
import { QUEUE_DEFINITIONS } from './registry';

export interface WorkerHost {
  workers: Worker[];
  close(timeoutMs?: number): Promise<void>;
}

export async function startWorkers(services: AppServices, definitions = QUEUE_DEFINITIONS): Promise<WorkerHost> {
  const { config, log } = services;
  const connection = workerConnection(config);
  for (const definition of definitions) {
    if (!definition.schedulers.length) continue;
    const queue = new Queue(definition.name, { connection, prefix: config.queuePrefix });
    for (const s of definition.schedulers) {
      await queue.upsertJobScheduler(s.id, { pattern: s.pattern, tz: 'Asia/Shanghai' }, { name: s.jobName, data: {} });
    }
    await queue.close();
  }
  const workers = definitions.map((definition) => {
    const worker = new Worker(definition.name, (job) => definition.process(services, job), {
      connection,
      prefix: config.queuePrefix,
      concurrency: definition.concurrency,
    });
    worker.on('failed', (job, error) => log.error({ queue: definition.name, jobId: job?.id, err: error.message }, 'job failed'));
    worker.on('completed', (job) => log.info({ queue: definition.name, jobId: job.id, name: job.name }, 'job completed'));
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ queues: definitions.map((d) => d.name) }, 'workers started');
  return {
    workers,
    async close(timeoutMs = 10_000) {
      const closing = Promise.all(workers.map((w) => w.close()));
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      if ((await Promise.race([closing, timeout])) === 'timeout') {
        log.warn('active jobs did not finish in time; they will be retried after their lock expires');
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
}

export async function runWorkerProcess(services: AppServices): Promise<void> {
  const host = await startWorkers(services);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.log.info({ signal }, 'workers stopping');
    await host.close();
    await services.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
