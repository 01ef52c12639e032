/**
 * Access tokens: HS256 only, with exp, iss, aud and a kid picked from our own key set.
 * Every kid in the configuration verifies; the active kid signs (rotation: add the new
 * key, make it active, remove the old one once its tokens have expired).
 */
import jwt from 'jsonwebtoken';
import { createSecretKey, KeyObject } from 'node:crypto';
import { Config } from '../../config';
import { unauthenticated } from '../../core/errors';

const ALGORITHM = 'HS256' as const;

/**
 * The secrets as KeyObjects, built once per key set: given a string, jsonwebtoken first tries
 * to parse it as a PEM public key on every call (an exception each time), the main cost of a
 * verification.
 */
const keyObjects = new WeakMap<Config['jwt']['keys'], Record<string, KeyObject>>();

function keyOf(cfg: Config['jwt'], kid: string): KeyObject {
  let keys = keyObjects.get(cfg.keys);
  if (!keys) {
    keys = Object.fromEntries(Object.entries(cfg.keys).map(([k, secret]) => [k, createSecretKey(Buffer.from(secret, 'utf8'))]));
    keyObjects.set(cfg.keys, keys);
  }
  return keys[kid];
}

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export function signAccessToken(cfg: Config['jwt'], userId: string, now = Date.now()): IssuedToken {
  const iat = Math.floor(now / 1000);
  const exp = iat + cfg.ttlSeconds;
  const token = jwt.sign({ sub: userId, iat, exp }, keyOf(cfg, cfg.activeKid), {
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
    const payload = jwt.verify(token, keyOf(cfg, kid), {
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
