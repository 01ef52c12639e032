/**
 * The one mapping of errors to GraphQL `extensions.code`. The error classes themselves live in
 * src/core/errors.ts, below both the domain and the GraphQL layer.
 */
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { AppError } from '../core/errors';

/** Codes produced by graphql-js / Apollo themselves that are safe to pass through. */
const PASSTHROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
]);

/**
 * Maps every error to a client-safe shape: AppErrors keep their code and message,
 * argument validation keeps its message, anything else becomes INTERNAL_SERVER_ERROR
 * without message details (the full error goes to the log via `onInternal`).
 */
export function makeFormatError(options: { production: boolean; onInternal: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof AppError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: original.code, ...original.extra },
      };
    }
    const code = formatted.extensions?.code as string | undefined;
    if (code && PASSTHROUGH.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...extensions, code },
      };
    }
    // graphql-js stops coercing variables after 50 errors and says so without a code.
    if (
      original instanceof GraphQLError &&
      !original.extensions.code &&
      /^Too many errors processing variables/.test(original.message)
    ) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    // Apollo's own request errors without a code but with a 4xx status (e.g. a persisted query
    // whose hash does not match) are the client's: Apollo filled in INTERNAL_SERVER_ERROR.
    const status =
      original instanceof GraphQLError
        ? (original.extensions.http as { status?: number } | undefined)?.status
        : undefined;
    if (!(original instanceof GraphQLError && original.extensions.code) && status && status < 500) {
      return {
        message: formatted.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_REQUEST' },
      };
    }
    // type-graphql's argument validation and scalar parse errors carry no code of their own.
    if (
      !code &&
      original instanceof Error &&
      /^(Argument Validation Error|Expected|Invalid|Variable)/.test(original.message)
    ) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    options.onInternal(original);
    return {
      message: options.production ? 'internal error' : formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
