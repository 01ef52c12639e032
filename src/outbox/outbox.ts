/**
 * Transactional outbox: work for the queues is written to PostgreSQL in the same
 * transaction as the change that causes it, then relayed to BullMQ (relay.ts). A committed
 * change therefore never loses its follow-up, even when Redis is down at that moment.
 */
import { EntityManager } from 'typeorm';
import { QueueName, QUEUES } from '../queues';

export const OUTBOX_TOPICS = {
  /** Route a new clue (payload { clueId }). */
  routeClue: 'route-clue',
} as const;

export type OutboxTopic = (typeof OUTBOX_TOPICS)[keyof typeof OUTBOX_TOPICS];

/** The queue each topic is relayed to. */
export const OUTBOX_QUEUE: Record<OutboxTopic, QueueName> = {
  'route-clue': QUEUES.routing,
};

/** Records a job; the dedupe key makes enqueueing the same work twice a no-op. */
export async function enqueueOutbox(m: EntityManager, topic: OutboxTopic, dedupeKey: string, payload: Record<string, unknown>): Promise<void> {
  await m.query(
    `INSERT INTO outbox (topic, dedupe_key, payload) VALUES ($1, $2, $3) ON CONFLICT (dedupe_key) DO NOTHING`,
    [topic, dedupeKey, JSON.stringify(payload)],
  );
}
