import { ConfigError, loadConfig } from '../../src/config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app@db:5432/fs',
  REDIS_URL: 'redis://redis:6379',
  JWT_SECRET: 'x'.repeat(40),
  DATA_KEY: KEY,
};

const failure = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
};

describe('configuration', () => {
  it('has development defaults for localhost and no secrets required', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toContain('127.0.0.1');
    expect(config.jwt.activeKid).toBe('default');
    expect(config.dataKey).toHaveLength(32);
    expect(config.workerMetricsPort).toBe(9464);
  });

  it('accepts a complete production environment', () => {
    const config = loadConfig(production);
    expect(config.nodeEnv).toBe('production');
    expect(config.passwordCost).toBe(17);
  });

  it.each([
    ['DATABASE_URL', { DATABASE_URL: '' }, /DATABASE_URL is required/],
    ['REDIS_URL', { REDIS_URL: '' }, /REDIS_URL is required/],
    ['DATA_KEY', { DATA_KEY: '' }, /DATA_KEY is required/],
    ['JWT_SECRET', { JWT_SECRET: '' }, /JWT_SECRET or JWT_KEYS is required/],
  ])('refuses production without %s', (_name, override, message) => {
    expect(failure({ ...production, ...override })).toMatch(message);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must use postgres/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ DATA_KEY: 'c2hvcnQ=' }, /DATA_KEY must be the base64 of exactly 32 bytes/],
    [{ JWT_SECRET: 'short' }, /at least 32 characters/],
    [{ JWT_KEYS: 'not json' }, /JWT_KEYS must be a JSON object/],
    [{ JWT_KEYS: JSON.stringify({ a: 'a'.repeat(32), b: 'b'.repeat(32) }) }, /JWT_ACTIVE_KID is required/],
    [{ JWT_KEYS: JSON.stringify({ a: 'a'.repeat(32) }), JWT_ACTIVE_KID: 'z' }, /JWT_ACTIVE_KID "z" is not a kid/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV must be/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ WORKER_METRICS_PORT: '65536' }, /WORKER_METRICS_PORT must be between 0 and 65535/],
  ])('names the variable of a malformed value: %j', (override, message) => {
    expect(failure({ ...production, ...override } as Record<string, string>)).toMatch(message);
  });

  it('rotates keys: every kid verifies, the active one signs', () => {
    const config = loadConfig({
      ...production,
      JWT_SECRET: '',
      JWT_KEYS: JSON.stringify({ old: 'o'.repeat(32), new: 'n'.repeat(32) }),
      JWT_ACTIVE_KID: 'new',
    });
    expect(Object.keys(config.jwt.keys)).toEqual(['old', 'new']);
    expect(config.jwt.activeKid).toBe('new');
  });

  it('reads COLLISION_CONCURRENCY (default 1) and refuses a malformed or out-of-range value', () => {
    expect(loadConfig({}).collisionConcurrency).toBe(1);
    expect(loadConfig({ COLLISION_CONCURRENCY: '4' }).collisionConcurrency).toBe(4);
    expect(failure({ COLLISION_CONCURRENCY: 'two' })).toMatch(/COLLISION_CONCURRENCY must be an integer/);
    expect(failure({ COLLISION_CONCURRENCY: '0' })).toMatch(/COLLISION_CONCURRENCY must be between 1 and 64/);
  });

  it('reads CONSOLE_GRAPHIQL: all by default, roles in production, and refuses other values', () => {
    expect(loadConfig({}).consoleGraphiql).toBe('all');
    expect(loadConfig(production).consoleGraphiql).toBe('roles');
    expect(loadConfig({ ...production, CONSOLE_GRAPHIQL: 'off' }).consoleGraphiql).toBe('off');
    expect(failure({ CONSOLE_GRAPHIQL: 'everyone' })).toMatch(/CONSOLE_GRAPHIQL/);
  });

  it('reads STATS_MAX_STALENESS_MS: 5 s by default, 0 for exact statistics, and refuses other values', () => {
    expect(loadConfig({}).stats.maxStalenessMs).toBe(5000);
    expect(loadConfig({ STATS_MAX_STALENESS_MS: '0' }).stats.maxStalenessMs).toBe(0);
    expect(failure({ STATS_MAX_STALENESS_MS: '5s' })).toMatch(/STATS_MAX_STALENESS_MS must be an integer/);
    expect(failure({ STATS_MAX_STALENESS_MS: '3600001' })).toMatch(/STATS_MAX_STALENESS_MS must be between 0 and/);
  });
});
