/**
 * personByIdNumber benchmark (docs/READING.md "personByIdNumber"): N persons with encrypted ID
 * numbers and their keyed hashes (computed in PostgreSQL with pgcrypto, as the set-based ingest
 * does), then searches by number through the service — keyed hash, indexed lookup, jurisdiction,
 * audit entry — compared with a floor written independently of the product: a table of the bench's
 * own holding the same hashes as its primary key, looked up by bare SQL.
 *
 *   npm run bench:reading -- [--persons 300000] [--searches 200] [--db-url base] [--keep] [--no-index]
 *
 * Prints one JSON object: persons, searches, the time to insert them (loadMs, set-based as the
 * ingest's staged path; `--no-index` drops the hash index first, to see what it costs the load),
 * the service's p50/p95 in ms (with its audit write), the floor's p50/p95, and whether every
 * search found its person.
 */
import { performance } from 'node:perf_hooks';
import { createServices } from '../../src/app';
import { loadConfig } from '../../src/config';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { findPersonByIdNumber } from '../../src/domain/reference/reference.service';
import { idCheckChar } from '../../src/domain/reference/id-number';
import { Actor } from '../../src/policy';

const option = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const log = (message: string) => process.stderr.write(`[${new Date().toISOString()}] ${message}\n`);
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 100) / 100;
};

/** The n-th bench resident ID number: region 610302, a birth date, a sequence, its check character. */
function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + (n % 20000) * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `610302${birth}${String(Math.floor(n / 20000) % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

async function main(): Promise<void> {
  const persons = Number(option('persons', '300000'));
  const searches = Number(option('searches', '200'));
  const base = new URL(option('db-url', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'));
  base.pathname = `/bench_person_${Date.now().toString(36)}`;
  const databaseUrl = base.toString();
  log(`migrating ${databaseUrl}`);
  await runMigrations(databaseUrl);
  const config = loadConfig({ ...process.env, NODE_ENV: 'development', DATABASE_URL: databaseUrl });
  const services = await createServices(config, { applicationName: 'bench-person-search' });
  try {
    const db = services.db;
    await db.query(`INSERT INTO region (code, name, level, parent_code) VALUES ('610000', '陕西省', 'PROVINCE', NULL),
      ('610300', '宝鸡市', 'CITY', '610000'), ('610302', '渭滨区', 'COUNTY', '610300') ON CONFLICT DO NOTHING`);
    const numbers = Array.from({ length: persons }, (_, n) => idNumber(n));
    const withIndex = !process.argv.includes('--no-index');
    if (!withIndex) await db.query('DROP INDEX person_id_number_hash_idx');
    log(`inserting ${persons} persons`);
    const { encKey, hashKey } = services.personalDataKeys;
    const loadStart = performance.now();
    for (let from = 0; from < persons; from += 50000) {
      const chunk = numbers.slice(from, from + 50000);
      await db.query(
        `INSERT INTO person (person_id, name, region_code, id_number_enc, id_number_hash, id_number_masked)
         SELECT 'BP' || (n + $4::int), '基准人员', '610302',
                iv || encrypt_iv(convert_to(v, 'UTF8'), $1, iv, 'aes-cbc/pad:pkcs'),
                hmac(convert_to(v, 'UTF8'), $2, 'sha256'), left(v, 6) || '********' || right(v, 4)
         FROM (SELECT v, n - 1 AS n, gen_random_bytes(16) AS iv FROM unnest($3::text[]) WITH ORDINALITY AS x(v, n)) s`,
        [encKey, hashKey, chunk, from],
      );
    }
    const loadMs = Math.round(performance.now() - loadStart);
    // The floor: the bench's own table of the same hashes, primary key lookups in bare SQL.
    await db.query('CREATE TABLE bench_floor (hash bytea PRIMARY KEY, person text NOT NULL)');
    await db.query('INSERT INTO bench_floor SELECT id_number_hash, person_id FROM person');
    await db.query('ANALYZE person; ANALYZE bench_floor');
    const [user] = await db.query(
      `WITH d AS (INSERT INTO department (kind, name, region_code) VALUES ('MEDICAL_INSURANCE', '渭滨区医疗保障局', '610302') RETURNING id)
       INSERT INTO app_user (username, display_name, password_hash, department_id, roles)
       SELECT 'bench', 'bench', 'x', d.id, '{INVESTIGATOR}' FROM d RETURNING id, department_id`,
    );
    const actor: Actor = {
      userId: user.id,
      username: 'bench',
      roles: ['INVESTIGATOR'],
      department: { id: user.department_id, kind: 'MEDICAL_INSURANCE', regionCode: '610302', regionLevel: 'COUNTY' },
    };
    const picks = Array.from({ length: searches }, (_, i) =>
      Math.floor(((i * 7919) % searches) * (persons / searches)),
    );
    const service: number[] = [];
    const floor: number[] = [];
    let found = 0;
    const { keyedHash } = await import('../../src/domain/reference/personal-data');
    for (const [round, pick] of [[-1, 0] as const, ...picks.map((p, i) => [i, p] as const)]) {
      let t0 = performance.now();
      const person = await findPersonByIdNumber(services, actor, numbers[pick]);
      const serviceMs = performance.now() - t0;
      t0 = performance.now();
      await db.query('SELECT person FROM bench_floor WHERE hash = $1', [
        keyedHash(services.personalDataKeys, numbers[pick]),
      ]);
      const floorMs = performance.now() - t0;
      if (round < 0) continue; // warm-up
      service.push(serviceMs);
      floor.push(floorMs);
      if (person?.personId === `BP${pick}`) found++;
    }
    process.stdout.write(
      `${JSON.stringify({
        persons,
        searches,
        hashIndex: withIndex,
        loadMs,
        serviceMs: { p50: percentile(service, 50), p95: percentile(service, 95) },
        floorMs: { p50: percentile(floor, 50), p95: percentile(floor, 95) },
        allFound: found === searches,
      })}\n`,
    );
  } finally {
    await services.close();
    if (!process.argv.includes('--keep')) await dropDatabase(databaseUrl);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
