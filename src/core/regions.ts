/**
 * 行政区划 jurisdiction (GB/T 2260), in TypeScript and as its SQL twin; a test holds the two
 * equal. A region's jurisdiction is itself and everything below it: a province 610000 covers
 * 61____, a city 610300 covers 6103__, a county only itself — as a LIKE prefix.
 */
import { badInput } from './errors';

export type RegionLevel = 'PROVINCE' | 'CITY' | 'COUNTY';
export const REGION_LEVELS: readonly RegionLevel[] = ['PROVINCE', 'CITY', 'COUNTY'];

/** The LIKE prefix of the codes in the jurisdiction of a region of known level. */
export function jurisdictionPrefix(code: string, level: RegionLevel): string {
  if (level === 'PROVINCE') return code.slice(0, 2);
  if (level === 'CITY') return code.slice(0, 4);
  return code;
}

/** The province (its first two digits) and the city (its first four) a six-digit code lies in. */
export const provinceOf = (code: string): string => jurisdictionPrefix(code, 'PROVINCE');
export const cityOf = (code: string): string => jurisdictionPrefix(code, 'CITY');

/** True when `code` lies in the jurisdiction of (`rootCode`, `rootLevel`). */
export function inJurisdiction(code: string, rootCode: string, rootLevel: RegionLevel): boolean {
  return code.startsWith(jurisdictionPrefix(rootCode, rootLevel));
}

/** The level a six-digit code names by its form: xx0000 a province, xxxx00 a city, else a county. */
export function levelOfCode(code: string): RegionLevel {
  if (code.endsWith('0000')) return 'PROVINCE';
  if (code.endsWith('00')) return 'CITY';
  return 'COUNTY';
}

/**
 * The jurisdiction prefix of a region code read by its form; '' for none (everywhere). A
 * string shorter than six digits is taken as a prefix already; anything else is BAD_USER_INPUT.
 */
export function codePrefix(regionCode: string | null | undefined): string {
  if (!regionCode) return '';
  if (!/^\d{1,6}$/.test(regionCode)) throw badInput(`invalid region code "${regionCode}"`);
  if (regionCode.length < 6) return regionCode;
  return jurisdictionPrefix(regionCode, levelOfCode(regionCode));
}

/** SQL twin of `jurisdictionPrefix`: an expression over a code and a level expression. */
export const jurisdictionPrefixSql = (code: string, level: string): string =>
  `(CASE ${level} WHEN 'PROVINCE' THEN left(${code}, 2) WHEN 'CITY' THEN left(${code}, 4) ELSE ${code} END)`;

/** SQL twin of `codePrefix` for six-digit codes. */
export const codePrefixSql = (code: string): string =>
  `(CASE WHEN ${code} LIKE '%0000' THEN left(${code}, 2) WHEN ${code} LIKE '%00' THEN left(${code}, 4) ELSE ${code} END)`;
