/**
 * Job metrics of a worker process, served on its own port (WORKER_METRICS_PORT): jobs run
 * in the worker processes, so only they can time them. Prometheus scrapes every worker and
 * sums across them. Queue depth and hits per model are global values and come from the
 * API's /metrics instead (src/operations/metrics.ts).
 */
import { Job } from 'bullmq';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import client from 'prom-client';
import { AppServices } from '../src/app';

export const workerMetricsRegistry = new client.Registry();
client.collectDefaultMetrics({ register: workerMetricsRegistry });

const jobDuration = new client.Histogram({
  name: 'job_duration_seconds',
  help: 'Time spent processing one job attempt, by queue, job name and outcome (completed or failed)',
  labelNames: ['queue', 'name', 'status'],
  // Routing jobs take milliseconds, collision slices up to minutes.
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
  registers: [workerMetricsRegistry],
});
const jobsCompleted = new client.Counter({
  name: 'jobs_completed_total',
  help: 'Job attempts that completed, by queue and job name',
  labelNames: ['queue', 'name'],
  registers: [workerMetricsRegistry],
});
const jobsFailed = new client.Counter({
  name: 'jobs_failed_total',
  help: 'Job attempts that threw, by queue and job name (a retried job counts once per failed attempt)',
  labelNames: ['queue', 'name'],
  registers: [workerMetricsRegistry],
});

/** Runs one attempt of a job and records its duration and outcome. */
export async function measureJob<T>(queue: string, job: Job, process: () => Promise<T>): Promise<T> {
  const labels = { queue, name: job.name };
  const end = jobDuration.startTimer(labels);
  try {
    const result = await process();
    end({ status: 'completed' });
    jobsCompleted.inc(labels);
    return result;
  } catch (error) {
    end({ status: 'failed' });
    jobsFailed.inc(labels);
    throw error;
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics on WORKER_METRICS_PORT (none when 0). A port that cannot be bound is
 * logged, not fatal: the worker keeps processing jobs, and Prometheus reports the target down.
 */
export async function startWorkerMetricsServer(services: AppServices): Promise<MetricsServer | null> {
  const port = services.config.workerMetricsPort;
  if (port === 0) return null;
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    workerMetricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': workerMetricsRegistry.contentType }).end(text),
      (error: Error) => {
        services.log.error({ err: error.message }, 'worker metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    services.log.error({ port, err: (error as Error).message }, 'worker metrics endpoint not started');
    return null;
  }
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  services.log.info({ url }, 'worker metrics listening');
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
