/**
 * The TypeORM DataSource for the TypeORM CLI, e.g.
 *   npx typeorm migration:show -d dist/ormconfig.js
 * The app, `npm run migrate` and the tests build the same DataSource through createDataSource.
 */
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

export default createDataSource(loadConfig().databaseUrl, { applicationName: 'typeorm-cli' });
