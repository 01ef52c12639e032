/**
 * The API's operational gauges, read at scrape time from where the truth is kept: queue
 * depth from Redis (BullMQ job counts), hits per model from PostgreSQL. Every API process
 * reports the same values, so aggregate them with max(), not sum(). A counter in the
 * workers could not give hits per model: jobs are retried after a crash (at-least-once),
 * re-detected hits are upserts, and a restarted worker starts from zero. Job durations are
 * measured where jobs run, in the worker processes (workers/metrics.ts).
 */
import { Queue } from 'bullmq';
import client from 'prom-client';
import { AppServices } from '../app';
import { storedHitsByModel } from '../domain/collision/collision-run.service';

/** Jobs not yet finished, and the failed ones that exhausted their retries. */
export const QUEUE_DEPTH_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** A registry of the queue-depth and hits-per-model gauges of one API server. */
export function operationsMetrics(services: AppServices, queues: Queue[]): client.Registry {
  const registry = new client.Registry();
  // On failure the series are dropped rather than left stale; the scrape still succeeds.
  new client.Gauge({
    name: 'queue_jobs',
    help: `Jobs per BullMQ queue and state (${QUEUE_DEPTH_STATES.join(', ')}), read from Redis at scrape`,
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...QUEUE_DEPTH_STATES)));
        queues.forEach((queue, i) => {
          for (const state of QUEUE_DEPTH_STATES) this.set({ queue: queue.name, state }, counts[i][state] ?? 0);
        });
      } catch (error) {
        services.log.warn({ err: (error as Error).message }, 'queue depth not collected');
      }
    },
  });
  new client.Gauge({
    name: 'collision_hits',
    help: 'Collision hits stored per model (collision_hit rows, each hit once however often re-detected), read from PostgreSQL at scrape',
    labelNames: ['model'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [model, hits] of Object.entries(await storedHitsByModel(services.db))) this.set({ model }, hits);
      } catch (error) {
        services.log.warn({ err: (error as Error).message }, 'hits per model not collected');
      }
    },
  });
  return registry;
}
