// Tests run with NODE_ENV=test: silent logs and a cheap password hash cost.
process.env.NODE_ENV = 'test';
process.env.PASSWORD_SCRYPT_COST ??= '10';
// Statistics are read exactly (each reading brings the roll-up up to date) unless a test asks for staleness.
process.env.STATS_MAX_STALENESS_MS ??= '0';
import 'reflect-metadata';
