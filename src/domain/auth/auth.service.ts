import { AppServices } from '../../app';
import { AppError, badInput, notFound, unauthenticated } from '../../core/errors';
import { EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit.service';
import { Actor, assertAdministersUsers, assertCanManageUsers } from '../../policy';
import { Connection } from '../../core/pagination';
import { DepartmentEntity, DepartmentKind } from '../reference/department.entity';
import {
  findDepartment,
  departmentsByIds,
  findRegion,
  insertDepartmentIfMissing,
} from '../reference/reference.repository';
import {
  findActorRow,
  findUserWithPassword,
  findVisibleUser,
  insertUser,
  pageUsers,
  passwordHashOf,
  updateUserRow,
  UserChange,
  UserListFilter,
  UserRow,
  usernameTaken,
} from './auth.repository';
import { ENUM_LABELS } from '../labels';
import { IssuedToken, signAccessToken } from './jwt';
import { hashPassword, verifyPassword } from './password';
import { inTransaction } from '../../db/transaction';
import { Role, ROLES, UserEntity } from './user.entity';

/** Verified against when the username is unknown, so both paths cost the same. */
let dummyHash: Promise<string> | undefined;

export async function login(
  services: AppServices,
  username: string,
  password: string,
  address: string,
): Promise<IssuedToken & { user: UserEntity }> {
  const { db, throttle, config } = services;
  try {
    await throttle.beforeAttempt(username, address);
  } catch (error) {
    if (error instanceof AppError) {
      await appendAudit(db, { action: 'auth.login.refused', detail: { username, address } });
    }
    throw error;
  }
  const user = await findUserWithPassword(db, username);
  dummyHash ??= hashPassword('not-a-password', config.passwordCost);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
  if (!user || !user.active || !valid) {
    await throttle.recordFailure(username, address);
    await appendAudit(db, { actorId: user?.id ?? null, action: 'auth.login.failed', detail: { username, address } });
    throw unauthenticated('invalid username or password');
  }
  await throttle.recordSuccess(username);
  await appendAudit(db, { actorId: user.id, action: 'auth.login', detail: { address } });
  return { ...signAccessToken(config.jwt, user.id), user };
}

export interface NewUser {
  username: string;
  password: string;
  displayName: string;
  departmentId: string;
  roles: Role[];
}

export async function createUser(services: AppServices, input: NewUser): Promise<UserEntity> {
  const roles = [...new Set(input.roles)];
  if (roles.length === 0 || roles.some((r) => !ROLES.includes(r)))
    throw badInput(`roles must be some of ${ROLES.join(', ')}`);
  if (input.password.length < 12) throw badInput('password must be at least 12 characters');
  if (await usernameTaken(services.db, input.username))
    throw new AppError('CONFLICT', `username "${input.username}" is taken`);
  const passwordHash = await hashPassword(input.password, services.config.passwordCost);
  return inTransaction(services.db, (m) =>
    insertUser(m, {
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      departmentId: input.departmentId,
      roles,
    }),
  );
}

/** The department of (kind, region), created with its conventional name when missing. */
export async function ensureDepartment(
  services: AppServices,
  kind: DepartmentKind,
  regionCode: string,
): Promise<DepartmentEntity> {
  const existing = await findDepartment(services.db, kind, regionCode);
  if (existing) return existing;
  const region = await findRegion(services.db, regionCode);
  if (!region) throw badInput(`unknown region ${regionCode}`);
  return insertDepartmentIfMissing(services.db, { kind, regionCode, name: departmentName(region.name, kind) });
}

/** 宝鸡市 + 医疗保障局 → 宝鸡市医疗保障局 */
export const departmentName = (regionName: string, kind: DepartmentKind): string =>
  `${regionName}${ENUM_LABELS.DepartmentKind[kind]}`;

/**
 * The actor of a request's token: kept by this process between requests until the user, their
 * department or region changes (services.kept, kept-reads.ts); else as loadActor.
 */
export function requestActor(services: AppServices, userId: string): Promise<Actor> {
  void services.kept.listen();
  return services.kept.actors.get(userId, (id) => loadActor(services, id));
}

/** The actor of a user id (from a verified token); a missing or deactivated user is UNAUTHENTICATED. */
export async function loadActor(services: AppServices, userId: string): Promise<Actor> {
  const row = await findActorRow(services.db, userId);
  if (!row || !row.active) throw unauthenticated('user not found or deactivated');
  return {
    userId: row.id,
    username: row.username,
    roles: row.roles,
    department: { id: row.department_id, kind: row.kind, regionCode: row.region_code, regionLevel: row.level },
    mustChangePassword: row.must_change_password,
  };
}

// ---------------------------------------------------------------------------------------
// User administration (README "User administration"): ADMINs, for users of departments inside
// their jurisdiction. Each change runs in one transaction, so its audit entry commits with it.
// ---------------------------------------------------------------------------------------

export const MIN_PASSWORD_LENGTH = 12;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw badInput(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** The users the admin administers matching `filter`, newest first. */
export function listUsers(
  services: AppServices,
  actor: Actor,
  filter: UserListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<UserRow>> {
  assertAdministersUsers(actor);
  return pageUsers(services.db, actor, filter, first, after);
}

/** A user the admin administers (locked for the change), or NOT_FOUND. */
async function administeredUser(m: EntityManager, actor: Actor, userId: string): Promise<UserRow> {
  assertAdministersUsers(actor);
  const user = await findVisibleUser(m, actor, userId, true);
  if (!user) throw notFound('user');
  return user;
}

async function changeUser(
  services: AppServices,
  actor: Actor,
  userId: string,
  decide: (user: UserRow, m: EntityManager) => Promise<UserChange> | UserChange,
): Promise<UserRow> {
  return inTransaction(services.db, async (m) => {
    const user = await administeredUser(m, actor, userId);
    return updateUserRow(m, user.id, await decide(user, m));
  });
}

/**
 * Deactivates (active = false) or reactivates a user. A deactivated user's tokens stop working
 * at once: every request loads the user (loadActor) and refuses an inactive one. An admin does
 * not deactivate themself (another admin of the jurisdiction does).
 */
export function setUserActive(services: AppServices, actor: Actor, userId: string, active: boolean): Promise<UserRow> {
  return changeUser(services, actor, userId, (user) => {
    if (!active && user.id === actor.userId) throw new AppError('CONFLICT', 'you cannot deactivate yourself');
    return { active };
  });
}

export interface UserUpdate {
  displayName?: string | null;
  departmentId?: string | null;
  roles?: Role[] | null;
}

/**
 * Changes a user's roles, department or display name. The new department must lie inside the
 * admin's jurisdiction too; an admin does not take the ADMIN role from themself.
 */
export function updateUser(services: AppServices, actor: Actor, userId: string, update: UserUpdate): Promise<UserRow> {
  return changeUser(services, actor, userId, async (user, m) => {
    const change: UserChange = {};
    if (update.displayName != null) {
      if (!update.displayName.trim() || update.displayName.length > 100)
        throw badInput('displayName: 1–100 characters');
      change.displayName = update.displayName;
    }
    if (update.roles != null) {
      const roles = [...new Set(update.roles)];
      if (roles.length === 0 || roles.some((r) => !ROLES.includes(r))) {
        throw badInput(`roles must be some of ${ROLES.join(', ')}`);
      }
      if (user.id === actor.userId && !roles.includes('ADMIN')) {
        throw new AppError('CONFLICT', 'you cannot take the ADMIN role from yourself');
      }
      change.roles = roles;
    }
    if (update.departmentId != null && update.departmentId !== user.department_id) {
      const [department] = await departmentsByIds(m, [update.departmentId]);
      if (!department) throw notFound('department');
      assertCanManageUsers(actor, department.regionCode);
      change.departmentId = department.id;
    }
    return change;
  });
}

/**
 * Sets a new password chosen by the admin (to be handed to the user) and forces its change at
 * the next login: until changePassword, every operation of the user answers PASSWORD_CHANGE_REQUIRED.
 */
export async function resetPassword(
  services: AppServices,
  actor: Actor,
  userId: string,
  newPassword: string,
): Promise<UserRow> {
  assertAdministersUsers(actor);
  checkPassword(newPassword);
  const passwordHash = await hashPassword(newPassword, services.config.passwordCost);
  return changeUser(services, actor, userId, (user) => {
    if (user.id === actor.userId) throw new AppError('CONFLICT', 'change your own password with changePassword');
    return { passwordHash, mustChangePassword: true };
  });
}

/**
 * The caller changes their own password (also when a reset forces it): the current password is
 * checked like a login (failures slow down, then refuse), the new one differs from it.
 */
export async function changePassword(
  services: AppServices,
  actor: Actor,
  currentPassword: string,
  newPassword: string,
  address: string,
): Promise<UserRow> {
  const { db, throttle, config } = services;
  await throttle.beforeAttempt(actor.username, address);
  const stored = await passwordHashOf(db, actor.userId);
  if (!stored || !(await verifyPassword(currentPassword, stored))) {
    await throttle.recordFailure(actor.username, address);
    throw badInput('the current password is wrong', { field: 'currentPassword' });
  }
  checkPassword(newPassword);
  if (newPassword === currentPassword) throw badInput('the new password must differ from the current one');
  const passwordHash = await hashPassword(newPassword, config.passwordCost);
  return inTransaction(db, (m) => updateUserRow(m, actor.userId, { passwordHash, mustChangePassword: false }));
}
