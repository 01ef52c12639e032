/**
 * A list's filter given outside a GraphQL document (the export route, an export link) is
 * validated against the list's own GraphQL input type, as graphql-js coerces a variable: a
 * filter added to a list's input is accepted there too, and a bad one is refused the same way.
 */
import { coerceInputValue, GraphQLError, GraphQLInputObjectType, GraphQLInputType, GraphQLSchema } from 'graphql';
import { AppError } from '../core/errors';

/**
 * The input type of `Query.<queryField>`'s `filter` argument; with `filterIsArguments`, all of
 * the field's arguments as one input object (the statistics: regionCode, from, to).
 */
export function filterInputType(
  schema: GraphQLSchema,
  source: { queryField: string; filterIsArguments: boolean },
): GraphQLInputType {
  const { queryField, filterIsArguments } = source;
  const field = schema.getQueryType()?.getFields()[queryField];
  if (!field) throw new Error(`the schema has no Query.${queryField}`);
  if (filterIsArguments) {
    return new GraphQLInputObjectType({
      name: `${queryField}Arguments`,
      fields: Object.fromEntries(field.args.map((a) => [a.name, { type: a.type }])),
    });
  }
  const arg = field.args.find((a) => a.name === 'filter');
  if (!arg) throw new Error(`Query.${queryField} has no filter argument`);
  return arg.type;
}

/** Coerces `raw` (parsed JSON) to `type`; every bad field is reported in one BAD_USER_INPUT. */
export function coerceFilter(type: GraphQLInputType, raw: unknown): Record<string, unknown> {
  const problems: string[] = [];
  const value = coerceInputValue(raw, type, (path, _invalid, error: GraphQLError) => {
    problems.push(`${['filter', ...path].join('.')}: ${error.message}`);
  });
  if (problems.length) {
    throw new AppError('BAD_USER_INPUT', `invalid filter: ${problems.join('; ')}`, { argument: 'filter', problems });
  }
  return (value ?? {}) as Record<string, unknown>;
}

/** Parses a filter written as JSON text; malformed JSON is BAD_USER_INPUT. */
export function parseFilterJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('BAD_USER_INPUT', 'the filter is not valid JSON', { argument: 'filter' });
  }
}
