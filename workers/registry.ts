import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { Config } from '../src/config';
import { QueueName } from '../src/queues';
import { maintenanceQueue } from './maintenance.processor';
import { routingQueue } from './routing.processor';
import { collisionQueue } from './collision.processor';

export interface Scheduler {
  id: string;
  repeat: { pattern: string } | { every: number };
  jobName: string;
}

export interface QueueDefinition {
  name: QueueName;
  concurrency: number;
  /** Job schedulers upserted once at worker start (cron patterns in Asia/Shanghai, or every N ms). */
  schedulers: Scheduler[] | ((config: Config) => Scheduler[]);
  process(services: AppServices, job: Job): Promise<unknown>;
  /** Called once a job has failed its last attempt. */
  onExhausted?(services: AppServices, job: Job, error: Error): Promise<void>;
  /** How long a job's lock lasts; a killed worker's job is retried after it expires. */
  lockDurationMs?: number;
}

/** Every queue a worker process hosts; a new queue is one processor file and one line here. */
export const QUEUE_DEFINITIONS: QueueDefinition[] = [maintenanceQueue, routingQueue, collisionQueue];
