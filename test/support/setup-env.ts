// Tests run with NODE_ENV=test: silent logs and a cheap password hash cost.
process.env.NODE_ENV = 'test';
process.env.PASSWORD_SCRYPT_COST ??= '10';
import 'reflect-metadata';
