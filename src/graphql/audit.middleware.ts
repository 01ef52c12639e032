/**
 * Writes every mutation and every denial to the audit log, whichever resolver ran (applied to
 * the schema's resolvers by src/graphql/field-wrappers.ts).
 * login audits itself (it has no actor yet and records the outcome in detail).
 *
 * A mutation's entry commits with the change it records when the service runs its work
 * through `inTransaction` (src/db/transaction.ts): the entry is appended in that transaction,
 * before COMMIT, targeting the returned row (its `id`, under the field's Node type) or, when the
 * transaction returns no row, the id of that type among the mutation's arguments; a mutation
 * whose payload is not a Node (verifyHits) targets the first global id among its arguments. A mutation
 * whose service does not use the helper (or names no target either way) gets its entry here
 * after the service returned, as before — a crash between its commit and this write loses it.
 */
import { getNamedType, GraphQLResolveInfo, isObjectType } from 'graphql';
import { MiddlewareFn, ResolverData } from 'type-graphql';
import { AppError } from '../core/errors';
import { fromGlobalId, NodeTypeName, toGlobalId } from '../core/ids';
import { withBeforeCommit } from '../db/transaction';
import { AuditInput } from '../domain/audit/audit.repository';
import { appendAudit } from '../domain/audit/audit.service';
import { GraphQLContext } from './context';

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

/** The field's type when it is a Node (its rows are what the entry targets); else null. */
function nodeTypeOf(info: GraphQLResolveInfo): NodeTypeName | null {
  const type = getNamedType(info.returnType);
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node') ? (type.name as NodeTypeName) : null;
}

/** What a transaction returned about its row: the row (with a string or numeric `id`), or the id itself. */
function rowIdOf(result: unknown): string | null {
  if (typeof result === 'string') return result;
  const id = (result as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : null;
}

/**
 * The global ids among a mutation's arguments, in order: top level, or one level inside an
 * input object, lists included — e.g. `clueId` of startVerification, `input.caseId`,
 * `input.hitIds` of verifyHits.
 */
function idsInArgs(args: Record<string, unknown>): { type: NodeTypeName; id: string }[] {
  const values = Object.values(args)
    .flatMap((v) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v as Record<string, unknown>) : [v],
    )
    .flatMap((v) => (Array.isArray(v) ? v : [v]));
  const ids: { type: NodeTypeName; id: string }[] = [];
  for (const value of values) {
    if (typeof value !== 'string') continue;
    try {
      ids.push({ type: fromGlobalId(value).type, id: value });
    } catch {
      // Not a global id.
    }
  }
  return ids;
}

/** The mutation's target among its arguments: the first id of `type` (used when the transaction returned no row). */
const targetIdInArgs = (args: Record<string, unknown>, type: NodeTypeName): string | null =>
  idsInArgs(args).find((i) => i.type === type)?.id ?? null;

export const auditMiddleware: MiddlewareFn<GraphQLContext> = async ({ context, info, args, root }, next) => {
  const isMutation = info.parentType.name === 'Mutation';
  try {
    if (!isMutation || info.fieldName === 'login') return await next();
    const entry: AuditInput = {
      actorId: context.actor?.userId ?? null,
      action: `mutation.${info.fieldName}`,
      detail: { args: redact(args), requestId: context.requestId },
    };
    const nodeType = nodeTypeOf(info);
    let written = false;
    // `written` once the transaction holding the entry committed: a transaction that lost its
    // connection and runs again writes the entry again (its first attempt's was rolled back).
    const wrote = () => {
      written = true;
    };
    const result = await withBeforeCommit(async (m, row) => {
      if (written) return;
      if (!nodeType) {
        // A payload that is not a Node (verifyHits…): the entry names the first id argument.
        const [target] = idsInArgs(args);
        await appendAudit(m, { ...entry, targetType: target?.type ?? null, targetId: target?.id ?? null });
        return wrote;
      }
      const rowId = rowIdOf(row);
      const targetId = rowId === null ? targetIdInArgs(args, nodeType) : toGlobalId(nodeType, rowId);
      if (targetId === null) return;
      await appendAudit(m, { ...entry, targetType: nodeType, targetId });
      return wrote;
    }, next);
    if (!written) {
      const target = result as { __typename?: string; id?: string } | null;
      await appendAudit(context.services.db, {
        ...entry,
        targetType: target?.__typename ?? null,
        targetId: target?.id ?? null,
      });
    }
    return result;
  } catch (error) {
    await auditDenial({ context, info, args, root }, error);
    throw error;
  }
};

export const isDenial = (error: unknown): error is AppError => error instanceof AppError && error.code === 'FORBIDDEN';

/** Writes the entry of a denial (a FORBIDDEN error) of any field; other errors are not written. */
export async function auditDenial(
  { context, info, args, root }: Pick<ResolverData<GraphQLContext>, 'context' | 'info' | 'args' | 'root'>,
  error: unknown,
): Promise<void> {
  if (!isDenial(error)) return;
  const parent = root as { __typename?: string; id?: string } | undefined;
  await appendAudit(context.services.db, {
    actorId: context.actor?.userId ?? null,
    action: 'denied',
    targetType: parent?.__typename ?? null,
    targetId: parent?.id ?? null,
    detail: { field: `${info.parentType.name}.${info.fieldName}`, args: redact(args), reason: error.message },
  });
}
