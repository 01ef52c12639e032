import { Foundation1763900000000 } from './1763900000000-foundation';

/** Every migration, in order. A new migration is a new file here and one line below. */
export const MIGRATIONS: Function[] = [Foundation1763900000000];
