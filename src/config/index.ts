/**
 * Configuration from environment variables, validated once at start.
 * A missing or malformed value throws ConfigError naming the variable; the entry points
 * print its message on one line and exit.
 */
import { createHash } from 'node:crypto';

export class ConfigError extends Error {}

export type NodeEnv = 'development' | 'test' | 'production';
export type ConsoleGraphiql = 'all' | 'roles' | 'off';

export interface Config {
  nodeEnv: NodeEnv;
  port: number;
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
  jwt: {
    /** kid → secret; the active kid signs, every listed kid verifies (rotation). */
    keys: Record<string, string>;
    activeKid: string;
    issuer: string;
    audience: string;
    ttlSeconds: number;
  };
  /** 32 bytes: encryption and keyed hashes of personal data. */
  dataKey: Buffer;
  /** scrypt cost exponent: N = 2^passwordCost. */
  passwordCost: number;
  login: {
    /** failures (per username or per address) before each attempt is slowed down */
    slowAfter: number;
    /** failures before attempts are refused */
    lockAfter: number;
    lockSeconds: number;
  };
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxCost: number;
    maxTokens: number;
    maxDocumentBytes: number;
    maxPageSize: number;
  };
  /** BullMQ key prefix; tests use one per file. */
  queuePrefix: string;
  /** Scheduled collision runs (cron, in TIME_ZONE); empty disables. */
  collisionSchedule: { nightly: string; monthly: string };
  /** Collision jobs run at a time by one worker process (the SQL runs in PostgreSQL). */
  collisionConcurrency: number;
  /** COLLIDE_STALL_SECONDS: `npm run collide` gives up when its run makes no progress this long. */
  collideStallSeconds: number;
  /** INGEST_TIMING: the loader prints each statement's duration on stderr (for measuring it). */
  ingestTiming: boolean;
  /** The CLI's seed and demo: the password of the seeded users, and the demo batch's scale. */
  seed: { password: string; demoScale: number };
  /** Port of the worker process's own Prometheus endpoint (job metrics); 0 turns it off. */
  workerMetricsPort: number;
  /**
   * CONSOLE_GRAPHIQL: who may open GraphiQL (and read the schema) in the console at /console —
   * `all` signed-in users (default outside production), `roles` (ADMIN and ANALYST, the
   * default in production; src/policy canUseGraphiql) or `off`.
   */
  consoleGraphiql: ConsoleGraphiql;
  /**
   * CLOCK_OFFSET_DAYS: days added to the system clock where the application reads its clock
   * (services.clock; so far the recheck sweep) — for demos and end-to-end checks of things due
   * months later. 0 in production.
   */
  clockOffsetDays: number;
  stats: {
    /**
     * STATS_MAX_STALENESS_MS: a statistics reading does not bring the roll-up up to date when
     * it was refreshed less than this long ago, and does not wait for a refresh another
     * reading is running (docs/READING.md, "Bounded staleness"). 0: every reading is exact.
     */
    maxStalenessMs: number;
  };
}

type Env = Record<string, string | undefined>;

const DEV_JWT_SECRET = 'development-only-secret-do-not-use-in-production!!';
/** Derived, not random, so that development data stays readable across restarts. */
const DEV_DATA_KEY = createHash('sha256').update('development-only-data-key').digest();

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: Env, name: string, fallback: string | undefined, protocols: string[]): string {
  const raw = env[name] || fallback;
  if (!raw) throw new ConfigError(`${name} is required`);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

function positiveNumber(env: Env, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
  const value = Number(raw);
  if (value <= 0 || value > max) throw new ConfigError(`${name} must be above 0 and at most ${max}, got ${value}`);
  return value;
}

function cron(env: Env, name: string, fallback: string): string {
  const raw = env[name] ?? fallback;
  if (raw !== '' && raw.trim().split(/\s+/).length !== 5) {
    throw new ConfigError(`${name} must be a 5-field cron pattern (or empty to disable), got "${raw}"`);
  }
  return raw.trim();
}

function jwtKeys(env: Env, production: boolean): { keys: Record<string, string>; activeKid: string } {
  let keys: Record<string, string>;
  if (env.JWT_KEYS) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(env.JWT_KEYS);
    } catch {
      throw new ConfigError('JWT_KEYS must be a JSON object of kid → secret');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
      throw new ConfigError('JWT_KEYS must be a non-empty JSON object of kid → secret');
    }
    keys = {};
    for (const [kid, secret] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof secret !== 'string') throw new ConfigError(`JWT_KEYS.${kid} must be a string`);
      keys[kid] = secret;
    }
  } else if (env.JWT_SECRET) {
    keys = { default: env.JWT_SECRET };
  } else if (production) {
    throw new ConfigError('JWT_SECRET or JWT_KEYS is required when NODE_ENV=production');
  } else {
    keys = { default: DEV_JWT_SECRET };
  }
  for (const [kid, secret] of Object.entries(keys)) {
    if (secret.length < 32) throw new ConfigError(`JWT key "${kid}" must be at least 32 characters`);
  }
  const activeKid = env.JWT_ACTIVE_KID || (Object.keys(keys).length === 1 ? Object.keys(keys)[0] : '');
  if (!activeKid) throw new ConfigError('JWT_ACTIVE_KID is required when JWT_KEYS has several keys');
  if (!keys[activeKid]) throw new ConfigError(`JWT_ACTIVE_KID "${activeKid}" is not a kid of JWT_KEYS`);
  return { keys, activeKid };
}

