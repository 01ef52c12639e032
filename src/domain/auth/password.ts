/** Password hashing with scrypt (node:crypto); the parameters travel with the hash. */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, ScryptOptions } from 'node:crypto';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))),
  );

const KEY_LENGTH = 32;
const maxmem = (N: number, r: number) => 256 * N * r;

/** Format: scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64> */
export async function hashPassword(password: string, cost: number): Promise<string> {
  const N = 2 ** cost;
  const r = 8;
  const p = 1;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(N, r) });
  return ['scrypt', cost, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, costText, rText, pText, saltText, keyText] = stored.split('$');
  if (scheme !== 'scrypt' || !keyText) return false;
  const N = 2 ** Number(costText);
  const r = Number(rText);
  const expected = Buffer.from(keyText, 'base64');
  const key = await scrypt(password, Buffer.from(saltText, 'base64'), expected.length, {
    N,
    r,
    p: Number(pText),
    maxmem: maxmem(N, r),
  });
  return timingSafeEqual(key, expected);
}
