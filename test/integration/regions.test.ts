import { Client } from 'pg';
import {
  codePrefix,
  codePrefixSql,
  jurisdictionPrefix,
  jurisdictionPrefixSql,
  levelOfCode,
  REGION_LEVELS,
} from '../../src/core/regions';

const BASE_DB = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** The jurisdiction rule in TypeScript and its SQL twin agree on every form of code. */
describe('region jurisdiction: TypeScript and SQL twins', () => {
  const client = new Client({ connectionString: BASE_DB });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  const CODES = ['610000', '610300', '610302', '110000', '110100', '110101', '600000', '610030', '650100', '659001'];

  it('jurisdictionPrefix(code, level) = jurisdictionPrefixSql for every code and level', async () => {
    const pairs = CODES.flatMap((code) => REGION_LEVELS.map((level) => ({ code, level })));
    const { rows } = await client.query<{ prefix: string }>(
      `SELECT ${jurisdictionPrefixSql('x.code', 'x.level')} AS prefix
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(code, level, n) ORDER BY n`,
      [pairs.map((p) => p.code), pairs.map((p) => p.level)],
    );
    expect(rows.map((r) => r.prefix)).toEqual(pairs.map((p) => jurisdictionPrefix(p.code, p.level)));
  });

  it('codePrefix(code) = codePrefixSql, and equals the prefix of the level the code names', async () => {
    const { rows } = await client.query<{ prefix: string }>(
      `SELECT ${codePrefixSql('x.code')} AS prefix FROM unnest($1::text[]) WITH ORDINALITY AS x(code, n) ORDER BY n`,
      [CODES],
    );
    expect(rows.map((r) => r.prefix)).toEqual(CODES.map((c) => codePrefix(c)));
    expect(CODES.map((c) => codePrefix(c))).toEqual(CODES.map((c) => jurisdictionPrefix(c, levelOfCode(c))));
  });

  it('codePrefix: none is everywhere, a short string is a prefix already, anything else is BAD_USER_INPUT', () => {
    expect(codePrefix(null)).toBe('');
    expect(codePrefix('61')).toBe('61');
    expect(() => codePrefix('61x')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
