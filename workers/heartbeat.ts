/**
 * Worker heartbeats: each worker host keeps one key per queue it serves, under this
 * deployment's queue prefix in this deployment's Redis database, alive with a TTL. Whether a
 * queue is served is read from these keys — not from BullMQ's getWorkersCount(), which counts
 * the clients of the whole Redis server, other databases and other deployments included.
 */
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

const INTERVAL_MS = 5_000;
const TTL_MS = 15_000;

const keyPattern = (prefix: string, queue: string) => `${prefix}:heartbeat:${queue}:*`;

export interface Heartbeat {
  stop(): Promise<void>;
}

/** Announces that this process serves `queues` until stopped (and TTL_MS after a crash). */
export async function startHeartbeat(redis: Redis, prefix: string, queues: readonly string[]): Promise<Heartbeat> {
  const id = randomUUID();
  const keys = queues.map((queue) => `${prefix}:heartbeat:${queue}:${id}`);
  const beat = async () => {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.set(key, String(process.pid), 'PX', TTL_MS);
    await pipeline.exec();
  };
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await redis.del(...keys).catch(() => undefined);
    },
  };
}

/** How many live worker hosts of this deployment serve `queue`. */
export async function liveWorkerHosts(redis: Redis, prefix: string, queue: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', keyPattern(prefix, queue), 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}
