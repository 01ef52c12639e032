import { runMigrations } from '../db/migrate';
import { printResult, runCli } from './run';

/** npm run migrate — applies pending migrations (creating the database if needed). */
runCli(async (config) => {
  const applied = await runMigrations(config.databaseUrl);
  printResult({ applied });
});
