import { AppServices } from '../app';
import { requestActor } from '../domain/auth/auth.service';
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
  return requestActor(services, userId);
}

/**
 * The authenticated caller. A caller whose password an administrator reset is refused with
 * PASSWORD_CHANGE_REQUIRED until changePassword (which uses requireActorForPasswordChange).
 */
export function requireActor(ctx: GraphQLContext): Actor {
  const actor = requireActorForPasswordChange(ctx);
  if (actor.mustChangePassword) {
    throw new AppError('PASSWORD_CHANGE_REQUIRED', 'your password was reset: change it (changePassword) first');
  }
  return actor;
}

/** The authenticated caller, also one who must change their password (changePassword, me). */
export function requireActorForPasswordChange(ctx: GraphQLContext): Actor {
  if (ctx.authError) throw ctx.authError;
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}
