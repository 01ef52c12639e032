import { MigrationInterface } from 'typeorm';
import { Foundation1763900000000 } from './1763900000000-foundation';
import { Facts1763900100000 } from './1763900100000-facts';

/** Every migration, in order. A new migration is a new file here and one line below. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Foundation1763900000000, Facts1763900100000];
