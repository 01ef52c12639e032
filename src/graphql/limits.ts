/**
 * Query limits: depth, aliases, tokens and field suggestions through graphql-armor;
 * cost through graphql-query-complexity, where a list's children count `first` times.
 * The same validation rules guard HTTP and WebSocket operations.
 */
import { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { getVariableValues, GraphQLError, GraphQLSchema, OperationDefinitionNode, ValidationRule } from 'graphql';
import {
  ComplexityEstimator,
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
} from 'graphql-query-complexity';
import { Config } from '../config';
import { DEFAULT_PAGE_SIZE } from '../core/pagination';

export function armor(config: Config) {
  const production = config.nodeEnv === 'production';
  return new ApolloArmor({
    maxDepth: { n: config.limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: config.limits.maxAliases },
    // The token limit is the parser's own (parseOptions below): armor's version parses in a
    // plugin hook, where every syntax error became a 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

/**
 * Apollo's parse options: over `maxTokens` the parser stops with a syntax error (400
 * GRAPHQL_PARSE_FAILED), which also bounds how deep a literal can nest.
 */
export const parseOptions = (config: Config) => ({ maxTokens: config.limits.maxTokens });

/** Children of a paginated field count once per requested item. */
const paginationEstimator =
  (maxPageSize: number): ComplexityEstimator =>
  ({ args, childComplexity }) => {
    if (typeof args.first === 'number' || 'after' in args) {
      const first = typeof args.first === 'number' ? Math.min(Math.max(args.first, 0), maxPageSize) : DEFAULT_PAGE_SIZE;
      return 1 + childComplexity * first;
    }
    return undefined;
  };

const COST_KEY_MAX_CHARS = 8192;

export function costLimitPlugin(schema: GraphQLSchema, config: Config): ApolloServerPlugin {
  // The cost of a document with its variables never changes: lists ask the same again and again.
  const costs = new Map<string, number | null>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation }) {
          const key =
            request.query &&
            `${request.operationName ?? ''}\n${JSON.stringify(request.variables ?? {})}\n${request.query}`;
          let cost = key ? costs.get(key) : undefined;
          if (cost === undefined) {
            // Variables that do not coerce are the client's error: execution answers them with
            // 400 BAD_USER_INPUT and the coercion message. Costing would coerce them itself and
            // throw an unclassified error (a 500) first, so the cost waits for valid variables.
            cost = variablesCoerce(schema, operation, request.variables ?? {})
              ? queryCost(schema, config, document, request.variables ?? {}, request.operationName)
              : null;
            // Kept for ordinary documents only: 1,000 keys of up to 8 KiB. A key holds the whole
            // document and its variables — up to GRAPHQL_MAX_DOCUMENT_BYTES each otherwise.
            if (key && key.length <= COST_KEY_MAX_CHARS) {
              if (costs.size >= 1000) costs.clear();
              costs.set(key, cost);
            }
          }
          if (cost === null) return;
          if (cost > config.limits.maxCost) {
            const what = Number.isFinite(cost)
              ? `query cost ${cost}`
              : 'the query, its fragments expanded, has over 10000 fields: its cost';
            throw new GraphQLError(`${what} exceeds the limit of ${config.limits.maxCost}`, {
              // 400: the client's to fix (thrown from a plugin hook, it would be a 500).
              extensions: { code: 'QUERY_TOO_COMPLEX', cost, maxCost: config.limits.maxCost, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** True when the operation's variables coerce to their declared types. */
function variablesCoerce(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode | undefined,
  variables: Record<string, unknown>,
): boolean {
  if (!operation) return true;
  return !getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors?.length;
}

export function queryCost(
  schema: GraphQLSchema,
  config: Config,
  query: Parameters<typeof getComplexity>[0]['query'],
  variables: Record<string, unknown>,
  operationName?: string | null,
): number {
  try {
    return getComplexity({
      schema,
      query,
      variables,
      operationName: operationName ?? undefined,
      estimators: [
        fieldExtensionsEstimator(),
        paginationEstimator(config.limits.maxPageSize),
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  } catch (error) {
    // Fragments spread over and over expand past the library's node limit (10,000): a cost
    // beyond any limit, not an internal error.
    if (error instanceof Error && /maximum allowed number of nodes/.test(error.message)) return Infinity;
    throw error;
  }
}

export type { ValidationRule };
