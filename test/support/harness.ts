/**
 * Integration-test harness: a fresh PostgreSQL database and a Redis key prefix per test
 * file, migrated, with the real services and (optionally) the real HTTP API on a free port.
 */
import { randomBytes } from 'node:crypto';
import { AppServices, createServices } from '../../src/app';
import { Config, loadConfig, setConfig } from '../../src/config';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { ApiServer, startApiServer } from '../../src/server';

const BASE_DB = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export function testDatabaseUrl(name = uniqueName('t')): string {
  const url = new URL(BASE_DB);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestEnv {
  config: Config;
  services: AppServices;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const databaseUrl = testDatabaseUrl();
  await runMigrations(databaseUrl);
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    QUEUE_PREFIX: uniqueName('q'),
    ...overrides,
  });
  setConfig(config);
  const services = await createServices(config);
  return {
    config,
    services,
    databaseUrl,
    async close() {
      const keys = await services.redis.keys(`${config.queuePrefix}:*`);
      if (keys.length) await services.redis.del(...keys);
      await services.close();
      await dropDatabase(databaseUrl);
    },
  };
}

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown } }[];
}

export interface TestApi extends TestEnv {
  api: ApiServer;
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  login(username: string, password?: string): Promise<string>;
}

export const TEST_PASSWORD = 'correct-horse-battery';

export async function startTestApi(overrides: Record<string, string> = {}): Promise<TestApi> {
  const env = await createTestEnv(overrides);
  const api = await startApiServer(env.services, 0);
  const gql = async (
    query: string,
    variables: Record<string, unknown> = {},
    token?: string,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(api.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };
  return {
    ...env,
    api,
    gql,
    async login(username: string, password = TEST_PASSWORD) {
      const res = await gql('mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }', {
        u: username,
        p: password,
      });
      if (!res.data) throw new Error(`login ${username} failed: ${JSON.stringify(res.errors)}`);
      return res.data.login.token as string;
    },
    async close() {
      await api.stop();
      await env.close();
    },
  };
}

/** Polls `probe` every 200 ms until it returns a truthy value, which it returns; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
