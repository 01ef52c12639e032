/** The SQL of users (用户): the actor behind a token, login lookups, creation. */
import { DataSource, EntityManager, In } from 'typeorm';
import { RegionLevel } from '../../core/regions';
import { Tables } from '../../db/tables';
import { DepartmentKind } from '../reference/department.entity';
import { Role, UserEntity } from './user.entity';

/** A user with what the policy needs of their department. */
export type ActorRow = Pick<Tables['app_user'], 'id' | 'username' | 'active'> & {
  roles: Role[];
  department_id: Tables['department']['id'];
  kind: DepartmentKind;
  region_code: Tables['department']['region_code'];
  level: RegionLevel;
};

export async function findActorRow(db: DataSource | EntityManager, userId: string): Promise<ActorRow | null> {
  const rows: ActorRow[] = await db.query(
    `SELECT u.id, u.username, u.roles, u.active, d.id AS department_id, d.kind, d.region_code, r.level
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

export const usersByIds = (db: DataSource | EntityManager, ids: readonly string[]): Promise<UserEntity[]> =>
  db.getRepository(UserEntity).findBy({ id: In([...ids]) });
