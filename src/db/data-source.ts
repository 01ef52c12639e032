import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { TIME_ZONE } from '../core/constants';
import { retryReadsOnConnectionLoss } from './connection-loss';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming';

/** The one way to build a DataSource: the app, the CLI, the workers and the tests use it. */
export function createDataSource(
  databaseUrl: string,
  options: { poolSize?: number; applicationName?: string } = {},
): DataSource {
  return retryReadsOnConnectionLoss(
    new DataSource({
      type: 'postgres',
      url: databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsTableName: 'schema_migrations',
      migrationsTransactionMode: 'each',
      namingStrategy: new SnakeNamingStrategy(),
      synchronize: false,
      uuidExtension: 'pgcrypto',
      logging: false,
      extra: {
        max: options.poolSize ?? 10,
        application_name: options.applicationName ?? 'fund-supervision',
        // The date of anything is its date in TIME_ZONE; sessions compute in that zone.
        options: `-c timezone=${TIME_ZONE}`,
      },
    }),
  );
}
