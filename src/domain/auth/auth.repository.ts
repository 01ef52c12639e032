/** The SQL of users (用户): the actor behind a token, login lookups, creation, administration. */
import { DataSource, EntityManager } from 'typeorm';
import { codePrefix, RegionLevel } from '../../core/regions';
import { Connection, paginate, timeOrdered, TimeOrderedRow } from '../../core/pagination';
import { SqlParams } from '../../core/sql';
import { Tables } from '../../db/tables';
import { Actor, userVisibleSql } from '../../policy';
import { DepartmentKind } from '../reference/department.entity';
import { Role, UserEntity } from './user.entity';
import { preparedRead } from '../../db/prepared';

/** A user with what the policy needs of their department. */
export type ActorRow = Pick<Tables['app_user'], 'id' | 'username' | 'active' | 'must_change_password'> & {
  roles: Role[];
  department_id: Tables['department']['id'];
  kind: DepartmentKind;
  region_code: Tables['department']['region_code'];
  level: RegionLevel;
};

export async function findActorRow(db: DataSource | EntityManager, userId: string): Promise<ActorRow | null> {
  const rows: ActorRow[] = await db.query(
    `SELECT u.id, u.username, u.roles, u.active, u.must_change_password, d.id AS department_id, d.kind, d.region_code, r.level
     FROM app_user u JOIN department d ON d.id = u.department_id JOIN region r ON r.code = d.region_code
     WHERE u.id = $1`,
    [userId],
  );
  return rows[0] ?? null;
}

/** The user of a username (case-insensitive), with the password hash. */
export function findUserWithPassword(db: DataSource | EntityManager, username: string): Promise<UserEntity | null> {
  return db
    .getRepository(UserEntity)
    .createQueryBuilder('u')
    .addSelect('u.passwordHash')
    .where('lower(u.username) = lower(:username)', { username })
    .getOne();
}

/** Whether a username is taken, case-insensitively. */
export async function usernameTaken(db: DataSource | EntityManager, username: string): Promise<boolean> {
  const count = await db
    .getRepository(UserEntity)
    .createQueryBuilder('u')
    .where('lower(u.username) = lower(:username)', { username })
    .getCount();
  return count > 0;
}

export function insertUser(
  db: DataSource | EntityManager,
  user: Pick<UserEntity, 'username' | 'displayName' | 'passwordHash' | 'departmentId' | 'roles'>,
): Promise<UserEntity> {
  const repo = db.getRepository(UserEntity);
  return repo.save(repo.create(user));
}

/** Every username (the seed keeps existing users). */
export async function allUsernames(db: DataSource | EntityManager): Promise<Set<string>> {
  return new Set((await db.getRepository(UserEntity).find({ select: { username: true } })).map((u) => u.username));
}

export const usersByIds = async (db: DataSource | EntityManager, ids: readonly string[]): Promise<UserEntity[]> =>
  (await preparedRead<UserRow>(db, `SELECT ${USER_SELECT} FROM app_user u WHERE u.id = ANY($1::uuid[])`, [ids])).map(
    userEntityOf,
  );

/** A user row as administration reads it (never the password hash). */
export type UserRow = Omit<Tables['app_user'], 'password_hash' | 'roles'> & {
  roles: Role[];
  department_region: Tables['department']['region_code'];
};

const USER_SELECT = `u.id, u.username, u.display_name, u.department_id, u.roles, u.active, u.must_change_password,
  u.deactivated_at, u.updated_at, u.created_at, (SELECT ud.region_code FROM department ud WHERE ud.id = u.department_id) AS department_region`;

/** The entity shape of a row (what UserType.from takes). */
export const userEntityOf = (row: UserRow): UserEntity =>
  Object.assign(new UserEntity(), {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    departmentId: row.department_id,
    roles: row.roles,
    active: row.active,
    mustChangePassword: row.must_change_password,
    deactivatedAt: row.deactivated_at,
    updatedAt: row.updated_at,
    createdAt: row.created_at,
  });

/** What a user list may be filtered by (ids already decoded). */
export interface UserListFilter {
  departmentId?: string | null;
  departmentKind?: string | null;
  /** Users of departments in this region and below. */
  regionCode?: string | null;
  role?: Role | null;
  active?: boolean | null;
  mustChangePassword?: boolean | null;
  /** Text in the username or display name (case-insensitive). */
  search?: string | null;
}

