import { Client, types } from 'pg';
import { parseTimestamptz } from '../../src/db/timestamps';

const pgParse = types.getTypeParser(1184, 'text') as (value: string) => unknown;
const same = (text: string) => {
  const ours = parseTimestamptz(text);
  const theirs = pgParse(text);
  expect([text, ours instanceof Date ? ours.getTime() : ours]).toEqual([text, theirs instanceof Date ? theirs.getTime() : theirs]);
};

describe('parseTimestamptz (the pool’s timestamptz parser)', () => {
  it('gives what pg’s own parser gives, on every shape PostgreSQL prints', () => {
    const fixed = [
      '2025-03-04 05:06:07+08',
      '2025-03-04 05:06:07.1+08',
      '2025-03-04 05:06:07.12+08',
      '2025-03-04 05:06:07.123+08',
      '2025-03-04 05:06:07.123456+08',
      '2025-03-04 05:06:07.999999+00',
      '2025-12-31 23:59:59.9995-03:30',
      '1969-12-31 23:59:59.001+05:45',
      '2000-02-29 00:00:00+14',
      '1901-01-01 00:00:00+08:05:43',
      '1000-01-01 00:00:00+00',
      '9999-12-31 23:59:59.999999-12',
      '0099-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00 BC',
      '2025-03-04 05:06:07+08 BC',
      '12025-03-04 05:06:07+08',
      'infinity',
      '-infinity',
    ];
    fixed.forEach(same);
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    for (let k = 0; k < 20000; k++) {
      const frac = rand(3) === 0 ? '' : `.${pad(rand(1_000_000), 6).slice(0, 1 + rand(6))}`;
      const zone = [`+${pad(rand(15), 2)}`, `-${pad(rand(13), 2)}:${pad(rand(60), 2)}`, `+${pad(rand(15), 2)}:${pad(rand(60), 2)}:${pad(rand(60), 2)}`][rand(3)];
      same(
        `${1000 + rand(9000)}-${pad(1 + rand(12), 2)}-${pad(1 + rand(28), 2)} ${pad(rand(24), 2)}:${pad(rand(60), 2)}:${pad(rand(60), 2)}${frac}${zone}`,
      );
    }
  });

  it('reads what PostgreSQL prints in our sessions’ zone and in others', async () => {
    const client = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await client.connect();
    try {
      for (const zone of ['Asia/Shanghai', 'UTC', 'America/St_Johns', 'Asia/Kathmandu', 'Europe/Amsterdam']) {
        await client.query(`SET timezone = '${zone}'`);
        const { rows } = await client.query<{ t: string }>(
          `SELECT t::text AS t FROM (VALUES (now()), (timestamptz '1900-01-01 00:00:00 UTC'), (timestamptz '2025-06-30 16:00:00.5+00'),
             ('infinity'::timestamptz), (timestamptz '0050-01-01 00:00:00+00')) v(t)`,
        );
        rows.forEach((r) => same(r.t));
      }
    } finally {
      await client.end();
    }
  });
});
