/**
 * Typed application errors. Services throw these; src/graphql/errors.ts maps them once to
 * GraphQL `extensions.code`, and nothing else reaches clients in production.
 */

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'INVALID_TRANSITION'
  | 'VERSION_CONFLICT'
  | 'TOO_MANY_REQUESTS'
  | 'CONFLICT'
  /** An administrator reset the caller's password: only changePassword (and me) answer until it is changed. */
  | 'PASSWORD_CHANGE_REQUIRED'
  | 'INTERNAL_SERVER_ERROR';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export const unauthenticated = (message = 'authentication required') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'not allowed') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const badInput = (message: string, extra: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, extra);
