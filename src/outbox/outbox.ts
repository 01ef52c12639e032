/**
 * Transactional outbox: work for the queues is written to PostgreSQL in the same
 * transaction as the change that causes it, then relayed to BullMQ (relay.ts). A committed
 * change therefore never loses its follow-up, even when Redis is down at that moment.
 */
import { JobsOptions } from 'bullmq';
import { EntityManager } from 'typeorm';
import { QueueName, QUEUES } from '../queues';

export const OUTBOX_TOPICS = {
  /** Route a new clue (payload { clueId }). */
  routeClue: 'route-clue',
  /** Execute one (model, slice) job of a collision run (payload { runId, model, slice }). */
  collisionJob: 'collision-job',
} as const;

export type OutboxTopic = (typeof OUTBOX_TOPICS)[keyof typeof OUTBOX_TOPICS];

/** The queue each topic is relayed to. */
export const OUTBOX_QUEUE: Record<OutboxTopic, QueueName> = {
  'route-clue': QUEUES.routing,
  'collision-job': QUEUES.collision,
};

/** Job options per topic: retries with backoff; finished jobs kept a day for inspection. */
export const OUTBOX_JOB_OPTIONS: Record<OutboxTopic, JobsOptions> = {
  'route-clue': {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  },
  'collision-job': {
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 86_400, count: 10_000 },
    removeOnFail: { age: 7 * 86_400 },
  },
};

/** The NOTIFY channel of committed outbox entries. */
export const OUTBOX_CHANNEL = 'outbox_entry';

/** Records jobs of one topic, in the given order; a dedupe key already recorded makes its job a no-op. */
export async function enqueueOutboxMany(
  m: EntityManager,
  topic: OutboxTopic,
  jobs: readonly { dedupeKey: string; payload: Record<string, unknown> }[],
): Promise<void> {
  if (!jobs.length) return;
  await m.query(
    `INSERT INTO outbox (topic, dedupe_key, payload)
     SELECT $1, x.dedupe_key, x.payload FROM unnest($2::text[], $3::jsonb[]) WITH ORDINALITY AS x(dedupe_key, payload, n)
     ORDER BY x.n
     ON CONFLICT (dedupe_key) DO NOTHING`,
    [topic, jobs.map((j) => j.dedupeKey), jobs.map((j) => JSON.stringify(j.payload))],
  );
  // Wakes the relays (delivered on commit; relay.ts listenForOutbox), so the jobs need not wait for the poll.
  await m.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, topic]);
}
