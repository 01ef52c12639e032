/**
 * The worker process: one BullMQ Worker per registered queue, schedulers upserted at
 * start, graceful shutdown on SIGTERM bounded in time (active jobs left unfinished are
 * retried by another worker once their lock expires, so processors are idempotent). Each job
 * attempt is timed (workers/metrics.ts), served on WORKER_METRICS_PORT by the worker process.
 */
import { Queue, Worker } from 'bullmq';
import { AppServices } from '../src/app';
import { TIME_ZONE } from '../src/core/constants';
import { OUTBOX_QUEUE } from '../src/outbox/outbox';
import { OutboxQueues, relayOutbox } from '../src/outbox/relay';
import { createQueue, workerConnection } from '../src/queues';
import { startHeartbeat } from './heartbeat';
import { measureJob, MetricsServer, startWorkerMetricsServer } from './metrics';
import { QUEUE_DEFINITIONS } from './registry';

export interface WorkerHost {
  workers: Worker[];
  close(timeoutMs?: number): Promise<void>;
}

export async function startWorkers(services: AppServices, definitions = QUEUE_DEFINITIONS): Promise<WorkerHost> {
  const { config, log } = services;
  const connection = workerConnection(config);
  for (const definition of definitions) {
    const schedulers =
      typeof definition.schedulers === 'function' ? definition.schedulers(config) : definition.schedulers;
    if (!schedulers.length) continue;
    const queue = new Queue(definition.name, { connection, prefix: config.queuePrefix });
    for (const s of schedulers) {
      const repeat = 'pattern' in s.repeat ? { pattern: s.repeat.pattern, tz: TIME_ZONE } : { every: s.repeat.every };
      await queue.upsertJobScheduler(s.id, repeat, { name: s.jobName, data: {} });
    }
    await queue.close();
  }
  const workers = definitions.map((definition) => {
    const worker = new Worker(
      definition.name,
      (job) => measureJob(definition.name, job, () => definition.process(services, job)),
      {
        connection,
        prefix: config.queuePrefix,
        concurrency:
          typeof definition.concurrency === 'function' ? definition.concurrency(config) : definition.concurrency,
        lockDuration: definition.lockDurationMs ?? 30_000,
        stalledInterval: Math.min(definition.lockDurationMs ?? 30_000, 30_000),
      },
    );
    worker.on('failed', (job, error) => {
      log.error({ queue: definition.name, jobId: job?.id, err: error.message }, 'job failed');
      if (job && definition.onExhausted && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        definition.onExhausted(services, job, error).catch((e) => log.error({ err: e.message }, 'onExhausted failed'));
      }
    });
    // Without a listener an 'error' (Redis down or restarting) is thrown and ends the process;
    // the worker reconnects by itself (found by the fault campaign, bench/faults).
    worker.on('error', (error) => log.warn({ queue: definition.name, err: error.message }, 'worker connection error'));
    worker.on('completed', (job) =>
      log.info({ queue: definition.name, jobId: job.id, name: job.name }, 'job completed'),
    );
    return worker;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  const relay = startOutboxRelay(services);
  const heartbeat = await startHeartbeat(
    services.redis,
    config.queuePrefix,
    definitions.map((d) => d.name),
  );
  log.info({ queues: definitions.map((d) => d.name) }, 'workers started');
  return {
    workers,
    async close(timeoutMs = 10_000) {
      await heartbeat.stop();
      await relay.stop();
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
  // Handlers first: a SIGTERM that arrives while the workers start still shuts down cleanly.
  const started: { host?: Promise<WorkerHost>; metrics?: Promise<MetricsServer | null> } = {};
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    services.log.info({ signal }, 'workers stopping');
    const host = await started.host?.catch(() => undefined);
    await host?.close();
    await (await started.metrics)?.close();
    await services.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  started.metrics = startWorkerMetricsServer(services);
  started.host = startWorkers(services);
  await Promise.all([started.metrics, started.host]);
}

/** Relays the outbox to the queues every `intervalMs` (one pass at a time per process). */
export function startOutboxRelay(services: AppServices, intervalMs = 250): { stop(): Promise<void> } {
  const queues = Object.fromEntries(
    Object.entries(OUTBOX_QUEUE).map(([topic, name]) => [topic, createQueue(services.config, name)]),
  ) as OutboxQueues;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      // Drain: keep going while full batches come back.
      while (!stopped && (await relayOutbox(services, queues)) > 0);
    });
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await Promise.all(Object.values(queues).map((q) => q.close()));
    },
  };
}
