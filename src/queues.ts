/**
 * Queue names, in one place (API producers, workers and schedulers read them).
 * Job payloads carry ids only — never personal data (Redis keeps them in clear text).
 */
import { ConnectionOptions, Queue } from 'bullmq';
import { Config } from './config';

export const QUEUES = {
  /** Housekeeping: audit-chain verification, deadline sweeps and other scheduled checks. */
  maintenance: 'maintenance',
  /** 分办: one job per new clue (from the outbox). */
  routing: 'routing',
  /** 数据碰撞: one job per (run, model, slice). */
  collision: 'collision',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Workers block on Redis: no per-request retry limit (BullMQ requirement). */
export function workerConnection(config: Config): ConnectionOptions {
  return { url: config.redisUrl, maxRetriesPerRequest: null } as ConnectionOptions;
}

/** Producers fail fast when Redis is down instead of queueing commands in memory. */
export function producerConnection(config: Config): ConnectionOptions {
  return { url: config.redisUrl, enableOfflineQueue: false, maxRetriesPerRequest: 1 } as ConnectionOptions;
}

export function createQueue(config: Config, name: QueueName): Queue {
  return new Queue(name, { connection: producerConnection(config), prefix: config.queuePrefix });
}
