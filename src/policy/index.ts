/**
 * Who may see and do what: the one place. Resolvers and list queries ask these functions;
 * they never test roles or departments themselves. (PRODUCT.md §6)
 */
import { DepartmentKind } from '../domain/reference/department.entity';
import { inJurisdiction, jurisdictionPrefix, RegionLevel } from '../domain/reference/region.entity';
import { Role } from '../domain/auth/user.entity';
import { forbidden } from '../graphql/errors';

/** The authenticated caller, as every policy decision sees it. */
export interface Actor {
  userId: string;
  username: string;
  roles: Role[];
  department: { id: string; kind: DepartmentKind; regionCode: string; regionLevel: RegionLevel };
}

const CASE_WORKERS: Role[] = ['INVESTIGATOR', 'SUPERVISOR', 'LEADER'];

export const hasRole = (actor: Actor, ...roles: Role[]): boolean => actor.roles.some((r) => roles.includes(r));

/** LIKE prefix of the region codes in the actor's jurisdiction. */
export const jurisdictionOf = (actor: Actor): string =>
  jurisdictionPrefix(actor.department.regionCode, actor.department.regionLevel);

export const coversRegion = (actor: Actor, regionCode: string): boolean =>
  inJurisdiction(regionCode, actor.department.regionCode, actor.department.regionLevel);

/** ADMINs manage users and rules but read no case content or personal data. */
export const readsCaseContent = (actor: Actor): boolean => actor.roles.some((r) => r !== 'ADMIN');

/**
 * Reference lookups (institution, person by code): case-reading users of the agencies that
 * work from the data — 医保, 卫健, 纪委 — inside their jurisdiction. Police see only what
 * reaches them by transfer.
 */
export function canLookUpReference(actor: Actor, regionCode: string | null): boolean {
  if (!readsCaseContent(actor) || actor.department.kind === 'PUBLIC_SECURITY') return false;
  return regionCode !== null && coversRegion(actor, regionCode);
}

/** Full resident ID numbers and bank accounts: case workers only; every read is audited. */
export const canReadPersonalData = (actor: Actor): boolean => hasRole(actor, ...CASE_WORKERS);

/** ADMINs create users for departments inside their jurisdiction. */
export function assertCanManageUsers(actor: Actor, departmentRegion: string): void {
  if (!hasRole(actor, 'ADMIN') || !coversRegion(actor, departmentRegion)) {
    throw forbidden('only an administrator of this jurisdiction manages its users');
  }
}

/** The audit log is read by administrators and by 纪委 supervisors and leaders (监督的再监督). */
export const canReadAuditLog = (actor: Actor): boolean =>
  hasRole(actor, 'ADMIN') || (actor.department.kind === 'DISCIPLINE' && hasRole(actor, 'SUPERVISOR', 'LEADER'));
