import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { AppServices } from '../app';
import { UserEntity } from '../domain/auth/user.entity';
import { verifyAccessToken } from '../domain/auth/jwt';
import { DepartmentEntity } from '../domain/reference/department.entity';
import { InstitutionEntity } from '../domain/reference/institution.entity';
import { PersonEntity } from '../domain/reference/person.entity';
import type { TransferRow } from '../domain/transfer/transfer.service';
import { RegionEntity } from '../domain/reference/region.entity';
import { Actor } from '../policy';
import { AppError, unauthenticated } from './errors';

export interface GraphQLContext {
  services: AppServices;
  actor: Actor | null;
  /** Why a presented token was refused; thrown when an operation needs an actor. */
  authError: AppError | null;
  requestId: string;
  ip: string;
  loaders: Loaders;
}

function keyedLoader<K extends string, V>(load: (keys: K[]) => Promise<V[]>, keyOf: (v: V) => K) {
  return new DataLoader<K, V | null>(async (keys) => {
    const found = new Map((await load([...keys])).map((v) => [keyOf(v), v]));
    return keys.map((k) => found.get(k) ?? null);
  });
}

/** Per-request batch loaders (one query per type per tick, no N+1). */
export function createLoaders(services: AppServices) {
  const { db } = services;
  return {
    region: keyedLoader((codes: string[]) => db.getRepository(RegionEntity).findBy({ code: In(codes) }), (r) => r.code),
    department: keyedLoader((ids: string[]) => db.getRepository(DepartmentEntity).findBy({ id: In(ids) }), (d) => d.id),
    user: keyedLoader((ids: string[]) => db.getRepository(UserEntity).findBy({ id: In(ids) }), (u) => u.id),
    institution: keyedLoader(
      (codes: string[]) => db.getRepository(InstitutionEntity).findBy({ code: In(codes) }),
      (i) => i.code,
    ),
    person: keyedLoader((ids: string[]) => db.getRepository(PersonEntity).findBy({ personId: In(ids) }), (p) => p.personId),
    /** Persons of clues: subjects first, then persons of the evidence. */
    cluePersons: groupedLoader<{ clue_id: string; person_id: string }>(
      services,
      `SELECT clue_id::text, person_id FROM clue_person WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, role DESC, person_id`,
      'clue_id',
    ),
    clueCopies: groupedLoader<{ clue_id: string; department_id: string }>(
      services,
      `SELECT clue_id::text, department_id FROM clue_copy WHERE clue_id = ANY($1::uuid[]) ORDER BY clue_id, copied_at`,
      'clue_id',
    ),
    clueTransfers: groupedLoader<TransferRow & { clue_key: string }>(
      services,
      `SELECT t.*, t.clue_id::text AS clue_key FROM clue_transfer t WHERE t.clue_id = ANY($1::uuid[]) ORDER BY t.requested_at, t.id`,
      'clue_key',
    ),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;

/** Rows grouped by a key column, one query for a whole batch of keys. */
export function groupedLoader<Row extends Record<string, unknown>>(
  services: AppServices,
  sql: string,
  keyColumn: keyof Row & string,
): DataLoader<string, Row[]> {
  return new DataLoader<string, Row[]>(async (keys) => {
    const rows: Row[] = await services.db.query(sql, [keys]);
    const grouped = new Map<string, Row[]>(keys.map((k) => [k, []]));
    for (const row of rows) grouped.get(String(row[keyColumn]))?.push(row);
    return keys.map((k) => grouped.get(k)!);
  });
}

/** Resolves a bearer token to the actor; an invalid token is an error, no token is anonymous. */
export async function authenticate(services: AppServices, authorization: string | undefined): Promise<Actor | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthenticated('authorization header must be "Bearer <token>"');
  const userId = verifyAccessToken(services.config.jwt, match[1]);
  return loadActor(services, userId);
}

export async function loadActor(services: AppServices, userId: string): Promise<Actor> {
  const rows: {
    id: string;
    username: string;
    roles: Actor['roles'];
    active: boolean;
    department_id: string;
    kind: Actor['department']['kind'];
    region_code: string;
    level: Actor['department']['regionLevel'];
  }[] = await services.db.query(
    `SELECT u.id, u.username, u.roles, u.active, d.id AS department_id, d.kind, d.region_code, r.level
     FROM app_user u JOIN department d ON d.id = u.department_id JOIN region r ON r.code = d.region_code
     WHERE u.id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row || !row.active) throw unauthenticated('user not found or deactivated');
  return {
    userId: row.id,
    username: row.username,
    roles: row.roles,
    department: { id: row.department_id, kind: row.kind, regionCode: row.region_code, regionLevel: row.level },
  };
}

export function requireActor(ctx: GraphQLContext): Actor {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}

/** Loads many keys and keeps the values found, in key order. */
export async function loadPresent<K, V>(loader: DataLoader<K, V | null>, keys: readonly K[]): Promise<V[]> {
  const values = await loader.loadMany(keys);
  return values.filter((v): v is V => v !== null && !(v instanceof Error));
}
