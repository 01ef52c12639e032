import { AppServices } from '../../app';
import { AppError, badInput, unauthenticated } from '../../core/errors';
import { appendAudit } from '../audit/audit.service';
import { Actor } from '../../policy';
import { DepartmentEntity, DepartmentKind } from '../reference/department.entity';
import { findDepartment, findRegion, insertDepartmentIfMissing } from '../reference/reference.repository';
import { findActorRow, findUserWithPassword, insertUser, usernameTaken } from './auth.repository';
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
  };
}
