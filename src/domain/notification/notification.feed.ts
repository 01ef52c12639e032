/**
 * Live notifications for subscribers of this process. Every committed insert into
 * `notification` is announced by a trigger with NOTIFY (delivered on commit only); this
 * process LISTENs on one dedicated connection, opened on the first subscription, and hands
 * each announcement to the subscriptions of its recipient. Every API process does the same,
 * so a user subscribed to any of them hears of a notification written by any process.
 */
import { createPubSub } from '@graphql-yoga/subscription';
import { Client } from 'pg';

export const NOTIFICATION_CHANNEL = 'notification_added';

export interface NotificationAnnouncement {
  id: string;
  userId: string;
}

export class NotificationFeed {
  private readonly bus = createPubSub<Record<string, [NotificationAnnouncement]>>();
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: { warn: (o: object, m: string) => void },
  ) {}

  /** The announcements for one user, from now on. */
  subscribe(userId: string): AsyncIterable<NotificationAnnouncement> {
    void this.listen();
    return this.bus.subscribe(`user:${userId}`);
  }

  /** Resolves once this process is listening (subscriptions start it; tests await it). */
  listen(): Promise<void> {
    this.connecting ??= this.connect().catch((error) => {
      this.connecting = null;
      this.log.warn(
        { err: (error as Error).message },
        'notification feed: LISTEN failed; retried on the next subscription',
      );
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    this.connecting = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'notification-feed' });
    client.on('notification', (message) => {
      if (message.channel !== NOTIFICATION_CHANNEL || !message.payload) return;
      const announcement = JSON.parse(message.payload) as NotificationAnnouncement;
      this.bus.publish(`user:${announcement.userId}`, announcement);
    });
    client.on('error', (error) => {
      this.log.warn({ err: error.message }, 'notification feed connection lost; reconnecting');
      if (this.client !== client) return;
      this.client = null;
      this.connecting = null;
      if (!this.closed) setTimeout(() => void this.listen(), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${NOTIFICATION_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }
}
