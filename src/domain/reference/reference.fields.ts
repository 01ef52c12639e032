/**
 * The department or institution a row refers to, for the field resolvers of every module:
 * without a promise when it is kept (loaders.departmentNow), so that a list's rows complete
 * synchronously.
 */
import { GraphQLContext } from '../../graphql/context';
import { mapNow } from '../../graphql/loaders';
import { DepartmentType, InstitutionType } from './reference.types';

/** The department of a foreign key (it exists: a missing one is a fault, not the client's). */
export function referencedDepartment(ctx: GraphQLContext, id: string): DepartmentType | Promise<DepartmentType> {
  return mapNow(ctx.loaders.departmentNow(id), (d) => {
    if (!d) throw new Error(`department ${id} is missing`);
    return DepartmentType.from(d);
  });
}

/** The department of a nullable foreign key. */
export function optionalDepartment(
  ctx: GraphQLContext,
  id: string | null | undefined,
): DepartmentType | null | Promise<DepartmentType> {
  return id ? referencedDepartment(ctx, id) : null;
}

/** The institution of a nullable code (institution codes of rows are foreign keys too, except in evidence). */
export function optionalInstitution(
  ctx: GraphQLContext,
  code: string | null | undefined,
): InstitutionType | null | Promise<InstitutionType | null> {
  if (!code) return null;
  return mapNow(ctx.loaders.institutionNow(code), (found) => found && InstitutionType.from(found));
}
