import { createDataSource } from '../../src/db/data-source';
import { dropDatabase, runMigrations } from '../../src/db/migrate';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTableTypes } from '../../src/db/table-types';
import { testDatabaseUrl } from '../support/harness';

describe('migrations', () => {
  const url = testDatabaseUrl();
  afterAll(() => dropDatabase(url));

  it('migrate a fresh database, and a second run applies nothing', async () => {
    expect((await runMigrations(url)).length).toBeGreaterThan(0);
    expect(await runMigrations(url)).toEqual([]);
  });

  it('match the entities: TypeORM finds no schema difference', async () => {
    const ds = createDataSource(url, { poolSize: 1 });
    await ds.initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('match src/db/tables.ts: every table, column, type and nullability (run `npm run db:types` after a migration)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'src', 'db', 'tables.ts'), 'utf8');
    expect(committed).toBe(await generateTableTypes(url));
  });
});
