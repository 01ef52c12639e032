/**
 * The actors of this process's recent requests, so that a request with a known token does not
 * read its user, department and region again. Kept only while this process LISTENs on
 * `actor_changed` (a trigger announces every committed change of a user, a department or a
 * region: migrations/1763902400001-actor-changed.ts): each announcement forgets the user (or
 * everyone), so that a deactivation, a new role or a move to another department holds on the
 * next request in every API process — within the time PostgreSQL takes to deliver the
 * notification after the commit. Without the connection (not yet open, or lost) nothing is kept
 * and every request reads its actor, as before; entries also expire after `ttlMs`.
 */
import { Client } from 'pg';
import { Actor } from '../../policy';

export const ACTOR_CHANNEL = 'actor_changed';

export class ActorCache {
  private readonly entries = new Map<string, { actor: Actor; until: number }>();
  /** Bumped by every forgetting: a load that overlapped one is not kept. */
  private generation = 0;
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: { warn: (o: object, m: string) => void },
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The actor of `userId`: kept while this process hears of changes, else `load`ed each time. */
  async get(userId: string, load: (userId: string) => Promise<Actor>): Promise<Actor> {
    if (!this.client) {
      if (!this.closed) void this.listen();
      return load(userId);
    }
    const now = Date.now();
    const kept = this.entries.get(userId);
    if (kept && kept.until > now) return kept.actor;
    const generation = this.generation;
    const actor = await load(userId);
    if (this.client && generation === this.generation) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(userId, { actor, until: now + this.ttlMs });
    }
    return actor;
  }

  /** Forgets one user's actor, or every actor (`*`). */
  forget(userId: string): void {
    this.generation++;
    if (userId === '*') this.entries.clear();
    else this.entries.delete(userId);
  }

  /** Resolves once this process listens (the first request starts it; tests may await it). */
  listen(): Promise<void> {
    this.connecting ??= this.connect().catch((error) => {
      this.log.warn({ err: (error as Error).message }, 'actor cache: LISTEN failed; actors are read on every request');
      setTimeout(() => (this.connecting = null), 5000).unref();
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.drop();
    await client?.end().catch(() => undefined);
  }

  private drop(): void {
    this.client = null;
    this.forget('*');
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'actor-cache' });
    client.on('notification', (message) => {
      if (message.channel === ACTOR_CHANNEL && message.payload) this.forget(message.payload);
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.log.warn({ err: error?.message ?? 'connection ended' }, 'actor cache: connection lost; reconnecting');
      this.drop();
      this.connecting = null;
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${ACTOR_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.forget('*');
    this.client = client;
  }
}
