import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config';
import { dropDatabase, runMigrations } from '../db/migrate';
import { generateTableTypes } from '../db/table-types';

/** npm run db:types — migrates a scratch database and writes src/db/tables.ts from it. */
async function main(): Promise<void> {
  const url = new URL(loadConfig(process.env).databaseUrl);
  url.pathname = `/db_types_${randomBytes(4).toString('hex')}`;
  await runMigrations(url.toString());
  try {
    const source = await generateTableTypes(url.toString());
    writeFileSync(join(__dirname, '..', '..', '..', 'src', 'db', 'tables.ts'), source);
    process.stdout.write(`${JSON.stringify({ written: 'src/db/tables.ts', bytes: Buffer.byteLength(source) })}\n`);
  } finally {
    await dropDatabase(url.toString());
  }
}

main().catch((error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exit(1);
});
