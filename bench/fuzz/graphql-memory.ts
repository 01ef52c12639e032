import 'reflect-metadata';
/**
 * Does the API keep memory across hostile requests? The fuzzer's requests against the API in this
 * process, in rounds; after each round two full garbage collections, then the V8 heap in use.
 * RSS and a heap sampled between collections only grow (V8 collects lazily); the heap after a
 * full collection is what the process keeps.
 *
 *   npx tsc -b && node --expose-gc dist/bench/fuzz/graphql-memory.js [--seed 1] [--rounds 4] [--requests 2500]
 *
 * Prints one JSON line: the heap after collection before the first round and after each, in MB,
 * and the 5xx and internal errors seen.
 */
import { join } from 'node:path';
import { createServices } from '../../src/app';
import { loadConfig, setConfig } from '../../src/config';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { signAccessToken } from '../../src/domain/auth/jwt';
import { seedDepartmentsAndUsers, seedRegions } from '../../src/domain/reference/seed.service';
import { startApiServer } from '../../src/server';
import { loadSchema } from './graphql-gen';
import { runGraphqlFuzz } from './graphql-run';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SEED = arg('seed', 1);
const ROUNDS = arg('rounds', 4);
const REQUESTS = arg('requests', 2500);
const ROOT = join(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const url = new URL(process.env.FUZZ_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/fuzzmem_${Date.now().toString(36)}_${SEED}`;
  await runMigrations(url.toString());
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    DATABASE_URL: url.toString(),
    QUEUE_PREFIX: `fuzzmem${SEED}`,
    PASSWORD_SCRYPT_COST: '10',
  });
  setConfig(config);
  const services = await createServices(config);
  const api = await startApiServer(services, 0);
  try {
    await seedRegions(services);
    await seedDepartmentsAndUsers(services, 'fuzz-password-2025');
    const users = (await services.db.query(`SELECT id FROM app_user ORDER BY username LIMIT 12`)) as { id: string }[];
    const tokens = users.map((u) => signAccessToken(config.jwt, u.id).token);
    const heap = () => {
      gc();
      gc();
      return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
    };
    const heapAfterGcMb = [heap()];
    let fiveXX = 0;
    let internalErrors = 0;
    const schema = loadSchema(ROOT);
    for (let round = 0; round < ROUNDS; round++) {
      const stats = await runGraphqlFuzz({
        url: api.url,
        schema,
        tokens,
        seed: SEED * 1000 + round,
        requests: REQUESTS,
      });
      fiveXX += stats.fiveXX;
      internalErrors += stats.internalErrors;
      heapAfterGcMb.push(heap());
    }
    process.stdout.write(
      `${JSON.stringify({ seed: SEED, rounds: ROUNDS, requestsPerRound: REQUESTS, heapAfterGcMb, fiveXX, internalErrors })}\n`,
    );
  } finally {
    await api.stop();
    await services.close();
    await dropDatabase(url.toString());
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
