/**
 * HMAC-SHA256 of short values in plain JavaScript, for the loader's hot loop: the same bytes
 * as personal-data.ts keyedHash (node:crypto), without allocating native objects per value
 * (a createHmac per value costs ≈ 2 µs and keeps the garbage collector busy; this ≈ 1 µs).
 * The key's inner and outer pad states are computed once, so a value of at most 55 UTF-8
 * bytes costs two SHA-256 compressions; longer values fall back to node:crypto.
 */
import { createHmac } from 'node:crypto';

// prettier-ignore
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
const W = new Int32Array(64);

/** One SHA-256 compression of the 16-word block `m` from state `h` into `out`. */
function compress(h: Int32Array, m: Int32Array, out: Int32Array): void {
  for (let i = 0; i < 16; i++) W[i] = m[i];
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15];
    const w2 = W[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let f = h[5];
  let g = h[6];
  let hh = h[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  out[0] = (h[0] + a) | 0;
  out[1] = (h[1] + b) | 0;
  out[2] = (h[2] + c) | 0;
  out[3] = (h[3] + d) | 0;
  out[4] = (h[4] + e) | 0;
  out[5] = (h[5] + f) | 0;
  out[6] = (h[6] + g) | 0;
  out[7] = (h[7] + hh) | 0;
}

/**
 * A function writing HMAC-SHA256(key, utf8(value)) (32 bytes, for COPY's binary format) into
 * `out` at `at`; it returns the position after it.
 */
export function keyedHashWriter(key: Buffer): (value: string, out: Buffer, at: number) => number {
  return keyedHashWriters(key).ofText;
}

/**
 * The same HMAC of a value given as its UTF-8 bytes, `src` [start, end) (the encryption
 * worker's form: no string made of it).
 */
export function keyedHashBytesWriter(
  key: Buffer,
): (src: Buffer, start: number, end: number, out: Buffer, at: number) => number {
  return keyedHashWriters(key).ofBytes;
}

function keyedHashWriters(key: Buffer) {
  if (key.length > 64) throw new Error('keyedHashWriter: keys longer than a block are not supported');
  const pad = (byte: number): Int32Array => {
    const block = Buffer.alloc(64);
    key.copy(block);
    for (let i = 0; i < 64; i++) block[i] ^= byte;
    const m = new Int32Array(16);
    for (let i = 0; i < 16; i++) m[i] = block.readInt32BE(i * 4);
    const state = new Int32Array(8);
    compress(INITIAL, m, state);
    return state;
  };
  const inner = pad(0x36);
  const outer = pad(0x5c);
  const bytes = Buffer.alloc(64);
  const m = new Int32Array(16);
  const mid = new Int32Array(8);
  const result = new Int32Array(8);
  /** The message block of an ASCII value of at most 55 characters, straight from its char codes; false otherwise. */
  const asciiBlock = (value: string): boolean => {
    const n = value.length;
    if (n > 55) return false;
    m.fill(0);
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c >= 128) return false;
      m[i >> 2] |= c << (24 - 8 * (i & 3));
    }
    m[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
    m[15] = (64 + n) * 8;
    return true;
  };
  /** The message block of `n` bytes at the start of `bytes` (n ≤ 55). */
  const bytesBlock = (n: number): void => {
    bytes.fill(0, n);
    bytes[n] = 0x80;
    bytes.writeUInt32BE((64 + n) * 8, 60);
    for (let i = 0; i < 16; i++) m[i] = bytes.readInt32BE(i * 4);
  };
  const ofText = (value: string, out: Buffer, at: number): number => {
    if (!asciiBlock(value)) {
      if (Buffer.byteLength(value, 'utf8') > 55)
        return at + createHmac('sha256', key).update(value, 'utf8').digest().copy(out, at);
      bytesBlock(bytes.write(value, 0, 'utf8'));
    }
    return finish(out, at);
  };
  const ofBytes = (src: Buffer, start: number, end: number, out: Buffer, at: number): number => {
    const n = end - start;
    if (n > 55) return at + createHmac('sha256', key).update(src.subarray(start, end)).digest().copy(out, at);
    for (let i = 0; i < n; i++) bytes[i] = src[start + i];
    bytesBlock(n);
    return finish(out, at);
  };
  /** HMAC's two compressions of the message block in `m`, written at `at`. */
  const finish = (out: Buffer, at: number): number => {
    compress(inner, m, mid);
    for (let i = 0; i < 8; i++) m[i] = mid[i];
    m[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) m[i] = 0;
    m[15] = (64 + 32) * 8;
    compress(outer, m, result);
    for (let i = 0; i < 8; i++, at += 4) out.writeInt32BE(result[i], at);
    return at;
  };
  return { ofText, ofBytes };
}