/** One page of the users the actor administers matching `filter`, newest first. */
export function pageUsers(
  db: DataSource | EntityManager,
  actor: Actor,
  filter: UserListFilter,
  first: number,
  after: string | null | undefined,
): Promise<Connection<UserRow>> {
  const params = new SqlParams();
  const p = (v: unknown) => params.add(v);
  const where = [userVisibleSql(actor, params, 'u')];
  if (filter.departmentId) where.push(`u.department_id = ${p(filter.departmentId)}`);
  if (filter.departmentKind) {
    where.push(
      `EXISTS (SELECT 1 FROM department fk WHERE fk.id = u.department_id AND fk.kind = ${p(filter.departmentKind)})`,
    );
  }
  if (filter.regionCode) where.push(`u.department_region LIKE ${p(`${codePrefix(filter.regionCode)}%`)}`);
  if (filter.role) where.push(`${p(filter.role)} = ANY(u.roles)`);
  if (filter.active !== null && filter.active !== undefined) where.push(`u.active = ${p(filter.active)}`);
  if (filter.mustChangePassword !== null && filter.mustChangePassword !== undefined) {
    where.push(`u.must_change_password = ${p(filter.mustChangePassword)}`);
  }
  if (filter.search) {
    const like = p(`%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(u.username ILIKE ${like} OR u.display_name ILIKE ${like})`);
  }
  return paginate<TimeOrderedRow<UserRow>, UserRow>({
    query: (sql, ps) => db.query(sql, ps),
    ...timeOrdered<UserRow>({ table: 'app_user', alias: 'u', select: USER_SELECT }),
    where,
    params,
    first,
    after,
    map: ({ time_us: _time, ...row }) => row,
  });
}

/** A user the actor administers, or null (also when it exists outside the actor's jurisdiction). */
export async function findVisibleUser(
  db: DataSource | EntityManager,
  actor: Actor,
  userId: string,
  lock = false,
): Promise<UserRow | null> {
  const params = new SqlParams();
  const id = params.add(userId);
  const rows: UserRow[] = await db.query(
    `SELECT ${USER_SELECT} FROM app_user u
     WHERE u.id = ${id} AND ${userVisibleSql(actor, params, 'u')} ${lock ? 'FOR UPDATE OF u' : ''}`,
    params.values,
  );
  return rows[0] ?? null;
}

/** The changes administration makes to a user; absent keys are kept. */
export interface UserChange {
  displayName?: string;
  departmentId?: string;
  roles?: Role[];
  active?: boolean;
  passwordHash?: string;
  mustChangePassword?: boolean;
}

/** Applies `change` to the user and returns the row as it is after. */
export async function updateUserRow(m: EntityManager, userId: string, change: UserChange): Promise<UserRow> {
  const params = new SqlParams();
  const id = params.add(userId);
  const set = ['updated_at = now()'];
  if (change.displayName !== undefined) set.push(`display_name = ${params.add(change.displayName)}`);
  if (change.departmentId !== undefined) set.push(`department_id = ${params.add(change.departmentId)}`);
  if (change.roles !== undefined) set.push(`roles = ${params.add(change.roles)}::text[]`);
  if (change.active !== undefined) {
    const active = params.add(change.active);
    set.push(
      `active = ${active}`,
      `deactivated_at = CASE WHEN ${active} THEN NULL ELSE coalesce(deactivated_at, now()) END`,
    );
  }
  if (change.passwordHash !== undefined) set.push(`password_hash = ${params.add(change.passwordHash)}`);
  if (change.mustChangePassword !== undefined)
    set.push(`must_change_password = ${params.add(change.mustChangePassword)}`);
  await m.query(`UPDATE app_user SET ${set.join(', ')} WHERE id = ${id}`, params.values);
  const rows: UserRow[] = await m.query(`SELECT ${USER_SELECT} FROM app_user u WHERE u.id = $1`, [userId]);
  return rows[0];
}

/** A user's password hash (for changePassword). */
export async function passwordHashOf(db: DataSource | EntityManager, userId: string): Promise<string | null> {
  const rows: { password_hash: string }[] = await db.query('SELECT password_hash FROM app_user WHERE id = $1', [
    userId,
  ]);
  return rows[0]?.password_hash ?? null;
}
