/**
 * The process-wide services, built once from the configuration: the API, the workers,
 * the CLI and the tests all start here.
 */
import Redis from 'ioredis';
import pino from 'pino';
import { DataSource } from 'typeorm';
import { Config } from './config';
import { Clock, systemClock } from './core/clock';
import { createDataSource } from './db/data-source';
import { LoginThrottle } from './domain/auth/login-throttle';
import { derivePersonalDataKeys, PersonalDataKeys } from './domain/reference/personal-data';
import { createEventBus, EventBus } from './events/pubsub';
import { NotificationFeed } from './domain/notification/notification.feed';

export interface AppServices {
  config: Config;
  db: DataSource;
  /** Commands and caches; fails fast when Redis is down (enableOfflineQueue false). */
  redis: Redis;
  log: pino.Logger;
  throttle: LoginThrottle;
  personalDataKeys: PersonalDataKeys;
  /** Live events for subscriptions (Redis pub/sub). */
  events: EventBus;
  /** Committed notifications, announced by PostgreSQL to this process's subscribers. */
  notificationFeed: NotificationFeed;
  /** What time it is where the application decides what is due (src/core/clock.ts); tests replace it. */
  clock: Clock;
  close(): Promise<void>;
}

export const LOG_REDACT = [
  'req.headers.authorization',
  '*.password',
  '*.token',
  '*.idNumber',
  '*.bankAccount',
  '*.id_number',
  '*.bank_account',
  '*.payee_account',
];

export function createLogger(config: Config): pino.Logger {
  return pino({ level: config.logLevel, redact: LOG_REDACT, base: { service: 'fund-supervision' } });
}

export async function createServices(config: Config, options: { applicationName?: string } = {}): Promise<AppServices> {
  const log = createLogger(config);
  const db = createDataSource(config.databaseUrl, { applicationName: options.applicationName });
  await db.initialize();
  const redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', (error) => log.warn({ err: error.message }, 'redis error'));
  await redis.connect();
  const subscriber = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  subscriber.on('error', (error) => log.warn({ err: error.message }, 'redis subscriber error'));
  await subscriber.connect();
  const notificationFeed = new NotificationFeed(config.databaseUrl, log);
  return {
    config,
    db,
    redis,
    log,
    throttle: new LoginThrottle(redis, config.login, config.queuePrefix),
    personalDataKeys: derivePersonalDataKeys(config.dataKey),
    events: createEventBus(redis, subscriber, config.queuePrefix, (error) =>
      log.warn({ err: error.message }, 'live event not published'),
    ),
    notificationFeed,
    clock: systemClock(config.clockOffsetDays),
    async close() {
      await notificationFeed.close();
      redis.disconnect();
      subscriber.disconnect();
      await db.destroy();
    },
  };
}
