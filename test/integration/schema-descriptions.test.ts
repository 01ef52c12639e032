import {
  GraphQLNamedType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { buildAppSchema } from '../../src/graphql/schema';

/**
 * Issue 13 item 6: the schema is the frontend developers' reference, so every type, field,
 * argument and enum value of the public schema carries a description (中文, with the English
 * term where it helps). Built the way schema.test.ts builds it; the built-in scalars and the
 * introspection types are graphql-js's own.
 */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const types = Object.values(schema.getTypeMap()).filter(
    (t: GraphQLNamedType) => !t.name.startsWith('__') && !isSpecifiedScalarType(t),
  );
  for (const type of types) {
    if (!type.description?.trim()) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description?.trim()) missing.push(`${type.name}.${field.name}`);
        const args = 'args' in field ? field.args : [];
        for (const arg of args) if (!arg.description?.trim()) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (!value.description?.trim()) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  it('describes every type, field, argument and enum value (write the description where it is declared)', async () => {
    expect(undescribed(await buildAppSchema())).toEqual([]);
  });
});
