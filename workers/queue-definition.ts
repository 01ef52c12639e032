/** What a queue's processor file declares; workers/registry.ts lists them. */
import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { Config } from '../src/config';
import { QueueName } from '../src/queues';

export interface Scheduler {
  id: string;
  repeat: { pattern: string } | { every: number };
  jobName: string;
}

export interface QueueDefinition {
  name: QueueName;
  /** Jobs at a time per worker process; from the configuration when it is a function. */
  concurrency: number | ((config: Config) => number);
  /** Job schedulers upserted once at worker start (cron patterns in TIME_ZONE, or every N ms). */
  schedulers: Scheduler[] | ((config: Config) => Scheduler[]);
  process(services: AppServices, job: Job): Promise<unknown>;
  /** Called once a job has failed its last attempt. */
  onExhausted?(services: AppServices, job: Job, error: Error): Promise<void>;
  /** How long a job's lock lasts; a killed worker's job is retried after it expires. */
  lockDurationMs?: number;
}
