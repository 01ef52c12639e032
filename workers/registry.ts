import { Job } from 'bullmq';
import { AppServices } from '../src/app';
import { QueueName } from '../src/queues';
import { maintenanceQueue } from './maintenance.processor';
import { routingQueue } from './routing.processor';

export interface QueueDefinition {
  name: QueueName;
  concurrency: number;
  /** Job schedulers upserted once at worker start (cron patterns in Asia/Shanghai, or every N ms). */
  schedulers: { id: string; repeat: { pattern: string } | { every: number }; jobName: string }[];
  process(services: AppServices, job: Job): Promise<unknown>;
}

/** Every queue a worker process hosts; a new queue is one processor file and one line here. */
export const QUEUE_DEFINITIONS: QueueDefinition[] = [maintenanceQueue, routingQueue];
