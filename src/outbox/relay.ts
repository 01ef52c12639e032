/**
 * Moves committed outbox rows to their BullMQ queues. Rows are claimed with
 * FOR UPDATE SKIP LOCKED (several relays may run), added with their dedupe key as job id,
 * and marked published in the same transaction: if Redis is down the transaction rolls
 * back and the rows wait for the next pass. Delivery is at-least-once; consumers are
 * idempotent.
 */
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { AppServices } from '../app';
import { OUTBOX_CHANNEL, OUTBOX_JOB_OPTIONS, OutboxTopic } from './outbox';

export type OutboxQueues = Record<OutboxTopic, Queue>;

export async function relayOutbox(services: AppServices, queues: OutboxQueues, batchSize = 200): Promise<number> {
  try {
    return await services.db.transaction(async (m) => {
      const rows: { id: string; topic: OutboxTopic; payload: Record<string, unknown>; dedupe_key: string }[] =
        await m.query(
          `SELECT id, topic, payload, dedupe_key FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [batchSize],
        );
      if (!rows.length) return 0;
      const byTopic = new Map<OutboxTopic, typeof rows>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      for (const [topic, topicRows] of byTopic) {
        await queues[topic].addBulk(
          topicRows.map((r) => ({
            name: topic,
            data: r.payload,
            opts: { ...OUTBOX_JOB_OPTIONS[topic], jobId: r.dedupe_key.replace(/:/g, '-') },
          })),
        );
      }
      await m.query('UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1)', [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  } catch (error) {
    services.log.warn({ err: (error as Error).message }, 'outbox relay failed; will retry');
    await services.db
      .query(
        `UPDATE outbox SET attempts = attempts + 1, last_error = $1
         WHERE id IN (SELECT id FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $2)`,
        [(error as Error).message, batchSize],
      )
      // The database may be what failed; the rows are retried either way.
      .catch((bookkeeping: Error) =>
        services.log.warn({ err: bookkeeping.message }, 'outbox relay could not record its failure'),
      );
    return 0;
  }
}

/**
 * Calls `onEntry` whenever an outbox entry is committed (the NOTIFY of enqueueOutboxMany), on a
 * dedicated connection; returns the function that stops listening. A lost or failed connection
 * is only logged: the relay's poll still finds every entry.
 */
export async function listenForOutbox(services: AppServices, onEntry: () => void): Promise<() => Promise<void>> {
  const client = new Client({ connectionString: services.config.databaseUrl, application_name: 'outbox-relay' });
  client.on('notification', onEntry);
  client.on('error', (error) => services.log.warn({ err: error.message }, 'outbox relay: LISTEN connection lost'));
  try {
    await client.connect();
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
  } catch (error) {
    services.log.warn({ err: (error as Error).message }, 'outbox relay: LISTEN failed; polling only');
  }
  return () => client.end().catch(() => undefined);
}
