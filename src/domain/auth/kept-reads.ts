/**
 * Reads this process keeps between requests: the actors of tokens (user, department, region)
 * and the departments and institutions that lists show beside their rows — so that a request
 * does not read them again. Kept only while this process LISTENs on `kept_changed` (triggers
 * announce every committed change of a user, a department, a region or an institution:
 * migrations/1763902400001-kept-changed.ts): each announcement forgets what it touches. A kept
 * actor is used only after a round trip on the listening connection has brought every
 * announcement of the changes committed before the request (heard()): a deactivation, a new
 * role or a move to another department holds on the next request in every API process. Kept
 * departments and institutions (names beside rows) are forgotten when their announcement
 * arrives. Without the connection (not yet open, or lost) nothing is kept and every request
 * reads, as before; entries also expire after `ttlMs`.
 */
import { Client } from 'pg';
import { Actor } from '../../policy';
import { DepartmentEntity } from '../reference/department.entity';
import { InstitutionEntity } from '../reference/institution.entity';

export const KEPT_CHANNEL = 'kept_changed';

/** Rows by key, each kept until forgotten or `ttlMs` old. */
export class KeptRows<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  /** Bumped by every forgetting: a load that overlapped one is not kept. */
  private generation = 0;

  constructor(
    private readonly listening: () => boolean,
    /**
     * When given, a kept value is only returned once this resolves — once every change
     * committed before the call has been heard (KeptReads.heard); a failure reads afresh.
     */
    private readonly heard?: () => Promise<void>,
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The value of `key`: kept while the process hears of changes, else `load`ed each time. */
  async get(key: string, load: (key: string) => Promise<T>): Promise<T> {
    if (!this.listening()) return load(key);
    const now = Date.now();
    if ((this.entries.get(key)?.until ?? 0) > now) {
      const caughtUp = this.heard ? await this.heard().then(() => true, () => false) : true;
      // Still kept once every earlier announcement has been heard: nothing changed it.
      const kept = this.entries.get(key);
      if (caughtUp && kept && kept.until > now) return kept.value;
    }
    const generation = this.generation;
    const value = await load(key);
    if (this.listening() && generation === this.generation) this.keep(key, value, now);
    return value;
  }

  /**
   * The kept value of `key`, synchronously, when there is one that needs no wait (rows kept
   * without `heard`: what lists show beside their rows); else undefined — read it with get().
   */
  peek(key: string): T | undefined {
    if (this.heard || !this.listening()) return undefined;
    const kept = this.entries.get(key);
    return kept && kept.until > Date.now() ? kept.value : undefined;
  }

  /** The rows of `keys` (those that exist), loading only those not kept. */
  async getMany(keys: readonly string[], load: (keys: readonly string[]) => Promise<T[]>, keyOf: (row: T) => string): Promise<T[]> {
    if (!this.listening()) return load(keys);
    const now = Date.now();
    const rows: T[] = [];
    const missing: string[] = [];
    for (const key of keys) {
      const kept = this.entries.get(key);
      if (kept && kept.until > now) rows.push(kept.value);
      else missing.push(key);
    }
    if (!missing.length) return rows;
    const generation = this.generation;
    const loaded = await load(missing);
    if (this.listening() && generation === this.generation) for (const row of loaded) this.keep(keyOf(row), row, now);
    return rows.concat(loaded);
  }

  /** Forgets one key, or everything (`*`). */
  forget(key: string): void {
    this.generation++;
    if (key === '*') this.entries.clear();
    else this.entries.delete(key);
  }

  private keep(key: string, value: T, now: number): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
  }
}

export class KeptReads {
  /** Actors decide access: a kept one is used only after every earlier change has been heard. */
  readonly actors = new KeptRows<Actor>(
    () => this.client !== null,
    () => this.heard(),
  );
  /** What lists show beside their rows: forgotten when the announcement arrives. */
  readonly departments = new KeptRows<DepartmentEntity>(() => this.client !== null);
  readonly institutions = new KeptRows<InstitutionEntity>(() => this.client !== null);
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  /** The round trip on the listening connection under way, and the one that waits for it. */
  private inflight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: { warn: (o: object, m: string) => void },
  ) {}

  /** Starts listening unless it is (the first read through the caches starts it; tests await it). */
  listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.connecting ??= this.connect().catch((error) => {
      this.log.warn({ err: (error as Error).message }, 'kept reads: LISTEN failed; everything is read on every request');
      setTimeout(() => (this.connecting = null), 5000).unref();
    });
    return this.connecting;
  }

  /** What an announcement touches: `user:<id>`, `user:*`, `department`, `region` or `institution`. */
  forget(what: string): void {
    if (what.startsWith('user:')) this.actors.forget(what.slice('user:'.length));
    else if (what === 'institution') this.institutions.forget('*');
    else {
      // A department or a region: what actors are made of.
      this.actors.forget('*');
      this.departments.forget('*');
    }
  }

  /**
   * Resolves once every change committed before the call has been heard: a round trip on the
   * listening connection — PostgreSQL signals the listeners when a change commits, before it
   * acknowledges the commit, and sends pending notifications before it answers that
   * connection's next statement. Callers share round trips: one that started before the call
   * might precede a commit the caller saw, so a caller arriving during one waits for the next.
   */
  heard(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.inflight) return this.roundTrip();
    this.queued = this.inflight
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.roundTrip();
      });
    return this.queued;
  }

  private roundTrip(): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new Error('kept reads: not listening'));
    const trip = client.query('SELECT 1').then(() => undefined);
    this.inflight = trip;
    const done = () => {
      if (this.inflight === trip) this.inflight = null;
    };
    trip.then(done, done);
    return trip;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.drop();
    await client?.end().catch(() => undefined);
  }

  private drop(): void {
    this.client = null;
    for (const rows of [this.actors, this.departments, this.institutions]) rows.forget('*');
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'kept-reads' });
    client.on('notification', (message) => {
      if (message.channel === KEPT_CHANNEL && message.payload) this.forget(message.payload);
    });
    const lost = (error?: Error) => {
      if (this.client !== client) return;
      this.log.warn({ err: error?.message ?? 'connection ended' }, 'kept reads: connection lost; reconnecting');
      this.drop();
      this.connecting = null;
    };
    client.on('error', lost);
    client.on('end', () => lost());
    await client.connect();
    await client.query(`LISTEN ${KEPT_CHANNEL}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.drop();
    this.client = client;
  }
}
