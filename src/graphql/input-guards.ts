/**
 * Checks of an HTTP operation before it runs, for input that would otherwise fail deep inside
 * (issue 16, item 6 — found by bench/fuzz/graphql.ts):
 *
 * - a subscription sent over HTTP: subscriptions are served over WebSocket (graphql-ws); over
 *   HTTP their resolver would run without an event — 400 BAD_REQUEST;
 * - text PostgreSQL cannot store: U+0000 (text columns and jsonb refuse it) and unpaired
 *   surrogates (jsonb refuses them, text columns would silently get U+FFFD) in any string of the
 *   variables or of the document's literals — 400 BAD_USER_INPUT naming the variable or argument.
 */
import { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLError, visit } from 'graphql';

/** NUL, or a surrogate that is not half of a pair. */
// eslint-disable-next-line no-control-regex -- NUL is what is looked for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function describeUnstorable(text: string): string {
  return text.includes('\u0000') ? 'U+0000 (NUL)' : 'an unpaired surrogate';
}

/** The path of the first string holding an unstorable character, with that string; null when none. */
export function findUnstorableText(value: unknown, path: string, depth = 0): { path: string; text: string } | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? { path, text: value } : null;
  if (value === null || typeof value !== 'object' || depth > 100) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, item] of Object.entries(value)) {
    const found =
      (UNSTORABLE.test(key) ? { path: `${path}.${key}`, text: key } : null) ??
      findUnstorableText(item, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

function unstorableLiteral(document: DocumentNode): string | null {
  let found: string | null = null;
  visit(document, {
    StringValue(node) {
      if (!found && UNSTORABLE.test(node.value)) found = node.value;
    },
  });
  return found;
}

const badInput = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export function inputGuardsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          const variable = findUnstorableText(request.variables ?? {}, '$');
          if (variable) {
            throw badInput(
              `variable ${variable.path.replace(/^\$\./, '$')} contains ${describeUnstorable(variable.text)}, which cannot be stored`,
            );
          }
          // Only string literals with escapes can hold these characters (the lexer refuses them raw).
          const literal = request.query?.includes('\\u') ? unstorableLiteral(document) : null;
          if (literal !== null)
            throw badInput(`a string literal contains ${describeUnstorable(literal)}, which cannot be stored`);
        },
      };
    },
  };
}