function dataKey(env: Env, production: boolean): Buffer {
  const raw = env.DATA_KEY;
  if (!raw) {
    if (production) throw new ConfigError('DATA_KEY is required when NODE_ENV=production');
    return DEV_DATA_KEY;
  }
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw.replace(/\s/g, '')) {
    throw new ConfigError('DATA_KEY must be the base64 of exactly 32 bytes (openssl rand -base64 32)');
  }
  return key;
}

function consoleGraphiql(env: Env, production: boolean): ConsoleGraphiql {
  const value = env.CONSOLE_GRAPHIQL || (production ? 'roles' : 'all');
  if (value !== 'all' && value !== 'roles' && value !== 'off') {
    throw new ConfigError(`CONSOLE_GRAPHIQL must be all, roles or off, got "${value}"`);
  }
  return value;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = (env.NODE_ENV || 'development') as NodeEnv;
  if (!['development', 'test', 'production'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, test or production, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  const dbFallback = production ? undefined : 'postgres://postgres@127.0.0.1:5432/fund_supervision';
  const redisFallback = production ? undefined : 'redis://127.0.0.1:6379';
  return {
    nodeEnv,
    port: int(env, 'PORT', 4000, 0, 65535),
    databaseUrl: url(env, 'DATABASE_URL', dbFallback, ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', redisFallback, ['redis:', 'rediss:']),
    logLevel,
    jwt: {
      ...jwtKeys(env, production),
      issuer: env.JWT_ISSUER || 'fund-supervision',
      audience: env.JWT_AUDIENCE || 'fund-supervision-api',
      ttlSeconds: int(env, 'JWT_TTL_SECONDS', 8 * 3600, 60, 7 * 24 * 3600),
    },
    dataKey: dataKey(env, production),
    passwordCost: int(env, 'PASSWORD_SCRYPT_COST', production ? 17 : 14, 10, 20),
    login: {
      slowAfter: int(env, 'LOGIN_SLOW_AFTER', 3, 1, 100),
      lockAfter: int(env, 'LOGIN_LOCK_AFTER', 10, 2, 1000),
      lockSeconds: int(env, 'LOGIN_LOCK_SECONDS', 900, 1, 86400),
    },
    limits: {
      maxDepth: int(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 50),
      maxAliases: int(env, 'GRAPHQL_MAX_ALIASES', 15, 1, 200),
      maxCost: int(env, 'GRAPHQL_MAX_COST', 5000, 10, 1_000_000),
      maxTokens: int(env, 'GRAPHQL_MAX_TOKENS', 2000, 100, 100_000),
      // The request body: a verifyHits call carries up to 1,000 hit ids (~70 KB of variables).
      maxDocumentBytes: int(env, 'GRAPHQL_MAX_DOCUMENT_BYTES', 200_000, 1000, 10_000_000),
      maxPageSize: int(env, 'GRAPHQL_MAX_PAGE_SIZE', 100, 100, 1000),
    },
    queuePrefix: env.QUEUE_PREFIX || 'fs',
    collisionSchedule: {
      nightly: cron(env, 'COLLISION_NIGHTLY_CRON', '30 1 * * *'),
      monthly: cron(env, 'COLLISION_MONTHLY_CRON', '0 3 1 * *'),
    },
    collisionConcurrency: int(env, 'COLLISION_CONCURRENCY', 1, 1, 64),
    collideStallSeconds: int(env, 'COLLIDE_STALL_SECONDS', 300, 1, 86_400),
    ingestTiming: Boolean(env.INGEST_TIMING),
    seed: {
      password: env.SEED_PASSWORD || 'demo-password-2025',
      demoScale: positiveNumber(env, 'DEMO_SCALE', 1, 1000),
    },
    // Off in tests: test files spawn worker processes side by side.
    workerMetricsPort: int(env, 'WORKER_METRICS_PORT', nodeEnv === 'test' ? 0 : 9464, 0, 65535),
    clockOffsetDays: int(env, 'CLOCK_OFFSET_DAYS', 0, 0, 36_500),
    consoleGraphiql: consoleGraphiql(env, production),
    stats: { maxStalenessMs: int(env, 'STATS_MAX_STALENESS_MS', 5000, 0, 3_600_000) },
  };
}

let current: Config | undefined;

/** The process-wide configuration, loaded on first use. */
export function config(): Config {
  if (!current) current = loadConfig();
  return current;
}

/** For tests and entry points that build their own configuration. */
export function setConfig(next: Config): void {
  current = next;
}
