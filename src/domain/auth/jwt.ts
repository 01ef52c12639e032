/**
 * Access tokens: HS256 only, with exp, iss, aud and a kid picked from our own key set.
 * Every kid in the configuration verifies; the active kid signs (rotation: add the new
 * key, make it active, remove the old one once its tokens have expired).
 */
import jwt from 'jsonwebtoken';
import { Config } from '../../config';
import { unauthenticated } from '../../core/errors';

const ALGORITHM = 'HS256' as const;

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export function signAccessToken(cfg: Config['jwt'], userId: string, now = Date.now()): IssuedToken {
  const iat = Math.floor(now / 1000);
  const exp = iat + cfg.ttlSeconds;
  const token = jwt.sign({ sub: userId, iat, exp }, cfg.keys[cfg.activeKid], {
    algorithm: ALGORITHM,
    issuer: cfg.issuer,
    audience: cfg.audience,
    keyid: cfg.activeKid,
  });
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Returns the user id of a valid token; throws UNAUTHENTICATED for anything else. */
export function verifyAccessToken(cfg: Config['jwt'], token: string): string {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded === 'string') throw unauthenticated('malformed token');
  const { alg, kid } = decoded.header;
  if (alg !== ALGORITHM) throw unauthenticated('token algorithm not accepted');
  if (!kid || !Object.prototype.hasOwnProperty.call(cfg.keys, kid)) throw unauthenticated('unknown token key');
  try {
    const payload = jwt.verify(token, cfg.keys[kid], {
      algorithms: [ALGORITHM],
      issuer: cfg.issuer,
      audience: cfg.audience,
    });
    if (typeof payload === 'string' || typeof payload.sub !== 'string') throw unauthenticated('token has no subject');
    return payload.sub;
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw unauthenticated('token expired');
    if (error instanceof jwt.JsonWebTokenError) throw unauthenticated('invalid token');
    throw error;
  }
}
