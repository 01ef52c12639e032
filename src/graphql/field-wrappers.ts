/**
 * What runs around the schema's resolvers, applied once after the schema is built (instead of
 * type-graphql's global middlewares, which turn every field — every scalar property too — into
 * an async chain of promises, the main cost of executing a list):
 *
 * - a root Mutation field: fresh loaders (fresh-loaders.middleware.ts), then the audit of the
 *   mutation (audit.middleware.ts), as before;
 * - any other field: its result as it is, sync values staying sync; a FORBIDDEN error is
 *   written to the audit log as a denial before it is passed on, as before.
 */
import { defaultFieldResolver, GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { auditDenial, auditMiddleware, isDenial } from './audit.middleware';
import { GraphQLContext } from './context';
import { freshLoadersPerMutation } from './fresh-loaders.middleware';

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext, Record<string, unknown>>;

const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === 'function';

function mutationField(resolve: Resolver): Resolver {
  return (root, args, context, info) => {
    const data = { root, args, context, info };
    return freshLoadersPerMutation(data, () => auditMiddleware(data, async () => resolve(root, args, context, info)));
  };
}

function denialAudited(resolve: Resolver): Resolver {
  const denied = (data: Parameters<typeof auditDenial>[0], error: unknown) =>
    auditDenial(data, error).then(() => {
      throw error;
    });
  return (root, args, context, info) => {
    let result: unknown;
    try {
      result = resolve(root, args, context, info);
    } catch (error) {
      if (!isDenial(error)) throw error;
      return denied({ root, args, context, info }, error);
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).catch((error: unknown) => denied({ root, args, context, info }, error));
    }
    return result;
  };
}

/** Wraps every resolver of the schema's object types in place; returns the schema. */
export function wrapResolvers(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = (field.resolve ?? defaultFieldResolver) as Resolver;
      field.resolve = type === mutation ? mutationField(resolve) : denialAudited(resolve);
    }
  }
  return schema;
}
