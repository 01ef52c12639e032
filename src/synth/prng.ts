/**
 * sfc32 (Small Fast Counting generator), seeded through splitmix32 so that nearby seeds
 * give unrelated streams. Every random choice of the generator goes through one of these,
 * which is what makes a batch byte-identical for a given seed and scale.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for one purpose ("persons", "settlements") derived from the user's seed. */
  constructor(seed: number, stream = '') {
    let state = seed >>> 0;
    for (let i = 0; i < stream.length; i++) state = Math.imul(state ^ stream.charCodeAt(i), 0x01000193) >>> 0;
    const splitmix = (): number => {
      state = (state + 0x9e3779b9) >>> 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t0 = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    const t = (t0 + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Index into cumulative weights (ascending, last = total). */
  pickWeighted(cumulativeWeights: readonly number[]): number {
    const target = this.next() * cumulativeWeights[cumulativeWeights.length - 1];
    let low = 0;
    let high = cumulativeWeights.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cumulativeWeights[mid] > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

export function cumulative(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((w) => (sum += w));
}
