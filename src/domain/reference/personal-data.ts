/**
 * 个人信息保护: resident ID numbers and bank accounts are stored encrypted, searchable by a
 * keyed hash, and shown masked. Encryption and hashing are defined so that PostgreSQL
 * (pgcrypto, for set-based ingest) and Node compute the same bytes:
 *
 *   encKey  = HMAC-SHA256(DATA_KEY, "fs:enc:v1"),  hashKey = HMAC-SHA256(DATA_KEY, "fs:hash:v1")
 *   enc     = iv(16) || AES-256-CBC/PKCS7(encKey, iv, utf8(value))
 *   hash    = HMAC-SHA256(hashKey, utf8(value))
 *
 * The stored hash doubles as an integrity check of the decrypted value.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface PersonalDataKeys {
  encKey: Buffer;
  hashKey: Buffer;
}

export function derivePersonalDataKeys(dataKey: Buffer): PersonalDataKeys {
  return {
    encKey: createHmac('sha256', dataKey).update('fs:enc:v1').digest(),
    hashKey: createHmac('sha256', dataKey).update('fs:hash:v1').digest(),
  };
}

export function keyedHash(keys: PersonalDataKeys, value: string): Buffer {
  return createHmac('sha256', keys.hashKey).update(value, 'utf8').digest();
}

export function encryptPersonalData(keys: PersonalDataKeys, value: string): Buffer {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', keys.encKey, iv);
  return Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final()]);
}

/** Decrypts and checks the result against the stored keyed hash; throws when either fails. */
export function decryptPersonalData(keys: PersonalDataKeys, enc: Buffer, expectedHash: Buffer | null): string {
  const decipher = createDecipheriv('aes-256-cbc', keys.encKey, enc.subarray(0, 16));
  const value = Buffer.concat([decipher.update(enc.subarray(16)), decipher.final()]).toString('utf8');
  if (expectedHash) {
    const actual = keyedHash(keys, value);
    if (actual.length !== expectedHash.length || !timingSafeEqual(actual, expectedHash)) {
      throw new Error('personal data failed its integrity check');
    }
  }
  return value;
}

/** SQL for the same hash, for set-based work; `$key` is a bytea parameter holding hashKey. */
export const sqlKeyedHash = (valueExpr: string, keyParam: string): string =>
  `hmac(convert_to(${valueExpr}, 'UTF8'), ${keyParam}, 'sha256')`;

/** SQL for the same encryption; `$key` is a bytea parameter holding encKey. */
export const sqlEncrypt = (valueExpr: string, keyParam: string): string =>
  `(SELECT iv || encrypt_iv(convert_to(${valueExpr}, 'UTF8'), ${keyParam}, iv, 'aes-cbc/pad:pkcs') FROM (SELECT gen_random_bytes(16) AS iv) r)`;
