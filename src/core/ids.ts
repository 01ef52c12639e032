/**
 * Global object ids (`base64url("Type:id")`), the one decoder of them. Every id a client
 * sends is decoded here, so that nothing malformed reaches SQL (where it would be a cast
 * error, not a client error): an id that is not of the form `Type:id`, names no known type
 * or another type than expected is BAD_USER_INPUT; a well-formed id whose row part cannot
 * exist for its type (not a uuid where the type has uuids) names no object: NOT_FOUND.
 */
import { badInput, notFound } from './errors';

/** The GraphQL type names that carry global ids, with the form of the row id behind each. */
const ROW_ID_FORMS = {
  Department: 'uuid',
  User: 'uuid',
  Institution: 'code',
  Person: 'code',
  AuditEntry: 'integer',
  CollisionRun: 'uuid',
  CollisionHit: 'uuid',
  Clue: 'uuid',
  ClueTransfer: 'uuid',
  Case: 'uuid',
  Sanction: 'uuid',
  RectificationItem: 'uuid',
  SupervisionItem: 'uuid',
  RoutingRule: 'uuid',
  Notification: 'integer',
  Problem: 'uuid',
  RectificationMeasure: 'uuid',
  Recheck: 'uuid',
  Rule: 'uuid',
  Campaign: 'uuid',
  SelfCheckReport: 'uuid',
  Inspection: 'uuid',
  Document: 'uuid',
} as const satisfies Record<string, 'uuid' | 'integer' | 'code'>;

export type NodeTypeName = keyof typeof ROW_ID_FORMS;

const FORM_PATTERNS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  integer: /^[1-9][0-9]{0,17}$/,
  code: /^[\x21-\x7e]{1,64}$/,
};

export const isNodeTypeName = (name: string): name is NodeTypeName => Object.hasOwn(ROW_ID_FORMS, name);

export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/**
 * Decodes a global id into its type and row id: BAD_USER_INPUT when the id is malformed, names
 * no known type or is of another type than `expected` (one type or a list); NOT_FOUND when its row id has a form
 * no row of that type has.
 */
export function fromGlobalId<T extends NodeTypeName = NodeTypeName>(
  globalId: string,
  expected?: T | readonly T[],
): { type: T; id: string } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw badInput(`malformed id "${globalId}"`);
  const type = decoded.slice(0, colon);
  if (!isNodeTypeName(type)) throw badInput(`malformed id "${globalId}"`);
  const allowed: readonly string[] | null =
    expected === undefined ? null : typeof expected === 'string' ? [expected] : expected;
  if (allowed && !allowed.includes(type)) {
    throw badInput(`id "${globalId}" is not a ${allowed.join(', ')} id; got a ${type} id`);
  }
  const id = decoded.slice(colon + 1);
  if (!FORM_PATTERNS[ROW_ID_FORMS[type]].test(id)) throw notFound(type);
  return { type: type as T, id };
}

/** The row id behind a global id of `type` (errors as `fromGlobalId`). */
export const rowId = (globalId: string, type: NodeTypeName): string => fromGlobalId(globalId, type).id;

/** The row id behind a global id of `type`, or null when the id is absent. */
export const optionalRowId = (globalId: string | null | undefined, type: NodeTypeName): string | null =>
  globalId == null ? null : rowId(globalId, type);
