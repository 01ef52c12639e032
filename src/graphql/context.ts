import { AppServices } from '../app';
import { verifyAccessToken } from '../domain/auth/jwt';
import { Actor } from '../policy';
import { AppError, unauthenticated } from '../core/errors';
import type { Loaders } from './loaders';

export interface GraphQLContext {
  services: AppServices;
  actor: Actor | null;
  /** Why a presented token was refused; thrown when an operation needs an actor. */
  authError: AppError | null;
  requestId: string;
  ip: string;
  loaders: Loaders;
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
