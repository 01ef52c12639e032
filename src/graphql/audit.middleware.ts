/**
 * Writes every mutation and every denial to the audit log, whichever resolver ran.
 * login audits itself (it has no actor yet and records the outcome in detail).
 */
import { MiddlewareFn } from 'type-graphql';
import { appendAudit } from '../domain/audit/audit.service';
import { GraphQLContext } from './context';
import { AppError } from '../core/errors';

const SECRET_ARGUMENTS = /password|token|idNumber|bankAccount/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_ARGUMENTS.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

export const auditMiddleware: MiddlewareFn<GraphQLContext> = async ({ context, info, args, root }, next) => {
  const isMutation = info.parentType.name === 'Mutation';
  try {
    const result = await next();
    if (isMutation && info.fieldName !== 'login') {
      const target = result as { __typename?: string; id?: string } | null;
      await appendAudit(context.services.db, {
        actorId: context.actor?.userId ?? null,
        action: `mutation.${info.fieldName}`,
        targetType: target?.__typename ?? null,
        targetId: target?.id ?? null,
        detail: { args: redact(args), requestId: context.requestId },
      });
    }
    return result;
  } catch (error) {
    if (error instanceof AppError && error.code === 'FORBIDDEN') {
      const parent = root as { __typename?: string; id?: string } | undefined;
      await appendAudit(context.services.db, {
        actorId: context.actor?.userId ?? null,
        action: 'denied',
        targetType: parent?.__typename ?? null,
        targetId: parent?.id ?? null,
        detail: { field: `${info.parentType.name}.${info.fieldName}`, args: redact(args), reason: error.message },
      });
    }
    throw error;
  }
};
