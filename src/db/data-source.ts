import 'reflect-metadata';
import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { TIME_ZONE } from '../core/constants';
import { retryReadsOnConnectionLoss } from './connection-loss';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './naming';
import { POOL_TYPES } from './timestamps';

/**
 * The pool's clients. A client whose backend is terminated emits 'error'; with no listener at
 * that moment — checked out of the pool (which drops its idle listener) before TypeORM adds
 * its own, or after TypeORM dropped its own — that ended the process (found by the fault
 * campaign: an API process died on `pg_terminate_backend`). Every client listens from birth;
 * the lost connection itself reaches whoever uses the client through its next query.
 */
export class PoolClient extends Client {
  constructor(config?: string | ClientConfig) {
    // Timestamps read by position instead of by regular expressions (timestamps.ts).
    super(typeof config === 'string' ? { connectionString: config, types: POOL_TYPES } : { types: POOL_TYPES, ...config });
    this.on('error', () => undefined);
  }
}

/** The one way to build a DataSource: the app, the CLI, the workers and the tests use it. */
export function createDataSource(
  databaseUrl: string,
  options: { poolSize?: number; applicationName?: string; jit?: boolean } = {},
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
        Client: PoolClient,
        max: options.poolSize ?? 10,
        application_name: options.applicationName ?? 'fund-supervision',
        // The date of anything is its date in TIME_ZONE; sessions compute in that zone. `jit: false`
        // (the API): a request's statements run in milliseconds, and PostgreSQL's JIT compiles any
        // whose estimated cost passes jit_above_cost — a hundred milliseconds and more, each time.
        options: `-c timezone=${TIME_ZONE}${options.jit === false ? ' -c jit=off' : ''}`,
      },
    }),
  );
}
