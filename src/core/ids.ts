/**
 * Global object ids (`base64url("Type:id")`), the one decoder of them. Every id a client
 * sends is decoded here: a malformed id or an id of another type is BAD_USER_INPUT, so that
 * nothing malformed reaches SQL (where it would be a cast error, not a client error).
 */
import { badInput } from './errors';

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
 * Decodes a global id into its type and row id. BAD_USER_INPUT when the id is malformed, names
 * no known type, is of another type than `expected`, or its row id has the wrong form.
 */
export function fromGlobalId(globalId: string, expected?: NodeTypeName): { type: NodeTypeName; id: string } {
  const { type, id } = parseGlobalId(globalId);
  if (expected && type !== expected) throw badInput(`id "${globalId}" is not a ${expected} id`);
  if (!hasRowIdForm(type, id)) throw badInput(`malformed id "${globalId}"`);
  return { type, id };
}

/**
 * Decodes a global id into a known type and its row id without checking the row id's form,
 * for lookups that answer a row id of the wrong form as not found (check it with
 * `hasRowIdForm`). BAD_USER_INPUT when the id is malformed or names no known type.
 */
export function parseGlobalId(globalId: string): { type: NodeTypeName; id: string } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw badInput(`malformed id "${globalId}"`);
  const type = decoded.slice(0, colon);
  if (!isNodeTypeName(type)) throw badInput(`malformed id "${globalId}"`);
  return { type, id: decoded.slice(colon + 1) };
}

/** True when `id` has the form of a row id of `type` (a uuid, an integer, a code). */
export const hasRowIdForm = (type: NodeTypeName, id: string): boolean => FORM_PATTERNS[ROW_ID_FORMS[type]].test(id);

/** The row id behind a global id of `type` (BAD_USER_INPUT otherwise). */
export const rowId = (globalId: string, type: NodeTypeName): string => fromGlobalId(globalId, type).id;

/** The row id behind a global id of `type`, or null when the id is absent. */
export const optionalRowId = (globalId: string | null | undefined, type: NodeTypeName): string | null =>
  globalId == null ? null : rowId(globalId, type);
