import { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AuditResolver } from '../domain/audit/audit.resolver';
import { AuthResolver } from '../domain/auth/auth.resolver';
import {
  DepartmentResolver,
  InstitutionResolver,
  PersonResolver,
  RegionResolver,
} from '../domain/reference/reference.resolver';
import { auditMiddleware } from './audit.middleware';
import { LabelsResolver } from './labels.resolver';
import { NodeResolver } from './node.resolver';
import { DateTimeScalar } from './scalars';

/** Every resolver of the API; a new module adds its resolvers here. */
export const RESOLVERS = [
  AuthResolver,
  RegionResolver,
  DepartmentResolver,
  InstitutionResolver,
  PersonResolver,
  AuditResolver,
  NodeResolver,
  LabelsResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/** The schema is built once per process (type-graphql metadata is global). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: RESOLVERS,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    globalMiddlewares: [auditMiddleware],
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
  return built;
}
