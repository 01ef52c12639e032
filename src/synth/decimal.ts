/**
 * Exact decimal arithmetic for money and quantities. Money is integer fen (分); quantities
 * are integers scaled by 10^6 (enough for the dictionary's decimals). Nothing here touches
 * a JS float, because an amount off by one fen is a wrong hit amount.
 */

/** Quantities are held as integers scaled by this factor. */
export const QUANTITY_SCALE = 1_000_000n;

const MONEY_PATTERN = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;
const DECIMAL_PATTERN = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;

/** Parses "12.3" / "12.34" / "12" yuan into fen. */
export function parseMoneyFen(text: string): bigint {
  const match = MONEY_PATTERN.exec(text);
  if (!match) throw new Error(`not a money value: "${text}"`);
  const fen = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -fen : fen;
}

/** Parses a decimal with at most 6 fraction digits into an integer scaled by 10^6. */
export function parseScaledDecimal(text: string): bigint {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) throw new Error(`not a decimal value: "${text}"`);
  const scaled = BigInt(match[2]) * QUANTITY_SCALE + BigInt((match[3] ?? '').padEnd(6, '0'));
  return match[1] === '-' ? -scaled : scaled;
}

/** Formats fen as yuan with exactly two decimals: 12345 → "123.45". */
export function formatFen(fen: bigint | number): string {
  const value = BigInt(fen);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** Formats a quantity held in thousandths (the generator's unit): 2500 → "2.5", 3000 → "3". */
export function formatMilli(milli: number): string {
  const whole = Math.floor(milli / 1000);
  const fraction = milli % 1000;
  if (fraction === 0) return String(whole);
  return `${whole}.${fraction.toString().padStart(3, '0').replace(/0+$/, '')}`;
}

/** n / d rounded half away from zero (half-up for the positive amounts we report). */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new Error('division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

/** An exact rational number, for means and medians that must not be rounded early. */
export class Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;

  constructor(numerator: bigint, denominator = 1n) {
    if (denominator === 0n) throw new Error('zero denominator');
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = gcd(numerator, denominator) || 1n;
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
  }

  /** "5.1891" → 51891/10000. */
  static fromDecimal(text: string): Fraction {
    return new Fraction(parseScaledDecimal(text), QUANTITY_SCALE);
  }

  add(other: Fraction): Fraction {
    return new Fraction(
      this.numerator * other.denominator + other.numerator * this.denominator,
      this.denominator * other.denominator,
    );
  }

  subtract(other: Fraction): Fraction {
    return this.add(new Fraction(-other.numerator, other.denominator));
  }

  multiply(other: Fraction): Fraction {
    return new Fraction(this.numerator * other.numerator, this.denominator * other.denominator);
  }

  abs(): Fraction {
    return this.numerator < 0n ? new Fraction(-this.numerator, this.denominator) : this;
  }

  compare(other: Fraction): number {
    const left = this.numerator * other.denominator;
    const right = other.numerator * this.denominator;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  /** Rounded half-up to an integer (used on fen values). */
  roundHalfUp(): bigint {
    return divideRoundHalfUp(this.numerator, this.denominator);
  }
}
