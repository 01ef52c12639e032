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

/**
 * Tokens verified already, per key set: token → subject and expiry. A token's signature, issuer
 * and audience do not change, so a known token only needs its expiry checked again.
 */
const verified = new WeakMap<Config['jwt']['keys'], Map<string, { sub: string; exp: number }>>();
const MAX_VERIFIED = 10_000;

/** Returns the user id of a valid token; throws UNAUTHENTICATED for anything else. */
export function verifyAccessToken(cfg: Config['jwt'], token: string): string {
  let known = verified.get(cfg.keys);
  if (!known) verified.set(cfg.keys, (known = new Map()));
  const hit = known.get(token);
  // jsonwebtoken refuses a token from its exp second on.
  if (hit && Math.floor(Date.now() / 1000) < hit.exp) return hit.sub;
  known.delete(token);
  const { sub, exp } = verifyFully(cfg, token);
  if (typeof exp === 'number') {
    if (known.size >= MAX_VERIFIED) known.clear();
    known.set(token, { sub, exp });
  }
  return sub;
}

function verifyFully(cfg: Config['jwt'], token: string): { sub: string; exp?: number } {
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
    return { sub: payload.sub, exp: payload.exp };
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) throw unauthenticated('token expired');
    if (error instanceof jwt.JsonWebTokenError) throw unauthenticated('invalid token');
    throw error;
  }
}
