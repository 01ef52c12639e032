import { CollisionJobData, executeCollisionJob, failCollisionJob } from '../src/domain/collision/collision-run.service';
import { QUEUES } from '../src/queues';
import { QueueDefinition } from './queue-definition';

/**
 * 数据碰撞 jobs: one (run, model, slice) each. The SQL runs inside PostgreSQL, so one job
 * per process at a time keeps a worker from competing with itself for the database's cores;
 * more worker processes (on more machines) finish a run sooner.
 */
export const collisionQueue: QueueDefinition = {
  name: QUEUES.collision,
  concurrency: (config) => config.collisionConcurrency,
  schedulers: [],
  // Short lock: a SIGKILLed worker's job is picked up again within ~15 s.
  lockDurationMs: 15_000,
  process: (services, job) => executeCollisionJob(services, job.data as CollisionJobData),
  onExhausted: (services, job, error) => failCollisionJob(services, job.data as CollisionJobData, error.message),
};
