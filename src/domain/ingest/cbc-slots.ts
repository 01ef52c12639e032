/**
 * Personal data encrypted for the loader's COPY input (the direct path a chunk at a time, the
 * staged path's derived columns a value at a time), as personal-data.ts
 * encryptPersonalData does it (iv || AES-256-CBC with PKCS#7 padding, random IV), written as
 * bytea text (`\x` and hex; `binary`: the bytes themselves, for COPY's binary format) into slots
 * reserved in the output while the rows were written:
 * the values of a chunk are encrypted together, round k encrypting the k-th block of every
 * value still that long in one cipher call (a call per block costs ≈ 0.6 µs), and nothing of a
 * row is kept as a string until the chunk ends.
 */
import { Cipher, createCipheriv, randomFillSync } from 'node:crypto';

const HEX = Buffer.from('0123456789abcdef', 'latin1');

export class CbcSlots {
  private readonly ecb: Cipher;
  /** The pending values' UTF-8 bytes, one after the other. */
  private plain = Buffer.allocUnsafe(1 << 16);
  private plainLength = 0;
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  /** Where each value's hex goes in the output. */
  private readonly slots: number[] = [];

  constructor(
    encKey: Buffer,
    private readonly binary = false,
  ) {
    this.ecb = createCipheriv('aes-256-ecb', encKey, null);
    this.ecb.setAutoPadding(false);
  }

  /** The bytes the value's encrypted form takes as bytea text. */
  static width(value: string): number {
    return 2 + 2 * CbcSlots.bytes(value);
  }

  /** The bytes of the value's encrypted form. */
  static bytes(value: string): number {
    return 16 + 16 * ((Buffer.byteLength(value, 'utf8') >> 4) + 1);
  }

  /** Queues a value whose encrypted form goes at `slot` of the output. */
  add(value: string, slot: number): void {
    const bytes = Buffer.byteLength(value, 'utf8');
    if (this.plainLength + bytes > this.plain.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.plain.length * 2, this.plainLength + bytes));
      this.plain.copy(bigger, 0, 0, this.plainLength);
      this.plain = bigger;
    }
    this.starts.push(this.plainLength);
    this.lengths.push(bytes);
    this.plainLength += this.plain.write(value, this.plainLength, 'utf8');
    this.slots.push(slot);
  }

  /** Queues a value given as its UTF-8 bytes, `src` [start, end). */
  addBytes(src: Buffer, start: number, end: number, slot: number): void {
    const bytes = end - start;
    if (this.plainLength + bytes > this.plain.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.plain.length * 2, this.plainLength + bytes));
      this.plain.copy(bigger, 0, 0, this.plainLength);
      this.plain = bigger;
    }
    this.starts.push(this.plainLength);
    this.lengths.push(bytes);
    for (let i = 0; i < bytes; i++) this.plain[this.plainLength + i] = src[start + i];
    this.plainLength += bytes;
    this.slots.push(slot);
  }

  /** Encrypts the queued values into their slots of `out`. */
  fill(out: Buffer): void {
    const n = this.slots.length;
    if (!n) return;
    // Each value: iv (random) || padded plaintext, encrypted in place, one after the other.
    const at = new Int32Array(n);
    const blocks = new Int32Array(n);
    let size = 0;
    let most = 0;
    for (let v = 0; v < n; v++) {
      at[v] = size;
      blocks[v] = (this.lengths[v] >> 4) + 1;
      if (blocks[v] > most) most = blocks[v];
      size += 16 + blocks[v] * 16;
    }
    const work = Buffer.allocUnsafe(size);
    randomFillSync(work);
    // Loops rather than Buffer.copy: a call costs more than copying these few bytes.
    const plain = this.plain;
    for (let v = 0; v < n; v++) {
      const from = at[v] + 16;
      for (let i = 0, s = this.starts[v]; i < this.lengths[v]; i++) work[from + i] = plain[s + i];
      work.fill(blocks[v] * 16 - this.lengths[v], from + this.lengths[v], from + blocks[v] * 16);
    }
    const input = Buffer.allocUnsafe(n * 16);
    for (let k = 0; k < most; k++) {
      let count = 0;
      for (let v = 0; v < n; v++) {
        if (blocks[v] <= k) continue;
        const block = at[v] + 16 + k * 16;
        for (let b = 0; b < 16; b++) input[count * 16 + b] = work[block + b] ^ work[block - 16 + b];
        count++;
      }
      const encrypted = this.ecb.update(input.subarray(0, count * 16));
      count = 0;
      for (let v = 0; v < n; v++) {
        if (blocks[v] <= k) continue;
        for (let b = 0, to = at[v] + 16 + k * 16, from = count * 16; b < 16; b++) work[to + b] = encrypted[from + b];
        count++;
      }
    }
    for (let v = 0; v < n && this.binary; v++) {
      const slot = this.slots[v] - at[v];
      for (let i = at[v], end = at[v] + 16 + blocks[v] * 16; i < end; i++) out[slot + i] = work[i];
    }
    for (let v = 0; v < n && !this.binary; v++) {
      let p = this.slots[v];
      out[p++] = 92; // \
      out[p++] = 120; // x
      const end = at[v] + 16 + blocks[v] * 16;
      for (let i = at[v]; i < end; i++) {
        out[p++] = HEX[work[i] >> 4];
        out[p++] = HEX[work[i] & 15];
      }
    }
    this.plainLength = 0;
    this.starts.length = 0;
    this.lengths.length = 0;
    this.slots.length = 0;
  }
}
